import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairedDifference, summarizeSeeds, welchInterval } from '../../src/eval/seed-stats.js';
import { studentTCdf, studentTQuantile } from '../../src/eval/student-t.js';

const sampleArb = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 2, maxLength: 12 });
const levelArb = fc.double({ min: 0.5, max: 0.999, noNaN: true });

describe('seed statistics invariants', () => {
  it('with a range, the interval is the t-interval cut to that range (and unchanged inside it)', () => {
    const unit = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 8 });
    fc.assert(
      fc.property(unit, levelArb, (values, level) => {
        const t = summarizeSeeds(values, level).ci!;
        const cut = summarizeSeeds(values, level, { low: 0, high: 1 }).ci!;
        expect(cut.low).toBe(Math.min(1, Math.max(0, t.low)));
        expect(cut.high).toBe(Math.max(cut.low, Math.min(1, t.high)));
        expect(cut.low).toBeGreaterThanOrEqual(0);
        expect(cut.high).toBeLessThanOrEqual(1);
      }),
    );
    // Two far-apart F1 values: the t-interval with 1 degree of freedom reaches far outside [0, 1].
    expect(summarizeSeeds([0.1, 0.9]).ci!.low).toBeLessThan(-3);
    expect(summarizeSeeds([0.1, 0.9], 0.95, { low: 0, high: 1 }).ci).toEqual({ low: 0, high: 1 });
  });

  it('a paired difference of a ranged metric stays within ± the range width, and keeps its significance', () => {
    const unit = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 8 });
    fc.assert(
      fc.property(unit, unit, (a, b) => {
        const n = Math.min(a.length, b.length);
        const m = new Map(a.slice(0, n).map((v, i) => [i, v]));
        const base = new Map(b.slice(0, n).map((v, i) => [i, v]));
        const plain = pairedDifference(m, base);
        const cut = pairedDifference(m, base, 0.95, { low: 0, high: 1 });
        expect(cut.ci!.low).toBeGreaterThanOrEqual(-1);
        expect(cut.ci!.high).toBeLessThanOrEqual(1);
        expect(cut.significant).toBe(plain.significant);
        expect(cut.mean).toBe(plain.mean);
      }),
    );
  });

  it('the interval is centred on the mean and contains it', () => {
    fc.assert(
      fc.property(sampleArb, levelArb, (values, level) => {
        const s = summarizeSeeds(values, level);
        expect(s.ci!.low).toBeLessThanOrEqual(s.mean!);
        expect(s.ci!.high).toBeGreaterThanOrEqual(s.mean!);
        expect(s.mean! - s.ci!.low).toBeCloseTo(s.ci!.high - s.mean!, 12);
      }),
    );
  });

  it('widens with the level', () => {
    fc.assert(
      fc.property(sampleArb, levelArb, levelArb, (values, a, b) => {
        const [lo, hi] = a < b ? [a, b] : [b, a];
        const width = (level: number) => {
          const { ci } = summarizeSeeds(values, level);
          return ci!.high - ci!.low;
        };
        expect(width(lo)).toBeLessThanOrEqual(width(hi) + 1e-15);
      }),
    );
  });

  it('shifting every value shifts the mean and the interval, not the spread', () => {
    fc.assert(
      fc.property(sampleArb, fc.double({ min: -10, max: 10, noNaN: true }), (values, c) => {
        const a = summarizeSeeds(values);
        const b = summarizeSeeds(values.map((v) => v + c));
        expect(b.mean!).toBeCloseTo(a.mean! + c, 12);
        expect(b.sd!).toBeCloseTo(a.sd!, 12);
        expect(b.ci!.low).toBeCloseTo(a.ci!.low + c, 12);
      }),
    );
  });

  it('a paired difference changes sign when method and baseline swap; a method against itself is 0', () => {
    fc.assert(
      fc.property(sampleArb, sampleArb, (x, y) => {
        const n = Math.min(x.length, y.length);
        const m = new Map(x.slice(0, n).map((v, i) => [i * 3 + 1, v]));
        const b = new Map(y.slice(0, n).map((v, i) => [i * 3 + 1, v]));
        const d = pairedDifference(m, b);
        const r = pairedDifference(b, m);
        expect(r.mean!).toBeCloseTo(-d.mean!, 14);
        expect(r.ci!.low).toBeCloseTo(-d.ci!.high, 12);
        expect(r.significant).toBe(d.significant);
        expect(d.significant).toBe(d.ci!.low > 0 || d.ci!.high < 0);
        expect(pairedDifference(m, m)).toMatchObject({ mean: 0, sd: 0, significant: false });
      }),
    );
  });

  it("Welch's interval contains the difference of means and is antisymmetric", () => {
    fc.assert(
      fc.property(sampleArb, sampleArb, (a, b) => {
        const w = welchInterval(a, b);
        const r = welchInterval(b, a);
        expect(w.ci!.low).toBeLessThanOrEqual(w.diff!);
        expect(w.ci!.high).toBeGreaterThanOrEqual(w.diff!);
        expect(r.diff!).toBeCloseTo(-w.diff!, 14);
        if (w.df !== null) {
          // Satterthwaite df lies between the smaller sample's n − 1 and n_a + n_b − 2
          expect(w.df).toBeGreaterThanOrEqual(Math.min(a.length, b.length) - 1 - 1e-9);
          expect(w.df).toBeLessThanOrEqual(a.length + b.length - 2 + 1e-9);
        }
      }),
    );
  });

  it('the t quantile inverts the CDF, grows with p and shrinks with df', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.double({ min: 0.5, max: 200, noNaN: true }), (p, df) => {
        const t = studentTQuantile(p, df);
        expect(studentTCdf(t, df)).toBeCloseTo(p, 12);
        expect(studentTQuantile(Math.min(p + 1e-4, 0.9995), df)).toBeGreaterThan(t);
        if (p > 0.5) expect(studentTQuantile(p, df + 1)).toBeLessThan(t);
      }),
    );
  });
});
