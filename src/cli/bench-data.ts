import type { Command } from 'commander';
import { runDataBench } from '../bench/data.js';
import { DATASET_NAMES } from '../data/build.js';
import { parseSkew } from '../data/skew.js';
import { num, table } from '../report/format.js';
import { BACKEND_PREFERENCES, type BackendPreference } from '../train/backend.js';
import { choiceOption, numberOption } from './options.js';

export function registerDataBench(bench: Command): void {
  bench
    .command('data')
    .description('time loading the Fashion-MNIST cache, building the default dataset from it, and augmentation throughput')
    .option('--dataset <name>', 'dataset to build', 'fashion-mosaic')
    .option('--skew <profile>', 'skew of the built dataset', 'exponential:50')
    .option('--batch <n>', 'images per augmentation call', '4096')
    .option('--backends <list>', 'backends to time augmentation on, comma-separated', 'cpu,wasm')
    .option('--iterations <n>', 'timed runs per task', '5')
    .option('--json', 'print JSON')
    .action(async (o: { dataset: string; skew: string; batch: string; backends: string; iterations: string; json?: boolean }) => {
      parseSkew(o.skew);
      const result = await runDataBench({
        dataset: choiceOption('--dataset', o.dataset, DATASET_NAMES.filter((d) => d !== 'folder')),
        skew: o.skew,
        augmentBatch: numberOption('--batch', o.batch, { min: 1, integer: true }),
        backends: o.backends.split(',').map((b) => choiceOption('--backends', b.trim(), BACKEND_PREFERENCES) as BackendPreference),
        iterations: numberOption('--iterations', o.iterations, { min: 1, integer: true }),
      });
      if (o.json) {
        process.stdout.write(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      process.stdout.write(
        `${result.dataset} ${result.skew}: train ${result.images.train}, val ${result.images.val}, test ${result.images.test} images; ` +
          `Fashion-MNIST items ${num(result.fashionCacheMB, 1)} MB in memory (cold load grew heap + buffers by ${num(result.fashionLoadMemoryMB, 1)} MB)\n`,
      );
      process.stdout.write(
        table(
          ['task', 'mean ms', 'min ms', 'max ms', 'runs', 'images/s', 'target', 'met'],
          result.rows.map((r) => [r.task, num(r.meanMs, 1), num(r.minMs, 1), num(r.maxMs, 1), r.samples, r.imagesPerSecond === null ? '—' : Math.round(r.imagesPerSecond), r.target ?? '—', r.met === null ? '—' : r.met ? 'yes' : 'NO']),
        ) + '\n',
      );
    });
}
