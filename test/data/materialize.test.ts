import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../src/data/build.js';
import { datasetHash } from '../../src/data/hash.js';
import { materialize } from '../../src/data/materialize.js';
import { parseSkew } from '../../src/data/skew.js';
import type { ImageSet } from '../../src/data/types.js';
import { InputError } from '../../src/errors.js';
import { planOversampling } from '../../src/labels/oversample.js';

let train: ImageSet;
beforeAll(async () => {
  await tf.setBackend('cpu');
  train = (await buildDataset({ name: 'shapes', options: { nMax: 30, testPerLabel: 1 } }, parseSkew('exponential:10'), 11)).train;
});

const size = 28 * 28;
const image = (set: ImageSet, i: number) => set.images.subarray(i * size, (i + 1) * size);

describe('materialize', () => {
  it('keeps every original unchanged, appends augmented copies with their labels, in a seeded shuffle', () => {
    const n = train.labels.rows;
    const copies = Int32Array.from({ length: n }, (_, i) => i % 3);
    const extra = copies.reduce((a, b) => a + b, 0);
    const before = tf.memory().numTensors;
    const grown = materialize(train, { copies }, ['flip', 'zoom', 'brightness'], 5);
    expect(tf.memory().numTensors).toBe(before);
    expect(grown.labels.rows).toBe(n + extra);
    expect(grown.sources).toHaveLength(n + extra);
    const perSource = new Array(n).fill(0);
    let untouched = 0;
    let changed = 0;
    for (let r = 0; r < grown.labels.rows; r++) {
      const s = grown.sources![r];
      perSource[s]++;
      expect(grown.labels.labelsOf(r)).toEqual(train.labels.labelsOf(s));
      const same = image(grown, r).every((v, k) => v === image(train, s)[k]);
      if (same) untouched++;
      else changed++;
    }
    expect(perSource).toEqual(Array.from(copies, (c) => c + 1));
    // Every original is present untouched; (almost) every copy differs from its original.
    expect(untouched).toBeGreaterThanOrEqual(n);
    expect(changed).toBeGreaterThan(extra * 0.9);
    // Shuffled: the originals are not simply the first n rows in order.
    expect(Array.from(grown.sources!.subarray(0, n))).not.toEqual(Array.from({ length: n }, (_, i) => i));
    // The input set is not modified.
    expect(train.labels.rows).toBe(n);
  });

  it('is deterministic per seed and independent of the other copies', () => {
    const n = train.labels.rows;
    const one = Int32Array.from({ length: n }, (_, i) => (i === 2 ? 1 : 0));
    const more = Int32Array.from({ length: n }, (_, i) => (i === 2 ? 1 : 2));
    const a = materialize(train, { copies: one }, ['flip', 'zoom', 'brightness'], 5);
    const b = materialize(train, { copies: one }, ['flip', 'zoom', 'brightness'], 5);
    expect(datasetHash(a)).toBe(datasetHash(b));
    const c = materialize(train, { copies: more }, ['flip', 'zoom', 'brightness'], 5);
    const copyOf2 = (set: ImageSet) => {
      const rows = Array.from({ length: set.labels.rows }, (_, r) => r).filter((r) => set.sources![r] === 2);
      return rows.map((r) => Buffer.from(image(set, r)).toString('hex')).sort();
    };
    expect(copyOf2(c)).toEqual(copyOf2(a));
    expect(datasetHash(materialize(train, { copies: one }, ['flip', 'zoom', 'brightness'], 6))).not.toBe(datasetHash(a));
  });

  it('duplicates exactly when no augmentation is allowed', () => {
    const n = train.labels.rows;
    const grown = materialize(train, { copies: new Int32Array(n).fill(1) }, [], 1);
    for (let r = 0; r < grown.labels.rows; r++) expect(image(grown, r)).toEqual(image(train, grown.sources![r]));
  });

  it('realizes an oversampling plan: label counts after materializing are the plan\'s `after`', () => {
    const plan = planOversampling(train.labels, 'targeted', {}, 3);
    expect(plan.added).toBeGreaterThan(0);
    const before = tf.memory().numTensors;
    const grown = materialize(train, plan, ['flip', 'zoom', 'brightness'], 3);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(grown.labels.counts())).toEqual(Array.from(plan.after));
    expect(grown.labels.rows).toBe(plan.images + plan.added);
  });

  it('rejects a plan of the wrong length or with negative copies', () => {
    expect(() => materialize(train, { copies: [1, 2] }, [], 1)).toThrow(InputError);
    expect(() => materialize(train, { copies: new Int32Array(train.labels.rows).fill(-1) }, [], 1)).toThrow(/copies\[0\] must be a non-negative integer, got -1/);
  });
});
