import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabelMatrix } from '../../src/labels/matrix.js';
import { createRng } from '../../src/labels/rng.js';
import { selectBackend } from '../../src/train/backend.js';
import type { ImageSet } from '../../src/train/image-set.js';
import { buildModel, resetHead } from '../../src/train/models.js';
import { predict } from '../../src/train/predict.js';
import { trainModel } from '../../src/train/train.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** 16×16 RGB images; label l is present when quadrant l is bright in channel l mod 3. */
function colourQuadrants(n: number, seed: number): ImageSet {
  const rng = createRng(seed);
  const size = 16;
  const images = new Uint8Array(n * size * size * 3);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const labels: number[] = [];
    for (let p = 0; p < size * size * 3; p++) images[i * size * size * 3 + p] = rng.int(64);
    for (let q = 0; q < 4; q++) {
      if (rng.float() >= 0.4) continue;
      labels.push(q);
      for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) images[i * size * size * 3 + (((q >> 1) * 8 + r) * size + (q & 1) * 8 + c) * 3 + (q % 3)] = 160 + rng.int(96);
    }
    rows.push(labels);
  }
  return { images, height: size, width: size, channels: 3, labels: LabelMatrix.fromRows(['q0', 'q1', 'q2', 'q3'], rows) };
}

const count = (height: number, width: number, channels: number, labels: number): number => {
  const model = buildModel('resnet', { height, width, channels, labels, seed: 1 });
  const n = model.variables.reduce((sum, v) => sum + v.size, 0);
  model.dispose();
  return n;
};

describe('resnet', () => {
  it('has the layers and parameter count the README states', () => {
    const readme = readFileSync('README.md', 'utf8');
    const stated = /`resnet`[^\n]*?: ([\d,]+) parameters for 32×32×3 images and 10 labels/.exec(readme);
    expect(stated, 'README states the resnet parameter count').not.toBeNull();
    expect(Number(stated![1].replace(/,/g, ''))).toBe(count(32, 32, 3, 10));
    // the count does not depend on the image size (global average pooling), only on channels and labels
    expect(count(96, 64, 3, 10)).toBe(count(32, 32, 3, 10));
    const general = /\(([\d,]+) \+ 144 × \(C − 3\) \+ 65 × L in/.exec(readme);
    expect(general).not.toBeNull();
    for (const [c, l] of [[1, 4], [3, 20]]) expect(count(16, 16, c, l)).toBe(Number(general![1].replace(/,/g, '')) + 144 * (c - 3) + 65 * l);
    const model = buildModel('resnet', { height: 32, width: 32, channels: 3, labels: 10, seed: 1 });
    expect(model.variables.map((v) => v.shape)).toEqual([
      [3, 3, 3, 16], [16],
      [3, 3, 16, 16], [16], [3, 3, 16, 16], [16],
      [3, 3, 16, 32], [32], [3, 3, 32, 32], [32], [1, 1, 16, 32], [32],
      [3, 3, 32, 64], [64], [3, 3, 64, 64], [64], [1, 1, 32, 64], [64],
      [64, 10], [10],
    ]);
    model.dispose();
  });

  it('takes any image of at least 8×8, one or three channels', () => {
    for (const [h, w, c] of [[8, 8, 1], [9, 13, 3], [33, 8, 1]]) {
      const model = buildModel('resnet', { height: h, width: w, channels: c, labels: 3, seed: 1 });
      const logits = tf.tidy(() => model.logits(tf.zeros([2, h, w, c])));
      expect(logits.shape).toEqual([2, 3]);
      logits.dispose();
      model.dispose();
    }
  });

  it('the same seed gives the same initial weights, another seed different ones', () => {
    const weights = (seed: number) => {
      const model = buildModel('resnet', { height: 16, width: 16, channels: 3, labels: 4, seed });
      const out = model.variables.map((v) => Array.from(v.dataSync()));
      model.dispose();
      return out;
    };
    expect(weights(5)).toEqual(weights(5));
    expect(weights(5)[0]).not.toEqual(weights(6)[0]);
  });

  it('learns a small synthetic set: its loss falls, held-out labels are separated, and nothing leaks', async () => {
    const model = buildModel('resnet', { height: 16, width: 16, channels: 3, labels: 4, seed: 3 });
    const before = tf.memory().numTensors;
    const result = await trainModel(model, colourQuadrants(160, 1), { loss: { kind: 'bce' }, epochs: 8, batchSize: 32, learningRate: 0.005, seed: 2 });
    expect(result.finalLoss).toBeLessThan(result.lossHistory[0] * 0.6);
    const test = colourQuadrants(64, 2);
    const scores = predict(model, test, 32);
    let correct = 0;
    for (let i = 0; i < 64; i++) for (let l = 0; l < 4; l++) if (scores[i * 4 + l] > 0.5 === test.labels.has(i, l)) correct++;
    expect(correct / 256).toBeGreaterThan(0.8);
    resetHead(model, 1);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
