import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/train/backend.js';
import type { LossSpec } from '../../src/train/losses.js';
import { buildModel, resetHead, type ModelKind } from '../../src/train/models.js';
import { predict } from '../../src/train/predict.js';
import { checkBatchLoss, checkEpochLoss, DIVERGENCE, trainModel, type EpochInfo } from '../../src/train/train.js';
import { quadrantSet } from './helpers.js';

const SPECS: LossSpec[] = [
  { kind: 'bce' },
  { kind: 'weighted-bce', weights: { pos: [2, 1, 1, 3], neg: [1, 1, 0.5, 1] } },
  { kind: 'focal' },
  { kind: 'asymmetric' },
  { kind: 'distribution-balanced', prior: { counts: [40, 30, 20, 5], images: 100 } },
];

describe('training on wasm', () => {
  for (const kind of ['mlp', 'cnn'] as const) {
    it(`${kind} learns the quadrant labels`, async () => {
      await selectBackend('wasm');
      const set = quadrantSet(192, 1);
      const model = buildModel(kind, { height: 8, width: 8, channels: 1, labels: 4, seed: 7 });
      const epochs: EpochInfo[] = [];
      const result = await trainModel(model, set, {
        loss: { kind: 'bce' },
        epochs: kind === 'mlp' ? 12 : 8,
        batchSize: 32,
        learningRate: 0.01,
        seed: 3,
        onEpoch: (info) => void epochs.push(info),
      });
      const test = quadrantSet(64, 2);
      const scores = predict(model, test, 24);
      model.dispose();

      expect(result.epochs).toBe(epochs.length);
      expect(result.steps).toBe(result.epochs * 6);
      expect(epochs.map((e) => e.epoch)).toEqual(Array.from({ length: result.epochs }, (_, i) => i + 1));
      expect(result.lossHistory).toEqual(epochs.map((e) => e.loss));
      expect(result.finalLoss).toBe(result.lossHistory[result.lossHistory.length - 1]);
      expect(result.finalLoss).toBeLessThan(result.lossHistory[0] * 0.5);
      expect(result.imagesPerSecond).toBeCloseTo((192 * result.epochs) / result.seconds, 6);

      // sigmoid scores that separate the held-out images' labels
      expect(scores).toHaveLength(64 * 4);
      expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
      let correct = 0;
      for (let i = 0; i < 64; i++) for (let l = 0; l < 4; l++) if (scores[i * 4 + l] > 0.5 === test.labels.has(i, l)) correct++;
      expect(correct / 256).toBeGreaterThan(0.9);
    });
  }
});

describe('no tensor leaks', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const kind of ['mlp', 'cnn'] as const) {
      it(`${backend} ${kind}: tf.memory().numTensors after train + predict equals the count before`, async () => {
        await selectBackend(backend);
        const model = buildModel(kind, { height: 8, width: 8, channels: 1, labels: 4, seed: 7 });
        const before = tf.memory().numTensors;
        // every loss on wasm; the cpu backend's convolution gradients are slow, so one step of two there
        for (const loss of backend === 'cpu' ? [SPECS[0], SPECS[3]] : SPECS) {
          await trainModel(model, quadrantSet(40, 1), { loss, steps: backend === 'cpu' ? 1 : 3, batchSize: 16, learningRate: 0.01, seed: 3 });
          predict(model, quadrantSet(10, 2), 4);
        }
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
        expect(tf.memory().numTensors).toBe(before - model.variables.length);
      });
    }
  }
});

