import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Adam } from '../../src/train/adam.js';
import { selectBackend } from '../../src/train/backend.js';

describe('Adam with decoupled weight decay (AdamW)', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`matches PyTorch’s AdamW step for step (${backend})`, async () => {
      await selectBackend(backend);
      const w = tf.variable(tf.tensor1d([1, -2, 0.5]));
      const adam = new Adam([w], { learningRate: 0.1, weightDecay: 0.5 });
      for (const g of [[0.3, -0.1, 0], [0.2, 0.4, -0.5]]) {
        const grad = tf.tensor1d(g);
        adam.apply([grad]);
        grad.dispose();
      }
      // torch.optim.AdamW([w], lr=0.1, weight_decay=0.5, eps=1e-8), the same two gradients (PyTorch 1.13).
      const expected = [0.7104647755622864, -1.765950322151184, 0.5256636738777161];
      const got = w.dataSync();
      expected.forEach((e, i) => expect(got[i]).toBeCloseTo(e, 5));
      adam.dispose();
      w.dispose();
    });
  }

  it('decays with the step’s own learning rate; weight decay 0 is plain Adam', async () => {
    await selectBackend('wasm');
    const run = (weightDecay: number, lr?: number): Float32Array => {
      const w = tf.variable(tf.tensor1d([2, -4]));
      const adam = new Adam([w], { learningRate: 0.1, weightDecay });
      const g = tf.zeros([2]);
      adam.apply([g], lr);
      g.dispose();
      adam.dispose();
      const out = w.dataSync() as Float32Array;
      w.dispose();
      return out;
    };
    // A zero gradient moves nothing but the decay: w · (1 − lr · λ).
    expect(Array.from(run(0))).toEqual([2, -4]);
    expect(Array.from(run(0.5))).toEqual([Math.fround(2 * 0.95), Math.fround(-4 * 0.95)]);
    expect(Array.from(run(0.5, 0.01))).toEqual([Math.fround(2 * 0.995), Math.fround(-4 * 0.995)]);
    expect(() => new Adam([], { learningRate: 0.1, weightDecay: -1 })).toThrow(/weight decay/);
  });
});
