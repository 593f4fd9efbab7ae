import { describe, expect, it } from 'vitest';
import { pairedDifference, summarizeSeeds, welchInterval } from '../../src/eval/seed-stats.js';

// Expected values from scipy 1.10 (stats.t.interval, ttest_rel, the Welch–Satterthwaite formula).
describe('summarizeSeeds', () => {
  it('gives mean, sample sd and the t interval', () => {
    const s = summarizeSeeds([0.61, 0.64, 0.58, 0.66, 0.63]);
    expect(s.n).toBe(5);
    expect(s.mean).toBeCloseTo(0.624, 15);
    expect(s.sd).toBeCloseTo(0.03049590136395384, 15);
    expect(s.ci!.low).toBeCloseTo(0.5861343371836054, 13);
    expect(s.ci!.high).toBeCloseTo(0.6618656628163946, 13);
    expect(s.level).toBe(0.95);
  });
  it('widens at 99 %', () => {
    // mpmath at 30 digits: scipy's t.ppf(0.995, 4) is itself 1.4e-11 off here
    const s = summarizeSeeds([0.61, 0.64, 0.58, 0.66, 0.63], 0.99);
    expect(s.ci!.low).toBeCloseTo(0.561208517594368, 13);
    expect(s.ci!.high).toBeCloseTo(0.686791482405632, 13);
  });
  it('uses t(0.975, 1) = 12.706 for two seeds', () => {
    const s = summarizeSeeds([0.5, 0.7]);
    expect(s.sd).toBeCloseTo(Math.SQRT2 / 10, 15);
    // 0.6 ± 12.7062047361747 · 0.1
    expect(s.ci!.low).toBeCloseTo(-0.67062047361747, 12);
    expect(s.ci!.high).toBeCloseTo(1.87062047361747, 12);
  });
  it('has no spread or interval for one seed, and nothing for none', () => {
    expect(summarizeSeeds([0.42])).toEqual({ n: 1, mean: 0.42, sd: null, ci: null, level: 0.95 });
    expect(summarizeSeeds([])).toEqual({ n: 0, mean: null, sd: null, ci: null, level: 0.95 });
  });
  it('gives a zero-width interval when every seed agrees', () => {
    expect(summarizeSeeds([0.3, 0.3, 0.3])).toMatchObject({ mean: 0.3, sd: 0, ci: { low: 0.3, high: 0.3 } });
  });
  it('rejects NaN and bad levels', () => {
    expect(() => summarizeSeeds([0.1, NaN])).toThrow(/value 1 is NaN/);
    expect(() => summarizeSeeds([0.1, 0.2], 1)).toThrow(/level/);
  });
});

describe('pairedDifference', () => {
  const method = new Map([[1, 0.7], [2, 0.74], [3, 0.69], [4, 0.75], [7, 0.9]]);
  const baseline = new Map([[1, 0.66], [2, 0.71], [3, 0.68], [4, 0.7], [5, 0.5]]);

  it('pairs the seeds both ran (ignoring the rest) and matches the paired t-test', () => {
    const d = pairedDifference(method, baseline);
    expect(d.seeds).toEqual([1, 2, 3, 4]);
    expect(d.n).toBe(4);
    expect(d.mean).toBeCloseTo(0.0325, 14);
    expect(d.sd).toBeCloseTo(0.017078251276599378, 14);
    expect(d.ci!.low).toBeCloseTo(0.005324691162035006, 13);
    expect(d.ci!.high).toBeCloseTo(0.059675308837964944, 13);
    // scipy's ttest_rel gives p = 0.032 < 0.05, consistent with an interval excluding 0
    expect(d.significant).toBe(true);
  });
  it('is not significant when the interval straddles 0', () => {
    const d = pairedDifference(new Map([[1, 0.7], [2, 0.6], [3, 0.66]]), new Map([[1, 0.65], [2, 0.64], [3, 0.66]]));
    expect(d.ci!.low).toBeLessThan(0);
    expect(d.ci!.high).toBeGreaterThan(0);
    expect(d.significant).toBe(false);
  });
  it('is never significant with fewer than two pairs', () => {
    expect(pairedDifference(new Map([[1, 0.9]]), new Map([[1, 0.1]]))).toMatchObject({ n: 1, mean: 0.8, ci: null, significant: false });
    expect(pairedDifference(new Map([[1, 0.9]]), new Map([[2, 0.1]]))).toMatchObject({ n: 0, mean: null, seeds: [], significant: false });
  });
  it('treats a constant non-zero difference as significant (zero-width interval)', () => {
    const d = pairedDifference(new Map([[1, 0.75], [2, 0.5]]), new Map([[1, 0.5], [2, 0.25]]));
    expect(d).toMatchObject({ mean: 0.25, sd: 0, ci: { low: 0.25, high: 0.25 }, significant: true });
  });
});

describe('welchInterval', () => {
  it('matches the Welch–Satterthwaite interval', () => {
    const w = welchInterval([0.61, 0.64, 0.58, 0.66, 0.63], [0.55, 0.6, 0.52]);
    expect(w.diff).toBeCloseTo(0.06733333333333336, 14);
    expect(w.se).toBeCloseTo(0.027026735734165978, 14);
    expect(w.df).toBeCloseTo(3.401459312841484, 12);
    expect(w.ci!.low).toBeCloseTo(-0.013210560785877831, 12);
    expect(w.ci!.high).toBeCloseTo(0.14787722745254456, 12);
    // scipy's ttest_ind(equal_var=False) gives p = 0.078 > 0.05
    expect(w.significant).toBe(false);
  });
  it('has df = n − 1 of the varying sample when the other is constant', () => {
    const w = welchInterval([1, 2, 3, 4], [0, 0, 0]);
    expect(w.df).toBeCloseTo(3, 12);
  });
  it('has defined edge cases', () => {
    expect(welchInterval([], [1, 2])).toMatchObject({ diff: null, ci: null, significant: false });
    expect(welchInterval([0.5], [0.1, 0.2])).toMatchObject({ diff: 0.35, se: null, ci: null, significant: false });
    expect(welchInterval([0.5, 0.5], [0.25, 0.25])).toMatchObject({ diff: 0.25, se: 0, df: null, ci: { low: 0.25, high: 0.25 }, significant: true });
  });
});
