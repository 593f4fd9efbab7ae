import type { Command } from 'commander';
import { runLabelsBench } from '../bench/labels.js';
import { num, table } from '../report/format.js';
import { numberOption } from './options.js';

export function registerLabelsBench(bench: Command): void {
  bench
    .command('labels')
    .description('time stats, every weight scheme and the planners on a large skewed label matrix')
    .option('--images <n>', 'images in the synthetic matrix', '1000000')
    .option('--labels <n>', 'labels in the synthetic matrix', '100')
    .option('--iterations <n>', 'timed runs per task', '5')
    .option('--json', 'print JSON')
    .action(async (o: { images: string; labels: string; iterations: string; json?: boolean }) => {
      const result = await runLabelsBench({
        images: numberOption('--images', o.images, { min: 1, integer: true }),
        labels: numberOption('--labels', o.labels, { min: 1, integer: true }),
        iterations: numberOption('--iterations', o.iterations, { min: 1, integer: true }),
      });
      if (o.json) {
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      process.stdout.write(
        `${result.images} images × ${result.labels} labels, ${num(result.cardinality, 2)} labels/image, MeanIR ${num(result.meanIR, 1)}, matrix ${num(result.matrixMB, 1)} MB\n`,
      );
      process.stdout.write(
        table(
          ['task', 'mean ms', 'min ms', 'max ms', 'runs', 'target ms', 'met'],
          result.rows.map((r) => [r.task, num(r.meanMs, 1), num(r.minMs, 1), num(r.maxMs, 1), r.samples, r.targetMs ?? '—', r.targetMs === null ? '—' : r.meanMs <= r.targetMs ? 'yes' : 'NO']),
        ) + '\n',
      );
    });
}