describe('training loop', () => {
  async function run(kind: ModelKind, seed: number, options: { steps?: number; epochs?: number; loss?: LossSpec } = {}) {
    const model = buildModel(kind, { height: 8, width: 8, channels: 1, labels: 4, seed: 11 });
    const result = await trainModel(model, quadrantSet(100, 5), {
      loss: options.loss ?? { kind: 'bce' },
      epochs: options.steps === undefined ? (options.epochs ?? 2) : undefined,
      steps: options.steps,
      batchSize: 16,
      learningRate: 0.003,
      seed,
    });
    const weights = model.variables.map((v) => Array.from(v.dataSync()));
    model.dispose();
    return { result, weights };
  }

  it('is reproducible: same seeds ⇒ same losses and weights; another batch-order seed ⇒ different', async () => {
    await selectBackend('wasm');
    for (const kind of ['mlp', 'cnn'] as const) {
      const a = await run(kind, 1);
      const b = await run(kind, 1);
      const c = await run(kind, 2);
      expect(a.result.lossHistory).toEqual(b.result.lossHistory);
      expect(a.weights).toEqual(b.weights);
      expect(c.result.lossHistory).not.toEqual(a.result.lossHistory);
    }
  });

  it('trains every loss kind', async () => {
    await selectBackend('wasm');
    for (const loss of SPECS) {
      const { result } = await run('mlp', 1, { epochs: 3, loss });
      expect(result.lossHistory.every(Number.isFinite)).toBe(true);
      expect(result.finalLoss).toBeLessThan(result.lossHistory[0]);
    }
  });

  it('honours a budget in optimiser steps, stopping part-way through an epoch', async () => {
    await selectBackend('wasm');
    const { result } = await run('mlp', 1, { steps: 9 });
    // 100 images in batches of 16 = 7 steps per epoch: 9 steps end in epoch 2
    expect(result.steps).toBe(9);
    expect(result.epochs).toBe(2);
  });

  it('stops a diverging run with an error naming the epoch', async () => {
    await selectBackend('wasm');
    const model = buildModel('mlp', { height: 8, width: 8, channels: 1, labels: 4, seed: 11 });
    const before = tf.memory().numTensors;
    // Steps of 1e30 overflow the logits to ±∞ in the first update; the next loss is NaN.
    await expect(
      trainModel(model, quadrantSet(64, 5), { loss: { kind: 'bce' }, epochs: 3, batchSize: 64, learningRate: 1e30, seed: 1 }),
    ).rejects.toThrow(/loss became (NaN|Infinity) in epoch 2 \(step 2\)/);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('deferred re-weighting: steps before fromStep train with the plain loss, the rest with the weighted one', async () => {
    await selectBackend('wasm');
    const set = quadrantSet(64, 2);
    const weighted: LossSpec = { kind: 'weighted-bce', weights: { pos: [4, 1, 1, 6], neg: [1, 1, 0.5, 1] } };
    const plain: LossSpec = { kind: 'weighted-bce', weights: { pos: [1, 1, 1, 1], neg: [1, 1, 1, 1] } };
    const scoresAfter = async (options: { loss: LossSpec; deferred?: { fromStep: number; before: LossSpec } }) => {
      const model = buildModel('mlp', { height: 8, width: 8, channels: 1, labels: 4, seed: 5 });
      await trainModel(model, set, { ...options, steps: 8, batchSize: 16, learningRate: 0.01, seed: 4 });
      const scores = Array.from(predict(model, set));
      model.dispose();
      return scores;
    };
    const allWeighted = await scoresAfter({ loss: weighted });
    const allPlain = await scoresAfter({ loss: plain });
    // From step 0 it is the weighted loss throughout; from past the budget, the plain loss throughout.
    expect(await scoresAfter({ loss: weighted, deferred: { fromStep: 0, before: plain } })).toEqual(allWeighted);
    expect(await scoresAfter({ loss: weighted, deferred: { fromStep: 8, before: plain } })).toEqual(allPlain);
    const switched = await scoresAfter({ loss: weighted, deferred: { fromStep: 6, before: plain } });
    expect(switched).not.toEqual(allWeighted);
    expect(switched).not.toEqual(allPlain);
  });

  it('online resampling: each epoch draws from the given probabilities, seeded; same budget in steps', async () => {
    await selectBackend('wasm');
    const set = quadrantSet(48, 6);
    const run = async (sampling?: Float64Array, seed = 4) => {
      const model = buildModel('mlp', { height: 8, width: 8, channels: 1, labels: 4, seed: 5 });
      const result = await trainModel(model, set, { loss: { kind: 'bce' }, steps: 7, batchSize: 16, learningRate: 0.01, seed, ...(sampling ? { sampling } : {}) });
      const scores = Array.from(predict(model, set));
      model.dispose();
      return { result, scores };
    };
    // All the mass on the first 4 images: training sees only them, so their scores move apart from a permutation's.
    const few = new Float64Array(48);
    few.fill(0.25, 0, 4);
    const sampled = await run(few);
    expect(sampled.result.steps).toBe(7);
    expect((await run(few)).scores).toEqual(sampled.scores);
    expect((await run()).scores).not.toEqual(sampled.scores);
    expect((await run(few, 9)).scores).not.toEqual(sampled.scores);
    await expect(run(new Float64Array(3).fill(1 / 3))).rejects.toThrow('sampling has 3 probabilities for 48 images');
  });

  it('online augmentation: every batch goes through transformBatch with its set indices and epoch', async () => {
    await selectBackend('wasm');
    const set = quadrantSet(40, 8);
    const calls: Array<{ rows: number[]; epoch: number }> = [];
    const run = async (transformBatch?: (images: Uint8Array, rows: Uint32Array, epoch: number) => Uint8Array) => {
      const model = buildModel('mlp', { height: 8, width: 8, channels: 1, labels: 4, seed: 5 });
      await trainModel(model, set, { loss: { kind: 'bce' }, epochs: 2, batchSize: 16, learningRate: 0.01, seed: 4, ...(transformBatch ? { transformBatch } : {}) });
      const scores = Array.from(predict(model, set));
      model.dispose();
      return scores;
    };
    const plain = await run();
    const identity = await run((images, rows, epoch) => {
      calls.push({ rows: Array.from(rows), epoch });
      // The bytes handed over are those of the rows named, in batch order.
      rows.forEach((r, k) => expect(images.subarray(k * 64, (k + 1) * 64)).toEqual(set.images.subarray(r * 64, (r + 1) * 64)));
      return images;
    });
    expect(identity).toEqual(plain);
    // 40 images in batches of 16: 3 batches per epoch, 2 epochs; each epoch sees every image once.
    expect(calls.map((c) => c.epoch)).toEqual([1, 1, 1, 2, 2, 2]);
    for (const epoch of [1, 2]) expect(calls.filter((c) => c.epoch === epoch).flatMap((c) => c.rows).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(await run((images) => images.map((v) => 255 - v))).not.toEqual(plain);
  });

  it('classifier re-training: resetHead redraws only the head, and training the head alone leaves the representation as it was', async () => {
    await selectBackend('wasm');
    const set = quadrantSet(48, 3);
    for (const kind of ['mlp', 'cnn'] as const) {
      const model = buildModel(kind, { height: 8, width: 8, channels: 1, labels: 4, seed: 5 });
      await trainModel(model, set, { loss: { kind: 'bce' }, steps: 4, batchSize: 16, learningRate: 0.01, seed: 1 });
      const values = () => model.variables.map((v) => Array.from(v.dataSync()));
      const trained = values();
      const body = model.variables.length - 2;
      expect(model.head).toEqual(model.variables.slice(body));
      expect(model.head[0].shape).toEqual([kind === 'mlp' ? 128 : 64, 4]);
      const beforeReset = tf.memory().numTensors;
      resetHead(model, 9);
      expect(tf.memory().numTensors).toBe(beforeReset);
      const reset = values();
      expect(reset.slice(0, body)).toEqual(trained.slice(0, body));
      expect(reset[body]).not.toEqual(trained[body]);
      expect(reset[body + 1].every((b) => b === 0)).toBe(true);
      const before = tf.memory().numTensors;
      await trainModel(model, set, { loss: { kind: 'bce' }, steps: 3, batchSize: 16, learningRate: 0.01, seed: 2, trainable: model.head });
      expect(tf.memory().numTensors).toBe(before);
      const retrained = values();
      expect(retrained.slice(0, body)).toEqual(trained.slice(0, body));
      expect(retrained[body]).not.toEqual(reset[body]);
      const other = buildModel(kind, { height: 8, width: 8, channels: 1, labels: 4, seed: 6 });
      await expect(trainModel(model, set, { loss: { kind: 'bce' }, steps: 1, batchSize: 16, learningRate: 0.01, seed: 2, trainable: other.head })).rejects.toThrow(/every variable must be one of the model/);
      other.dispose();
      model.dispose();
    }
  });

  it('the divergence rule: a batch loss above 1e6 or not finite, an epoch mean above 100× the first epoch', () => {
    expect(DIVERGENCE).toEqual({ absolute: 1e6, relative: 100 });
    expect(() => checkBatchLoss('bce', 1e6, 1, 3)).not.toThrow();
    expect(() => checkBatchLoss('bce', 1.5e6, 2, 9)).toThrow('training diverged: the bce loss became 1500000, above the bound of 1000000 in epoch 2 (step 9)');
    expect(() => checkBatchLoss('focal', Number.POSITIVE_INFINITY, 1, 1)).toThrow(/focal loss became Infinity in epoch 1 \(step 1\)$/);
    expect(() => checkBatchLoss('bce', Number.NaN, 1, 1)).toThrow(/loss became NaN/);
    // Relative to the first epoch's mean; the first epoch itself has nothing to compare with.
    expect(() => checkEpochLoss('bce', 1e5, undefined, 1, 7)).not.toThrow();
    expect(() => checkEpochLoss('bce', 69, 0.69, 3, 21)).not.toThrow();
    expect(() => checkEpochLoss('bce', 69.1, 0.69, 3, 21)).toThrow("training diverged: the bce mean loss of epoch 3 (through step 21) is 69.1, more than 100× the first epoch's 0.69");
  });

  it('rejects inconsistent sets and budgets with a message naming the problem', async () => {
    await selectBackend('wasm');
    const model = buildModel('mlp', { height: 8, width: 8, channels: 1, labels: 4, seed: 11 });
    const set = quadrantSet(10, 1);
    const options = { loss: { kind: 'bce' as const }, epochs: 1, batchSize: 4, learningRate: 0.01, seed: 1 };
    await expect(trainModel(model, { ...set, width: 4, height: 16 }, options)).rejects.toThrow(/images are 16×4×1 but the mlp model was built for 8×8×1/);
    await expect(trainModel(model, { ...set, labels: set.labels.select([0, 1]) }, options)).rejects.toThrow(/10 images but 2 label rows/);
    await expect(trainModel(model, { ...set, images: set.images.subarray(1) }, options)).rejects.toThrow(/not a multiple of 8×8×1/);
    await expect(trainModel(model, set, { ...options, epochs: undefined })).rejects.toThrow(/epochs or steps/);
    await expect(trainModel(model, set, { ...options, steps: 3 })).rejects.toThrow(/not both/);
    await expect(trainModel(model, set, { ...options, batchSize: 0 })).rejects.toThrow(/batchSize must be a positive integer/);
    await expect(trainModel(model, set, { ...options, learningRate: -1 })).rejects.toThrow(/learning rate must be a positive number/);
    expect(() => predict(model, { ...set, channels: 3, images: new Uint8Array(10 * 8 * 8 * 3) })).toThrow(/built for 8×8×1/);
    model.dispose();
  });
});
