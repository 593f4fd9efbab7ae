import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/train/backend.js';
import { buildModel, type ModelKind } from '../../src/train/models.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

function weights(kind: ModelKind, seed: number): Float32Array[] {
  const model = buildModel(kind, { height: 12, width: 12, channels: 2, labels: 5, seed });
  const out = model.variables.map((v) => Float32Array.from(v.dataSync() as Float32Array));
  model.dispose();
  return out;
}

describe('reference models', () => {
  it('have the layer shapes of DESIGN.md', () => {
    const mlp = buildModel('mlp', { height: 28, width: 28, channels: 1, labels: 10, seed: 1 });
    expect(mlp.variables.map((v) => v.shape)).toEqual([[784, 256], [256], [256, 128], [128], [128, 10], [10]]);
    const cnn = buildModel('cnn', { height: 28, width: 28, channels: 1, labels: 10, seed: 1 });
    expect(cnn.variables.map((v) => v.shape)).toEqual([[3, 3, 1, 16], [16], [3, 3, 16, 32], [32], [7 * 7 * 32, 64], [64], [64, 10], [10]]);
    for (const model of [mlp, cnn]) {
      const logits = tf.tidy(() => model.logits(tf.zeros([3, 28, 28, 1])));
      expect(logits.shape).toEqual([3, 10]);
      logits.dispose();
      model.dispose();
    }
  });

  for (const kind of ['mlp', 'cnn'] as const) {
    it(`${kind}: the same seed gives the same initial weights, another seed different ones`, () => {
      const a = weights(kind, 42);
      const b = weights(kind, 42);
      const c = weights(kind, 43);
      expect(a).toEqual(b);
      expect(a[0]).not.toEqual(c[0]);
      // Glorot-uniform kernels: within ±√(6 / (fan_in + fan_out)), not all equal; biases start at 0
      const limit = kind === 'mlp' ? Math.sqrt(6 / (12 * 12 * 2 + 256)) : Math.sqrt(6 / (9 * 2 + 9 * 16));
      expect(Math.max(...a[0].map(Math.abs))).toBeLessThanOrEqual(limit);
      expect(new Set(a[0]).size).toBeGreaterThan(a[0].length / 2);
      expect(a[1].every((x) => x === 0)).toBe(true);
    });
  }

  it('rejects shapes it cannot build and a disposed model', () => {
    expect(() => buildModel('cnn', { height: 3, width: 3, channels: 1, labels: 2, seed: 0 })).toThrow(/at least 4×4/);
    expect(() => buildModel('mlp', { height: 0, width: 3, channels: 1, labels: 2, seed: 0 })).toThrow(/height must be a positive integer/);
    expect(() => buildModel('vgg' as ModelKind, { height: 8, width: 8, channels: 1, labels: 2, seed: 0 })).toThrow(/unknown model 'vgg' \(expected one of mlp, cnn, resnet\)/);
    const model = buildModel('mlp', { height: 4, width: 4, channels: 1, labels: 2, seed: 0 });
    model.dispose();
    expect(() => model.logits(tf.zeros([1, 4, 4, 1]))).toThrow(/disposed/);
  });
});
