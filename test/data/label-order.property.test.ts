import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDataset } from '../../src/data/build.js';
import { parseSkew, rankOrder, rankUnitName } from '../../src/data/skew.js';
import { InputError } from '../../src/errors.js';
import { createRng } from '../../src/labels/rng.js';

const SHAPES = { name: 'shapes', options: { nMax: 30, testPerLabel: 4 } };

describe('label identity across seeds', () => {
  it('with the fixed order (default) a label gets the same training count in every seed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 1e6 }), async (a, b) => {
        const [x, y] = await Promise.all([a, b].map((seed) => buildDataset(SHAPES, parseSkew('exponential:10'), seed)));
        expect(Array.from(x.train.labels.counts())).toEqual(Array.from(y.train.labels.counts()));
        expect(x.targets).toEqual(y.targets);
        expect(x.ranks).toEqual(y.ranks);
        // The documented fixed order: the dataset's class order, first class most frequent.
        expect(x.ranks).toEqual(Array.from({ length: 10 }, (_, i) => i));
        expect(x.rankUnits).toBe(false);
      }),
      { numRuns: 8 },
    );
  });

  it('per-seed draws a permutation per seed (and marks the rank as the unit); an explicit list is followed', async () => {
    const perSeed = await Promise.all([1, 2, 3].map((seed) => buildDataset({ ...SHAPES, options: { ...SHAPES.options, order: 'per-seed' } }, parseSkew('exponential:10'), seed)));
    expect(perSeed.every((d) => d.rankUnits)).toBe(true);
    expect(new Set(perSeed.map((d) => d.ranks.join())).size).toBeGreaterThan(1);
    const names = ['frame', 'hexagon', 'star', 'diamond', 'bars', 'ring', 'cross', 'triangle', 'square', 'circle'];
    const listed = await buildDataset({ ...SHAPES, options: { ...SHAPES.options, order: names } }, parseSkew('exponential:10'), 5);
    expect(listed.ranks.map((l) => listed.labels[l])).toEqual(names);
    expect(listed.targets[listed.labels.indexOf('frame')]).toBe(30);
    expect(listed.targets[listed.labels.indexOf('circle')]).toBe(3);
  });

  it('an explicit list must name every label once', () => {
    const labels = ['a', 'b', 'c'];
    const rng = createRng(1);
    expect(rankOrder(['c', 'a', 'b'], labels, rng, 'd')).toEqual([2, 0, 1]);
    expect(() => rankOrder(['c', 'a'], labels, rng, 'd')).toThrow(/lists 2 of 3 labels; missing b/);
    expect(() => rankOrder(['c', 'a', 'a'], labels, rng, 'd')).toThrow(/listed twice/);
    expect(() => rankOrder(['c', 'a', 'z'], labels, rng, 'd')).toThrow(InputError);
    expect(rankUnitName(3, 10)).toBe('rank 3');
    expect(rankUnitName(3, 20)).toBe('rank 03');
  });
});
