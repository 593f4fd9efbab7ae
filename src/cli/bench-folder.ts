import type { Command } from 'commander';
import { formatFolderBench } from '../report/bench.js';
import { numberOption } from './options.js';

export function registerFolderBench(bench: Command): void {
  bench
    .command('folder')
    .description('time decoding a folder of RGB PNGs, and loading the same pixels from the decode cache')
    .option('--images <n>', 'images in the folder', '5000')
    .option('--size <n>', 'side of each square image, in pixels', '64')
    .option('--iterations <n>', 'timed runs per task', '3')
    .option('--json', 'print JSON')
    .action(async (o: { images: string; size: string; iterations: string; json?: boolean }) => {
      const { runFolderBench } = await import('../bench/folder.js');
      const result = await runFolderBench({
        images: numberOption('--images', o.images, { min: 1, integer: true }),
        size: numberOption('--size', o.size, { min: 1, max: 1024, integer: true }),
        iterations: numberOption('--iterations', o.iterations, { min: 1, integer: true }),
      });
      process.stdout.write(o.json ? JSON.stringify(result, null, 2) + '\n' : formatFolderBench(result));
    });
}
