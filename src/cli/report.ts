import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { InputError } from '../errors.js';
import { aggregate } from '../report/aggregate.js';
import { writeCharts } from '../report/charts.js';
import { readResults } from '../report/results.js';
import { readManifest } from '../report/manifest.js';
import { readLearningCurves } from '../report/html-curves.js';
import { REPORT_FILE, reportHtml } from '../report/html.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { join } from 'node:path';
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
      const manifest = readManifest(dir);
      const agg = aggregate(records, { baseline: o.baseline });
      // The page is built (and history.csv read) before the first file is written.
      const html = reportHtml({ aggregate: agg, records, manifest, curves: readLearningCurves(dir, records) });
      const files = await writeCharts(dir, agg);
      writeFileAtomic(join(dir, REPORT_FILE), html);
      files.push(join(dir, REPORT_FILE));
      const write = (text: string): boolean => process.stdout.write(text + '\n');
      write(formatSummaryTable(agg));
      write(formatPerLabelTable(agg));
      const failures = formatFailures(agg);
      if (failures) write(failures);
      write(`charts: ${files.join(', ')}`);
    });
}
