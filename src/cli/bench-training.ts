import type { Command } from 'commander';
import { REFERENCE_WORKLOAD } from '../bench/workload.js';
import { num, table } from '../report/format.js';
import { BACKEND_NAMES, MODEL_NAMES } from '../experiment/spec.js';
import { choiceOption, numberOption } from './options.js';

export function registerTrainingBench(bench: Command): void {
  bench
    .command('training')
    .description('training throughput of the reference MLP and CNN, side by side with src/bench/torch_throughput.py')
    .option('--backend <name>', `tfjs backend: ${BACKEND_NAMES.join(', ')}`, 'auto')
    .option('--model <kind>', `${MODEL_NAMES.join(', ')}, or both (the reference mlp and cnn)`, 'both')
    .option('--images <n>', 'images per epoch', String(REFERENCE_WORKLOAD.images))
    .option('--epochs <n>', 'timed epochs after one warm-up epoch', String(REFERENCE_WORKLOAD.epochs))
    .option('--batch <n>', 'batch size', String(REFERENCE_WORKLOAD.batchSize))
    .option('--size <n>', 'side of the square input', String(REFERENCE_WORKLOAD.size))
    .option('--channels <n>', 'input channels (1 grey, 3 RGB)', '1')
    .option('--threads <n>', 'threads training the model, over its micro-batches', '1')
    .option('--micro-batches <n>', 'micro-batches per batch (train.microBatches; default: the model\'s, 1 for mlp, else 2)')
    .option('--json', 'print one JSON object per model (the fields of torch_throughput.py)')
    .action(async (o: { backend: string; model: string; images: string; epochs: string; batch: string; size: string; channels: string; threads: string; microBatches?: string; json?: boolean }) => {
      const backend = choiceOption('--backend', o.backend, BACKEND_NAMES);
      const model = choiceOption('--model', o.model, [...MODEL_NAMES, 'both'] as const);
      // tfjs loads only when this benchmark runs, so the other commands start fast.
      const { benchTraining } = await import('../bench/training.js');
      const { rows, backendReason } = await benchTraining({
        backend,
        // `both` is the pair the PyTorch yardstick also trains.
        models: model === 'both' ? (['mlp', 'cnn'] as const) : [model as (typeof MODEL_NAMES)[number]],
        images: numberOption('--images', o.images, { min: 1, integer: true }),
        epochs: numberOption('--epochs', o.epochs, { min: 1, integer: true }),
        batchSize: numberOption('--batch', o.batch, { min: 1, integer: true }),
        size: numberOption('--size', o.size, { min: 4, integer: true }),
        channels: numberOption('--channels', o.channels, { min: 1, integer: true }),
        threads: numberOption('--threads', o.threads, { min: 1, integer: true }),
        ...(o.microBatches === undefined ? {} : { microBatches: numberOption('--micro-batches', o.microBatches, { min: 1, integer: true }) }),
      });
      process.stderr.write(`${backendReason}\n`);
      if (o.json) {
        for (const row of rows) process.stdout.write(JSON.stringify(row) + '\n');
        return;
      }
      process.stdout.write(
        table(
          ['engine', 'threads', 'model', 'input', 'labels', 'batch', 'images', 'seconds', 'images/s'],
          rows.map((r) => [r.engine, r.threads, r.model, `${r.inputSize}×${r.inputSize}×${r.channels}`, r.labels, r.batchSize, r.images, num(r.seconds, 3), num(r.imagesPerSecond, 1)]),
        ) + '\n',
      );
    });
}
