import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabelMatrix } from '../../src/labels/matrix.js';
import { createRng } from '../../src/labels/rng.js';
import { selectBackend } from '../../src/train/backend.js';
import type { ImageSet } from '../../src/train/image-set.js';
import { gemmHeapUse } from '../../src/train/kernels/gemm-runtime.js';
import { buildModel, type Model } from '../../src/train/models.js';
import { predict } from '../../src/train/predict.js';
import { trainModel } from '../../src/train/train.js';

const SIZE = 32;
const CHANNELS = 3;
const TRAIN_BATCH = 16;

/** `n` seeded noise images of SIZE × SIZE × CHANNELS with random labels (memory, not learning, is tested here). */
function noiseSet(n: number, seed: number): ImageSet {
  const rng = createRng(seed);
  const images = Uint8Array.from({ length: n * SIZE * SIZE * CHANNELS }, () => rng.int(256));
  const rows = Array.from({ length: n }, () => [0, 1, 2].filter(() => rng.float() < 0.4));
  return { images, height: SIZE, width: SIZE, channels: CHANNELS, labels: LabelMatrix.fromRows(['a', 'b', 'c'], rows) };
}

function first(set: ImageSet, n: number): ImageSet {
  return { ...set, images: set.images.subarray(0, n * SIZE * SIZE * CHANNELS), labels: set.labels.select(Array.from({ length: n }, (_, i) => i)) };
}

describe('predict on the wasm backend: memory bounded by the batch size', () => {
  let backend: BackendWasm;
  let model: Model;
  const set = noiseSet(200, 1);
  /** The wasm heap's size and what the GEMM runtime holds on it. */
  const heap = () => ({ heapBytes: (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer.byteLength, ...gemmHeapUse(backend) });

  beforeAll(async () => {
    await selectBackend('wasm');
    backend = tf.backend() as BackendWasm;
    model = buildModel('resnet', { height: SIZE, width: SIZE, channels: CHANNELS, labels: 3, seed: 1 });
    // One micro-batch per batch, so training's forward passes run at the batch size predict uses.
    await trainModel(model, set, { loss: { kind: 'bce' }, steps: 4, batchSize: TRAIN_BATCH, learningRate: 1e-3, seed: 1, microBatches: 1 });
  });

  it('a training step keeps one im2col buffer per convolution layer that uses columns, not one per layer and step', () => {
    // The resnet's stride-2 3×3 convolutions and 1×1 stride-2 shortcuts, two of each; its stem
    // (3 input channels) runs direct and its stride-1 3×3 convolutions as Winograd, without columns.
    expect(heap().columnsEntries).toBe(4);
  });

  it('at the training batch size grows no heap and caches no more columns than training, and needs the same memory for any number of images, leaking no tensor', () => {
    const trained = heap();
    const tensors = tf.memory().numTensors;
    let bound: ReturnType<typeof heap> | undefined;
    // A whole batch first: fewer images than a batch are scored as one smaller batch.
    for (const n of [TRAIN_BATCH, 1, TRAIN_BATCH - 1, TRAIN_BATCH + 1, 50, 200]) {
      const scores = predict(model, first(set, n), TRAIN_BATCH);
      expect(scores.length).toBe(n * 3);
      const now = heap();
      // The first batch may grow scratch to hold one batch's columns (training, whose input
      // gradients need none, may not have); from then on nothing moves.
      bound ??= now;
      expect(now, `after predicting ${n} images`).toEqual(bound);
      expect(now.heapBytes).toBe(trained.heapBytes);
      expect({ entries: now.columnsEntries, bytes: now.columnsBytes }).toEqual({ entries: trained.columnsEntries, bytes: trained.columnsBytes });
      expect(tf.memory().numTensors).toBe(tensors);
    }
  });

  it('at a larger batch size grows scratch once, to a bound that neither the number of images nor the last batch changes, and caches no columns', () => {
    const trained = heap();
    const tensors = tf.memory().numTensors;
    predict(model, set, 64);
    const bound = heap();
    expect(bound.columnsBytes).toBe(trained.columnsBytes);
    expect(bound.columnsEntries).toBe(trained.columnsEntries);
    for (const n of [64, 65, 100, 127, 129, 200]) {
      predict(model, first(set, n), 64);
      expect(heap(), `after predicting ${n} images`).toEqual(bound);
      expect(tf.memory().numTensors).toBe(tensors);
    }
  });

  it('scores an image the same whatever its batch, the padded last batch included', () => {
    const together = predict(model, first(set, 21), TRAIN_BATCH); // 16 + 5 padded to 16
    for (const i of [0, 15, 16, 20]) {
      const alone = predict(model, { ...first(set, 1), images: set.images.subarray(i * SIZE * SIZE * CHANNELS, (i + 1) * SIZE * SIZE * CHANNELS) }, 1);
      Array.from(alone).forEach((v, l) => expect(together[i * 3 + l]).toBeCloseTo(v, 6));
    }
  });
});
