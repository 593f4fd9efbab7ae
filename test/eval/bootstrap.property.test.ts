import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bootstrapMeanInterval } from '../../src/eval/bootstrap.js';
import { minimumDetectableDrop, pairedDropTest } from '../../src/eval/seed-stats.js';
import { studentTCdf } from '../../src/eval/student-t.js';
import { createRng } from '../../src/labels/rng.js';

describe('bootstrapMeanInterval', () => {
  it('stays inside the range of the data (so inside [0, 1] for metrics, [−1, 1] for their differences) and contains the mean of constant data', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 2, maxLength: 12 }), fc.integer(), fc.double({ min: 0.5, max: 0.99, noNaN: true }), (d, seed, level) => {
        const ci = bootstrapMeanInterval(d, level, createRng(seed), 200)!;
        expect(ci.low).toBeGreaterThanOrEqual(Math.min(...d));
        expect(ci.high).toBeLessThanOrEqual(Math.max(...d));
        expect(ci.low).toBeLessThanOrEqual(ci.high);
        expect(ci.low).toBeGreaterThanOrEqual(-1);
        expect(ci.high).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('is seeded: the same rng seed gives the same interval; fewer than two values give none', () => {
    const d = [0.1, -0.2, 0.05, 0.3, -0.1];
    expect(bootstrapMeanInterval(d, 0.95, createRng(7))).toEqual(bootstrapMeanInterval(d, 0.95, createRng(7)));
    expect(bootstrapMeanInterval([0.4], 0.95, createRng(7))).toBeNull();
    expect(bootstrapMeanInterval([0.2, 0.2, 0.2], 0.95, createRng(1))).toEqual({ low: 0.2, high: 0.2 });
  });
});

describe('pairedDropTest', () => {
  it('is the one-sided paired t-test: p = T_{n−1}(mean / (sd/√n))', () => {
    // d = −0.1, −0.08, −0.12: mean −0.1, sd 0.02, t = −0.1 / (0.02/√3).
    const r = pairedDropTest([-0.1, -0.08, -0.12]);
    expect(r.mean).toBeCloseTo(-0.1, 14);
    expect(r.sd).toBeCloseTo(0.02, 14);
    expect(r.p).toBeCloseTo(studentTCdf(-0.1 / (0.02 / Math.sqrt(3)), 2), 14);
    expect(r.degenerate).toBeNull();
  });

  it('names its degenerate cases', () => {
    expect(pairedDropTest([0, 0, 0])).toMatchObject({ p: 1, degenerate: 'identical' });
    expect(pairedDropTest([-0.1, -0.1, -0.1, -0.1])).toMatchObject({ p: 0.5 ** 4, degenerate: 'constant' });
    expect(pairedDropTest([0.1, 0.1])).toMatchObject({ p: 1, degenerate: 'constant' });
    expect(pairedDropTest([-0.3])).toMatchObject({ p: 1, degenerate: 'too-few' });
  });

  it('a gain gives p > 0.5, a drop p < 0.5; p is in [0, 1]', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 2, maxLength: 12 }), (d) => {
        const r = pairedDropTest(d);
        expect(r.p).toBeGreaterThanOrEqual(0);
        expect(r.p).toBeLessThanOrEqual(1);
        if (r.degenerate === null) expect(r.mean! < 0).toBe(r.p < 0.5);
      }),
    );
  });

  it('minimum detectable drop shrinks as 1/√n and grows with sd', () => {
    expect(minimumDetectableDrop(0.1, 1, 0.05)).toBe(Infinity);
    expect(minimumDetectableDrop(0.1, 10, 0.05)).toBeLessThan(minimumDetectableDrop(0.1, 5, 0.05));
    expect(minimumDetectableDrop(0.2, 10, 0.05)).toBeCloseTo(2 * minimumDetectableDrop(0.1, 10, 0.05), 12);
  });
});
