import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { subsampleToTargets } from '../../src/data/subsample.js';
import { LabelMatrix } from '../../src/labels/matrix.js';
import { createRng } from '../../src/labels/rng.js';

const matrixAndTargets = fc
  .integer({ min: 1, max: 8 })
  .chain((L) =>
    fc.record({
      L: fc.constant(L),
      rows: fc.array(fc.uniqueArray(fc.integer({ min: 0, max: L - 1 }), { maxLength: L }), { maxLength: 150 }),
      targets: fc.array(fc.integer({ min: 0, max: 60 }), { minLength: L, maxLength: L }),
      seed: fc.integer(),
    }),
  );

describe('subsampleToTargets (properties)', () => {
  it('meets every target the pool can meet, reports exactly the others, and counts what it chose', () => {
    fc.assert(
      fc.property(matrixAndTargets, ({ L, rows, targets, seed }) => {
        const labels = LabelMatrix.fromRows(Array.from({ length: L }, (_, l) => `l${l}`), rows);
        const available = labels.counts();
        const sub = subsampleToTargets(labels, targets, createRng(seed));
        for (let k = 1; k < sub.indices.length; k++) expect(sub.indices[k]).toBeGreaterThan(sub.indices[k - 1]);
        expect(Array.from(sub.counts)).toEqual(Array.from(labels.select(sub.indices).counts()));
        for (let l = 0; l < L; l++) expect(sub.counts[l]).toBeGreaterThanOrEqual(Math.min(targets[l], available[l]));
        expect(sub.short.map((s) => s.label).sort()).toEqual(
          Array.from({ length: L }, (_, l) => l)
            .filter((l) => available[l] < targets[l])
            .sort(),
        );
      }),
    );
  });

  it('takes no image that carries only labels already at their target', () => {
    fc.assert(
      fc.property(matrixAndTargets, ({ L, rows, targets, seed }) => {
        const labels = LabelMatrix.fromRows(Array.from({ length: L }, (_, l) => `l${l}`), rows);
        const sub = subsampleToTargets(labels, targets, createRng(seed));
        // Each chosen image was taken for one of its labels while that label was below target;
        // so no chosen image can have all its labels at zero target, nor be empty.
        for (const i of sub.indices) {
          const own = labels.labelsOf(i);
          expect(own.length).toBeGreaterThan(0);
          expect(own.some((l) => targets[l] > 0)).toBe(true);
        }
      }),
    );
  });
});
