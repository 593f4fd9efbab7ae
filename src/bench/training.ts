import os from 'node:os';
import { LabelMatrix } from '../labels/matrix.js';
import { createRng } from '../labels/rng.js';
import { selectBackend, type BackendPreference } from '../train/backend.js';
import type { ImageSet } from '../train/image-set.js';
import { createModel } from '../train/create-model.js';
import type { ModelKind } from '../train/models.js';
import { trainModel } from '../train/train.js';
import { REFERENCE_WORKLOAD } from './workload.js';

export { REFERENCE_WORKLOAD } from './workload.js';

/** One row per model and backend; the fields of src/bench/torch_throughput.py. */
export interface TrainingThroughputRow {
  engine: string;
  threads: number;
  model: ModelKind;
  inputSize: number;
  channels: number;
  /** Micro-batches per batch (train.microBatches); the threads share them out. */
  microBatches: number;
  labels: number;
  batchSize: number;
  images: number;
  seconds: number;
  imagesPerSecond: number;
}

export interface TrainingBenchOptions {
  backend?: BackendPreference;
  models?: readonly ModelKind[];
  /** Side of the square input. */
  size?: number;
  /** Channels of the input (1 grey, 3 RGB). */
  channels?: number;
  /** Threads training the model (data-parallel over micro-batches). */
  threads?: number;
  microBatches?: number;
  labels?: number;
  batchSize?: number;
  /** Images per epoch. */
  images?: number;
  /** Timed epochs (after one warm-up epoch). */
  epochs?: number;
  seed?: number;
}


/**
 * Trains each reference model on random images exactly as the PyTorch yardstick does (uniform
 * pixels, labels positive with probability 0.3, Adam lr 1e-3, BCE on logits, one warm-up epoch,
 * then the timed epochs) and returns one row per model. Prints nothing.
 */
export async function benchTraining(options: TrainingBenchOptions = {}): Promise<{ rows: TrainingThroughputRow[]; backendReason: string }> {
  const size = options.size ?? REFERENCE_WORKLOAD.size;
  const labelCount = options.labels ?? REFERENCE_WORKLOAD.labels;
  const batchSize = options.batchSize ?? REFERENCE_WORKLOAD.batchSize;
  const images = options.images ?? REFERENCE_WORKLOAD.images;
  const epochs = options.epochs ?? REFERENCE_WORKLOAD.epochs;
  const seed = options.seed ?? 0;
  const channels = options.channels ?? 1;
  const threads = options.threads ?? 1;
  // Absent: the model's default (defaultMicroBatches), as a suite without train.microBatches trains.
  const { microBatches } = options;

  const backend = await selectBackend(options.backend ?? 'auto');
  const rows: TrainingThroughputRow[] = [];
  for (const kind of options.models ?? (['mlp', 'cnn'] as const)) {
    const set = randomImageSet(createRng(seed).fork(kind), images, size, channels, labelCount);
    const model = await createModel(kind, { height: size, width: size, channels, labels: labelCount, seed });
    try {
      const options = { loss: { kind: 'bce' as const }, batchSize, learningRate: 1e-3, threads, ...(microBatches ? { microBatches } : {}) };
      await trainModel(model, set, { ...options, epochs: 1, seed });
      const timed = await trainModel(model, set, { ...options, epochs, seed: seed + 1 });
      rows.push({
        engine: `tfjs-${backend.name}-${backend.version}`,
        // Native TensorFlow sizes its own thread pool from the cores; wasm and cpu run on the trial's threads.
        threads: backend.name === 'tensorflow' ? os.availableParallelism() : timed.threads,
        model: kind,
        inputSize: size,
        channels,
        microBatches: timed.microBatches,
        labels: labelCount,
        batchSize,
        images: images * epochs,
        seconds: round(timed.seconds, 4),
        imagesPerSecond: round((images * epochs) / timed.seconds, 1),
      });
    } finally {
      model.dispose();
    }
  }
  return { rows, backendReason: backend.reason };
}

function randomImageSet(rng: ReturnType<typeof createRng>, n: number, size: number, channels: number, labels: number): ImageSet {
  const pixels = new Uint8Array(n * size * size * channels);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(256);
  const dense = new Float32Array(n * labels);
  for (let i = 0; i < dense.length; i++) dense[i] = rng.float() > 0.7 ? 1 : 0;
  const names = Array.from({ length: labels }, (_, l) => `label${l}`);
  return { images: pixels, height: size, width: size, channels, labels: LabelMatrix.fromDense(names, dense) };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
