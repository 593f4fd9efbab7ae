import type { Command } from 'commander';
import { readLabelsCsv } from '../data/labels-csv.js';
import { labelStats, DEFAULT_GROUPS } from '../labels/stats.js';
import { formatLabelStats, labelStatsJson } from '../report/labels.js';
import { numberOption, warn } from './options.js';

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('label counts, IRLbl and head/medium/tail groups, and the dataset imbalance measures')
    .argument('<labels.csv>', 'image labels: "id,labels" (names separated by --sep) or one-hot "id,<label>,…"')
    .option('--sep <s>', 'separator between label names in a labels column', '|')
    .option('--head <n>', 'a label with at least this many images is head', String(DEFAULT_GROUPS.head))
    .option('--tail <n>', 'a label with fewer images than this is tail', String(DEFAULT_GROUPS.tail))
    .option('--json', 'print JSON instead of tables')
    .action((file: string, o: { sep: string; head: string; tail: string; json?: boolean }) => {
      const matrix = readLabelsCsv(file, { sep: o.sep });
      const head = numberOption('--head', o.head, { min: 0, integer: true });
      const tail = numberOption('--tail', o.tail, { min: 0, max: head, integer: true });
      const stats = labelStats(matrix, { groups: { head, tail } });
      if (o.json) {
        stats.warnings.forEach(warn);
        process.stdout.write(JSON.stringify(labelStatsJson(stats), null, 2) + '\n');
      } else {
        process.stdout.write(formatLabelStats(stats) + '\n');
      }
    });
}
