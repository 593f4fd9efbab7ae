import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/train/backend.js';
import { EarlyStopping } from '../../src/train/early-stopping.js';

describe('EarlyStopping', () => {
  it('stops after `patience` epochs without an improvement of more than minDelta (a loss: lower is better)', async () => {
    await selectBackend('cpu');
    const s = new EarlyStopping([], { mode: 'min', patience: 2, minDelta: 0.01, restoreBest: false });
    expect(s.observe(1.0, 1)).toBeUndefined();
    expect(s.observe(0.8, 2)).toBeUndefined(); // better
    expect(s.observe(0.795, 3)).toBeUndefined(); // within minDelta: not better, waited 1
    expect(s.observe(0.7, 4)).toBeUndefined(); // better: the wait starts again
    expect(s.observe(0.71, 5)).toBeUndefined();
    expect(s.observe(Number.NaN, 6)).toBe('stop'); // NaN never improves
    expect(s.bestEpochSoFar).toBe(4);
    s.dispose();
  });

  it('a metric to maximise (macro-F1) improves upward', async () => {
    await selectBackend('cpu');
    const s = new EarlyStopping([], { mode: 'max', patience: 1, minDelta: 0, restoreBest: false });
    expect(s.observe(0.2, 1)).toBeUndefined();
    expect(s.observe(0.3, 2)).toBeUndefined();
    expect(s.observe(0.3, 3)).toBe('stop');
  });

  it('puts back the best epoch’s weights and frees its copy', async () => {
    await selectBackend('cpu');
    const w = tf.variable(tf.tensor1d([1, 2]));
    const before = tf.memory().numTensors;
    const s = new EarlyStopping([w], { mode: 'min', patience: 3, minDelta: 0, restoreBest: true });
    s.observe(0.5, 1);
    tf.tidy(() => w.assign(tf.tensor1d([3, 4])));
    s.observe(0.4, 2); // best: [3, 4]
    tf.tidy(() => w.assign(tf.tensor1d([5, 6])));
    s.observe(0.9, 3);
    expect(s.restoreBest()).toBe(2);
    expect(Array.from(w.dataSync())).toEqual([3, 4]);
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });
});
