import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/train/backend.js';
import { createModel } from '../../src/train/create-model.js';
import { computeLoss } from '../../src/train/losses.js';
import { buildModel, type Model } from '../../src/train/models.js';
import { defaultMicroBatches, microBatchBounds, ownerOf } from '../../src/train/micro-batches.js';
import type { ModelSpec } from '../../src/train/names.js';
import { partGradients } from '../../src/train/step.js';
import { trainModel, type TrainOptions } from '../../src/train/train.js';
import { quadrantSet, relativeError } from './helpers.js';

const SHAPE = { height: 8, width: 8, channels: 1, labels: 4 };

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('microBatchBounds', () => {
  it('splits a batch into contiguous, non-empty micro-batches whose sizes differ by at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 16 }), (size, parts) => {
        const bounds = microBatchBounds(size, parts);
        expect(bounds.length).toBe(Math.min(size, parts));
        expect(bounds[0][0]).toBe(0);
        expect(bounds[bounds.length - 1][1]).toBe(size);
        const sizes = bounds.map(([s, e]) => e - s);
        for (let i = 1; i < bounds.length; i++) expect(bounds[i][0]).toBe(bounds[i - 1][1]);
        expect(Math.min(...sizes)).toBeGreaterThan(0);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        // Larger ones first, so a thread's share depends only on the batch size and the count.
        for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]);
      }),
    );
  });

  it('are 2 per batch by default, 1 for the mlp: a choice of the model, never of the threads', () => {
    expect(defaultMicroBatches({ kind: 'cnn' })).toBe(2);
    expect(defaultMicroBatches({ kind: 'layers' })).toBe(2);
    expect(defaultMicroBatches({ kind: 'mlp' })).toBe(1);
  });

  it('deals micro-batches to threads round-robin, the trial’s own thread first', () => {
    expect([0, 1, 2, 3].map((p) => ownerOf(p, 2))).toEqual([0, 1, 0, 1]);
    expect([0, 1, 2].map((p) => ownerOf(p, 1))).toEqual([0, 0, 0]);
  });
});

describe('micro-batch gradients', () => {
  it('add up to the whole batch’s gradient: each divides its loss by the whole batch’s entries', () => {
    const model = buildModel('mlp', { ...SHAPE, seed: 1 });
    const set = quadrantSet(24, 5);
    const x = tf.tensor4d(Float32Array.from(set.images, (v) => v / 255), [24, 8, 8, 1]);
    const y = tf.tensor2d(Float32Array.from({ length: 24 * 4 }, (_, i) => (set.labels.has(Math.floor(i / 4), i % 4) ? 1 : 0)), [24, 4]);
    const whole = partGradients(model, model.variables, { kind: 'bce' }, x, y, 24 * 4, true);
    const halves = [0, 1].map((h) => {
      const xs = tf.slice(x, [h * 12, 0, 0, 0], [12, 8, 8, 1]);
      const ys = tf.slice(y, [h * 12, 0], [12, 4]);
      const r = partGradients(model, model.variables, { kind: 'bce' }, xs, ys, 24 * 4, true);
      tf.dispose([xs, ys]);
      return r;
    });
    expect(halves[0].value + halves[1].value).toBeCloseTo(whole.value, 6);
    whole.grads.forEach((g, i) => {
      const sum = tf.add(halves[0].grads[i], halves[1].grads[i]);
      expect(relativeError(sum.dataSync(), g.dataSync())).toBeLessThan(1e-5);
      sum.dispose();
    });
    // And the loss with its own entries is the micro-batch's mean, as before.
    const alone = computeLoss({ kind: 'bce' }, tf.zeros([2, 4]) as tf.Tensor2D, tf.ones([2, 4]) as tf.Tensor2D);
    expect(alone.dataSync()[0]).toBeCloseTo(Math.log(2), 6);
    tf.dispose([x, y, alone, ...whole.grads, ...halves.flatMap((h) => h.grads)]);
    model.dispose();
  });
});

/** Trains a fresh model from `spec` and returns its weights (and state) and loss history. */
async function trained(spec: ModelSpec, options: Partial<TrainOptions>): Promise<{ weights: number[][]; losses: number[] }> {
  const model = await createModel(spec, { ...SHAPE, seed: 4 });
  try {
    const result = await trainModel(model, quadrantSet(70, 2), { loss: { kind: 'bce' }, epochs: 2, batchSize: 16, learningRate: 0.01, seed: 9, ...options });
    // The threads asked for did the work (as many as there are micro-batches).
    expect(result.threads).toBe(Math.min(options.threads ?? 1, options.microBatches ?? 2));
    return { weights: [...model.variables, ...(model.state ?? [])].map((v) => Array.from(v.dataSync())), losses: result.lossHistory };
  } finally {
    model.dispose();
  }
}

