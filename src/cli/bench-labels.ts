import type { Command } from 'commander';
import { formatLabelsBench } from '../report/bench.js';
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
      const { runLabelsBench } = await import('../bench/labels.js');
      const result = await runLabelsBench({
        images: numberOption('--images', o.images, { min: 1, integer: true }),
        labels: numberOption('--labels', o.labels, { min: 1, integer: true }),
        iterations: numberOption('--iterations', o.iterations, { min: 1, integer: true }),
      });
      if (o.json) {
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      process.stdout.write(formatLabelsBench(result));
    });
}
