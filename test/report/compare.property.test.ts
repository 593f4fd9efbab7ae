import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareRuns } from '../../src/report/compare.js';
import { LABELS, run, side } from './compare-fixtures.js';

/** A run's metric table: method × label × seed → value in [0, 1], as a lookup. */
const tableArb = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2 * 4 * 6, maxLength: 2 * 4 * 6 });
const lookup = (values: number[]) => (m: string, l: string, s: number) => values[(m === 'baseline' ? 0 : 24) + LABELS.findIndex(([x]) => x === l) * 6 + (s - 1)];

describe('compareRuns invariants', () => {
  it('never passes a run that lacks baseline rows (a label, a method or a seed), unless --allow-missing', () => {
    fc.assert(
      fc.property(tableArb, tableArb, fc.integer({ min: 0, max: 47 }), (b, c, drop) => {
        const baseline = side('b.csv', run(lookup(b)));
        const rows = run(lookup(c));
        const current = side('c.csv', rows.filter((_, i) => i !== drop));
        const cmp = compareRuns(baseline, current, { resamples: 50 });
        expect(cmp.outcome).not.toBe('pass');
        expect(cmp.exitCode).not.toBe(0);
        expect(cmp.missing.length).toBeGreaterThan(0);
      }),
      { numRuns: 40 },
    );
  });

  it('every interval stays in [−1, 1] and contains Δ-range values only; p ≤ adjusted p ≤ 1; verdicts are one of three', () => {
    fc.assert(
      fc.property(tableArb, tableArb, (b, c) => {
        const cmp = compareRuns(side('b.csv', run(lookup(b))), side('c.csv', run(lookup(c))), { resamples: 50 });
        for (const r of cmp.rows) {
          expect(r.interval!.low).toBeGreaterThanOrEqual(-1);
          expect(r.interval!.high).toBeLessThanOrEqual(1);
          expect(r.interval!.low).toBeLessThanOrEqual(r.interval!.high);
          expect(r.pAdjusted).toBeGreaterThanOrEqual(r.p);
          expect(r.pAdjusted).toBeLessThanOrEqual(1);
          expect(['regression', 'no regression', 'inconclusive']).toContain(r.verdict);
          if (r.verdict === 'regression') {
            expect(r.pAdjusted).toBeLessThanOrEqual(0.025);
            expect(r.delta!).toBeLessThan(-r.maxDrop);
          }
        }
        expect(cmp.outcome === 'regression').toBe(cmp.regressions > 0);
      }),
      { numRuns: 40 },
    );
  });

  it('a run against itself always passes; a gain everywhere never regresses', () => {
    fc.assert(
      fc.property(tableArb, fc.double({ min: 0, max: 0.5, noNaN: true }), (b, gain) => {
        const baseline = side('b.csv', run(lookup(b)));
        expect(compareRuns(baseline, baseline, { resamples: 50 }).outcome).toBe('pass');
        const better = side('c.csv', run((m, l, s) => lookup(b)(m, l, s) + gain));
        expect(compareRuns(baseline, better, { resamples: 50 }).regressions).toBe(0);
      }),
      { numRuns: 30 },
    );
  });
});