describe('training on several threads', () => {
  it('gives the same weights, to the bit, on 1, 2 and 3 threads, with resampling, deferred weights and online augmentation', async () => {
    const options: Partial<TrainOptions> = {
      microBatches: 3,
      sampling: Float64Array.from({ length: 70 }, (_, i) => 1 + (i % 3)),
      deferred: { fromStep: 4, before: { kind: 'bce' } },
      loss: { kind: 'focal', gamma: 2 } as TrainOptions['loss'],
      transformBatch: (images) => images.map((v) => 255 - v),
    };
    const before = tf.memory().numTensors;
    const one = await trained('cnn', { ...options, threads: 1 });
    const two = await trained('cnn', { ...options, threads: 2 });
    const three = await trained('cnn', { ...options, threads: 3 });
    expect(two).toEqual(one);
    expect(three).toEqual(one);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('keeps BatchNorm’s moving statistics the same too: each micro-batch starts from the step’s, the step ends at their mean change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skewbench-threads-'));
    const file = join(dir, 'bn.mjs');
    writeFileSync(
      file,
      `export function build({ height, width, channels, labels, tf }) {
  return tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [height, width, channels], filters: 4, kernelSize: 3, padding: 'same' }),
    tf.layers.batchNormalization({}),
    tf.layers.reLU(),
    tf.layers.flatten(),
    tf.layers.dense({ units: labels }),
  ] });
}\n`,
    );
    const spec: ModelSpec = { module: file, freeze: 'none', sha256: '' };
    const before = tf.memory().numTensors;
    const one = await trained(spec, { threads: 1 });
    const two = await trained(spec, { threads: 2 });
    expect(two).toEqual(one);
    // The moving statistics did move (the state is not just carried along unchanged).
    const fresh = await createModel(spec, { ...SHAPE, seed: 4 });
    const start = fresh.state!.map((v) => Array.from(v.dataSync()));
    fresh.dispose();
    expect(one.weights.slice(-start.length)).not.toEqual(start);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('trains a model not made by createModel on this thread alone, with the same results', async () => {
    const set = quadrantSet(40, 3);
    const run = async (threads: number) => {
      const model: Model = buildModel('mlp', { ...SHAPE, seed: 2 });
      const result = await trainModel(model, set, { loss: { kind: 'bce' }, epochs: 1, batchSize: 16, learningRate: 0.01, seed: 1, threads });
      expect(result.threads).toBe(1);
      const w = model.variables.map((v) => Array.from(v.dataSync()));
      model.dispose();
      return w;
    };
    expect(await run(2)).toEqual(await run(1));
  });

  it('fails with the training thread’s own error, leaks nothing, and the next run starts afresh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skewbench-threads-'));
    const file = join(dir, 'main-only.mjs');
    writeFileSync(
      file,
      `import { isMainThread } from 'node:worker_threads';
export function build({ height, width, channels, labels, tf }) {
  if (!isMainThread) throw new Error('no model in a thread');
  return tf.sequential({ layers: [tf.layers.flatten({ inputShape: [height, width, channels] }), tf.layers.dense({ units: labels })] });
}\n`,
    );
    const before = tf.memory().numTensors;
    await expect(trained({ module: file, freeze: 'none', sha256: '' }, { threads: 2 })).rejects.toThrow(/no model in a thread/);
    expect(tf.memory().numTensors).toBe(before);
    expect((await trained('cnn', { threads: 2 })).losses).toHaveLength(2);
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('refuses a thread or micro-batch count that is not a positive integer', async () => {
    const model = buildModel('mlp', { ...SHAPE, seed: 2 });
    const base = { loss: { kind: 'bce' } as const, epochs: 1, batchSize: 16, learningRate: 0.01, seed: 1 };
    await expect(trainModel(model, quadrantSet(20, 1), { ...base, threads: 0 })).rejects.toThrow(/threads must be a positive integer/);
    await expect(trainModel(model, quadrantSet(20, 1), { ...base, microBatches: 1.5 })).rejects.toThrow(/microBatches must be a positive integer/);
    model.dispose();
  });
});
