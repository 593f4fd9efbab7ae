import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bhAdjust, holmAdjust } from '../../src/eval/multiplicity.js';

describe('holmAdjust', () => {
  it('matches hand-computed cases', () => {
    // sorted 0.005, 0.01, 0.03, 0.04 → 4·0.005, 3·0.01, 2·0.03, max(0.06, 1·0.04)
    const adj = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(adj[i]).toBeCloseTo(v, 15));
    expect(holmAdjust([0.5, 0.2])).toEqual([0.5, 0.4]);
    // Capped at 1 and kept monotone: 3·0.3 = 0.9, 2·0.4 = 0.8 → 0.9, 0.9 → 0.9.
    holmAdjust([0.3, 0.4, 0.9]).forEach((v) => expect(v).toBeCloseTo(0.9, 15));
    expect(holmAdjust([0.6, 0.7])).toEqual([1, 1]);
    expect(holmAdjust([0.02])).toEqual([0.02]);
    expect(holmAdjust([])).toEqual([]);
    expect(() => holmAdjust([0.1, 1.5])).toThrow(RangeError);
  });

  it('equals the step-down definition: max over the smaller ones of min(1, (m − j + 1) p₍ⱼ₎)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }), (p) => {
        const adj = holmAdjust(p);
        const order = Array.from(p.keys()).sort((a, b) => p[a] - p[b] || a - b);
        const m = p.length;
        order.forEach((index, k) => {
          let want = 0;
          for (let j = 0; j <= k; j++) want = Math.max(want, Math.min(1, (m - j) * p[order[j]]));
          expect(adj[index]).toBe(want);
          expect(adj[index]).toBeGreaterThanOrEqual(p[index]);
          expect(adj[index]).toBeLessThanOrEqual(Math.min(1, m * p[index]));
        });
      }),
    );
  });

  it('rejects no more than Bonferroni at the first step and never fewer than it overall', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }), fc.double({ min: 0.001, max: 0.2, noNaN: true }), (p, alpha) => {
        const holm = holmAdjust(p).filter((v) => v <= alpha).length;
        const bonferroni = p.filter((v) => Math.min(1, v * p.length) <= alpha).length;
        expect(holm).toBeGreaterThanOrEqual(bonferroni);
      }),
    );
  });
});

describe('bhAdjust', () => {
  it('matches a hand-computed case', () => {
    // m/j·p: 0.02, 0.02, 0.04, 0.04 (sorted), then the running minimum from the largest.
    const q = bhAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.02, 0.04, 0.04, 0.02].forEach((v, i) => expect(q[i]).toBeCloseTo(v, 15));
    expect(bhAdjust([0.5, 0.9])).toEqual([0.9, 0.9]);
  });

  it('q-values lie between p and Holm, and keep the order of p', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }), (p) => {
        const q = bhAdjust(p);
        const holm = holmAdjust(p);
        p.forEach((v, i) => {
          expect(q[i]).toBeGreaterThanOrEqual(v - 1e-15);
          expect(q[i]).toBeLessThanOrEqual(holm[i] + 1e-12);
          p.forEach((w, j) => {
            if (v < w) expect(q[i]).toBeLessThanOrEqual(q[j]);
          });
        });
      }),
    );
  });
});
