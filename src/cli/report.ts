import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { InputError } from '../errors.js';
import { aggregate } from '../report/aggregate.js';
import { writeCharts } from '../report/charts.js';
import { readResults } from '../report/results.js';
import { formatFailures, formatPerLabelTable, formatSummaryTable } from '../report/tables.js';

function requireDirectory(dir: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${dir}: cannot open the results folder (${code === 'ENOENT' ? 'no such directory' : (code ?? String(err))})`);
  }
  if (!isDirectory) throw new InputError(`${dir}: expected a results folder (with trials.csv and per_label.csv), got a file`);
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description("redraw a results folder's charts from its CSVs and print its summary tables")
    .argument('<dir>', 'results folder written by `skewbench run` (trials.csv, per_label.csv)')
    .option('--baseline <method>', 'the method the others are compared with', 'baseline')
    .action(async (dir: string, o: { baseline: string }) => {
      requireDirectory(dir);
      const records = readResults(dir);
      const methods = [...new Set(records.map((r) => r.method))];
      if (records.length > 0 && !methods.includes(o.baseline)) {
        throw new InputError(`--baseline: no method "${o.baseline}" in ${dir} (it has ${methods.join(', ')})`);
      }
      const agg = aggregate(records, { baseline: o.baseline });
      const files = await writeCharts(dir, agg);
      const write = (text: string): boolean => process.stdout.write(text + '\n');
      write(formatSummaryTable(agg));
      write(formatPerLabelTable(agg));
      const failures = formatFailures(agg);
      if (failures) write(failures);
      write(`charts: ${files.join(', ')}`);
    });
}
