import type { Command } from 'commander';
import { DATASET_NAMES } from '../data/sources/registry.js';
import { parseSkew } from '../data/skew.js';
import { formatDataBench } from '../report/bench.js';
import { BACKEND_PREFERENCES, type BackendPreference } from '../train/names.js';
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
      // The benchmark loads tfjs; only this command pays for it.
      const { runDataBench } = await import('../bench/data.js');
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
      process.stdout.write(formatDataBench(result));
    });
}
