import * as tf from '@tensorflow/tfjs-core';
import { Bench } from 'tinybench';
import { machineInfo, type MachineInfo } from './machine.js';
import { augment } from '../data/augment.js';
import { buildDataset } from '../data/build.js';
import { clearEmbeddedMemo, loadEmbedded } from '../data/embedded.js';
import { parseSkew } from '../data/skew.js';
import { AUGMENTATIONS } from '../data/types.js';
import { createRng } from '../labels/rng.js';
import { selectBackend, type BackendPreference } from '../train/backend.js';

export interface DataBenchOptions {
  /** Dataset built by the "build" task. */
  dataset?: string;
  skew?: string;
  seed?: number;
  /** Images per augmentation call. */
  augmentBatch?: number;
  /** Backends to time augmentation on. */
  backends?: BackendPreference[];
  /** Timed runs per task (after one warm-up run). */
  iterations?: number;
}

export interface DataBenchRow {
  task: string;
  meanMs: number;
  minMs: number;
  maxMs: number;
  samples: number;
  /** Images per second, for throughput tasks. */
  imagesPerSecond: number | null;
  /** What the task must meet: a time in ms or a throughput in images/s. */
  target: string | null;
  met: boolean | null;
}

export interface DataBenchResult {
  dataset: string;
  skew: string;
  images: { train: number; val: number; test: number };
  /** Memory the loaded Fashion-MNIST items hold (the cache file's bytes, kept as one buffer). */
  fashionCacheMB: number;
  /** Growth of heap + array buffers across one cold load of the Fashion-MNIST cache. */
  fashionLoadMemoryMB: number;
  rows: DataBenchRow[];
  machine: MachineInfo;
}

function row(task: Bench['tasks'][number], extra: { images?: number; targetMs?: number; targetRate?: number }): DataBenchRow {
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`benchmark task ${task.name} ${r.state === 'errored' ? `failed: ${r.error.message}` : r.state}`);
  const rate = extra.images ? (extra.images / r.latency.mean) * 1000 : null;
  let target: string | null = null;
  let met: boolean | null = null;
  if (extra.targetMs !== undefined) {
    target = `< ${extra.targetMs} ms`;
    met = r.latency.mean < extra.targetMs;
  } else if (extra.targetRate !== undefined && rate !== null) {
    target = `≥ ${extra.targetRate} img/s`;
    met = rate >= extra.targetRate;
  }
  return { task: task.name, meanMs: r.latency.mean, minMs: r.latency.min, maxMs: r.latency.max, samples: r.latency.samplesCount, imagesPerSecond: rate, target, met };
}

/**
 * Times the data path: a cold load of the Fashion-MNIST cache, building the default suite's dataset
 * from the cache (cold, so the load is included), and augmenting 28 × 28 images on each backend.
 * The cache is built first if missing (untimed). Returns rows; printing is the caller's job.
 */
export async function runDataBench(options: DataBenchOptions = {}): Promise<DataBenchResult> {
  const machine = machineInfo();
  const { dataset = 'fashion-mosaic', skew = 'exponential:50', seed = 1, augmentBatch = 4096, backends = ['cpu', 'wasm'], iterations = 5 } = options;
  const profile = parseSkew(skew);
  loadEmbedded('fashion');
  if (dataset === 'mixed-mosaic' || dataset === 'digits-mosaic') loadEmbedded('digits');

  clearEmbeddedMemo();
  const before = process.memoryUsage();
  const store = loadEmbedded('fashion');
  const after = process.memoryUsage();
  const fashionLoadMemoryMB = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 2 ** 20;
  const fashionCacheMB = (store.pixels.byteLength + store.classes.byteLength) / 2 ** 20;

  const sample = await buildDataset({ name: dataset }, profile, seed);
  const bench = new Bench({ iterations, time: 0, warmupIterations: 1, warmupTime: 0 });
  const cold = { beforeEach: () => clearEmbeddedMemo() };
  bench.add('load Fashion-MNIST cache', () => void loadEmbedded('fashion'), { async: false, ...cold });
  bench.add(`build ${dataset} ${skew} (cold cache)`, async () => void (await buildDataset({ name: dataset }, profile, seed)), { async: true, ...cold });
  await bench.run();
  const rows = [row(bench.tasks[0], { targetMs: 1000 }), row(bench.tasks[1], { targetMs: 2000 })];

  // Augmentation input: real training images, repeated up to the batch size.
  const size = 28 * 28;
  const n = sample.train.labels.rows;
  const images = new Uint8Array(augmentBatch * size);
  for (let k = 0; k < augmentBatch; k++) images.set(sample.train.images.subarray((k % n) * size, (k % n + 1) * size), k * size);
  const rng = createRng(seed).fork('bench-augment');
  const sources = Int32Array.from({ length: augmentBatch }, () => rng.int(1 << 30));
  const copies = new Int32Array(augmentBatch);
  for (const preference of backends) {
    const choice = await selectBackend(preference);
    const tensorsBefore = tf.memory().numTensors;
    const b = new Bench({ iterations, time: 0, warmupIterations: 1, warmupTime: 0 });
    b.add(`augment ${augmentBatch} × 28×28, all four (${choice.name})`, () => void augment({ images, height: 28, width: 28, channels: 1 }, { sources, copies }, AUGMENTATIONS, seed), { async: false });
    await b.run();
    if (tf.memory().numTensors !== tensorsBefore) throw new Error(`augmentation leaked ${tf.memory().numTensors - tensorsBefore} tensors on ${choice.name}`);
    rows.push(row(b.tasks[0], { images: augmentBatch, targetRate: 5000 }));
  }
  return {
    machine,
    dataset,
    skew,
    images: { train: sample.train.labels.rows, val: sample.val.labels.rows, test: sample.test.labels.rows },
    fashionCacheMB,
    fashionLoadMemoryMB,
    rows,
  };
}
