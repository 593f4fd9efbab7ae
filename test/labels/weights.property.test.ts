import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classWeights, WEIGHT_SCHEMES } from '../../src/labels/weights.js';
import { labelStats } from '../../src/labels/stats.js';
import { skewedMatrix, matrixAndPermutation } from './arbitraries.js';

const MONOTONE = ['inverse-frequency', 'balanced-binary', 'pos-weight', 'effective-number', 'sqrt-inverse'] as const;
const options = fc.record(
  {
    normalize: fc.constantFrom('none' as const, 'mean' as const),
    clip: fc.double({ min: 0.01, max: 100, noNaN: true }),
    beta: fc.double({ min: 0, max: 0.9999, noNaN: true }),
  },
  { requiredKeys: [] },
);

describe('classWeights properties', () => {
  it('every weight is finite and positive or zero, for every scheme and input', () => {
    fc.assert(
      fc.property(skewedMatrix(), fc.constantFrom(...WEIGHT_SCHEMES), options, (m, scheme, o) => {
        const w = classWeights(m, scheme, o);
        for (const v of [...w.pos, ...w.neg]) {
          expect(Number.isFinite(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
        }
        if (o.clip !== undefined) for (const v of [...w.pos, ...w.neg]) expect(v).toBeLessThanOrEqual(o.clip);
      }),
    );
  });

  it('monotone schemes give a rarer label a positive-term weight ≥ a commoner one’s', () => {
    fc.assert(
      fc.property(skewedMatrix(), fc.constantFrom(...MONOTONE), options, (m, scheme, o) => {
        const w = classWeights(m, scheme, o);
        const counts = m.counts();
        for (let a = 0; a < counts.length; a++) {
          for (let b = 0; b < counts.length; b++) {
            if (counts[a] < counts[b]) expect(w.pos[a]).toBeGreaterThanOrEqual(w.pos[b] * (1 - 1e-12));
          }
        }
      }),
    );
  });

  it('inverse-frequency gives w · n = N / L for every label with images', () => {
    fc.assert(
      fc.property(skewedMatrix({ minRows: 1 }), (m) => {
        const w = classWeights(m, 'inverse-frequency');
        const counts = m.counts();
        counts.forEach((n, l) => {
          if (n > 0) expect(w.pos[l] * n).toBeCloseTo(m.rows / m.numLabels, 9);
        });
      }),
    );
  });

  it('permuting label columns permutes stats and weights', () => {
    fc.assert(
      fc.property(matrixAndPermutation(), fc.constantFrom(...WEIGHT_SCHEMES), ({ m, perm }, scheme) => {
        const p = m.permuteLabels(perm);
        const s = labelStats(m);
        const sp = labelStats(p);
        expect(sp.labels).toEqual(perm.map((k) => s.labels[k]));
        for (const key of ['images', 'cardinality', 'labelsets', 'maxIR'] as const) expect(sp[key]).toBe(s[key]);
        for (const key of ['meanIR', 'cvIR', 'scumble'] as const) expect(sp[key]).toBeCloseTo(s[key], 12);
        const w = classWeights(m, scheme);
        const wp = classWeights(p, scheme);
        perm.forEach((k, l) => {
          expect(wp.pos[l]).toBeCloseTo(w.pos[k], 12);
          expect(wp.neg[l]).toBeCloseTo(w.neg[k], 12);
        });
      }),
    );
  });
});
