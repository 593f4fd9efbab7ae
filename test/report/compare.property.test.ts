import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareRuns, decideDelta, type ComparisonSide } from '../../src/report/compare.js';
import type { PerLabelRow } from '../../src/report/results.js';
import { labelRow } from './fixtures.js';

/** A metric's values by seed: 1–4 distinct seeds out of 1..6, each value in [0, 1]. */
const valuesArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 })
  .chain((seeds) => fc.tuple(fc.constant(seeds), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: seeds.length, maxLength: seeds.length })))
  .map(([seeds, values]) => new Map(seeds.map((s, i) => [s, values[i]])));

const maxDropArb = fc.double({ min: 0, max: 0.3, noNaN: true });

function shifted(values: ReadonlyMap<number, number>, c: number): Map<number, number> {
  return new Map([...values].map(([s, v]) => [s, v + c]));
}

describe('decideDelta invariants', () => {
  it('a run against itself: Δ 0, zero-width interval when seeds pair, never a regression', () => {
    fc.assert(
      fc.property(valuesArb, maxDropArb, (values, maxDrop) => {
        const d = decideDelta(values, values, maxDrop);
        expect(d.delta).toBeCloseTo(0, 12);
        expect(d.regression).toBe(false);
        expect(d.test).toBe(values.size >= 2 ? 'paired' : 'none');
        if (d.interval) expect(d.interval.high - d.interval.low).toBeCloseTo(0, 12);
      }),
    );
  });

  it('swapping the sides negates Δ and mirrors the interval, with the same test', () => {
    fc.assert(
      fc.property(valuesArb, valuesArb, maxDropArb, (a, b, maxDrop) => {
        const ab = decideDelta(a, b, maxDrop);
        const ba = decideDelta(b, a, maxDrop);
        expect(ba.test).toBe(ab.test);
        expect(ba.delta).toBeCloseTo(-ab.delta, 12);
        expect(ba.interval === null).toBe(ab.interval === null);
        if (ab.interval && ba.interval) {
          expect(ba.interval.low).toBeCloseTo(-ab.interval.high, 12);
          expect(ba.interval.high).toBeCloseTo(-ab.interval.low, 12);
        }
      }),
    );
  });

  it('the test follows the seeds: paired with ≥ 2 shared, else Welch with ≥ 2 each, else none', () => {
    fc.assert(
      fc.property(valuesArb, valuesArb, (a, b) => {
        const shared = [...a.keys()].filter((s) => b.has(s)).length;
        const expected = shared >= 2 ? 'paired' : a.size >= 2 && b.size >= 2 ? 'welch' : 'none';
        const d = decideDelta(a, b, 0.02);
        expect(d.test).toBe(expected);
        expect(d.pairedSeeds.length).toBe(expected === 'paired' ? shared : 0);
        expect(d.interval !== null).toBe(expected !== 'none');
        if (d.interval) {
          expect(d.interval.low).toBeLessThanOrEqual(d.delta + 1e-12);
          expect(d.interval.high).toBeGreaterThanOrEqual(d.delta - 1e-12);
        }
      }),
    );
  });

  it('lowering every current value by c lowers Δ and its interval by c', () => {
    fc.assert(
      fc.property(valuesArb, valuesArb, fc.double({ min: 0, max: 0.5, noNaN: true }), (base, cur, c) => {
        const before = decideDelta(base, cur, 0.02);
        const after = decideDelta(base, shifted(cur, -c), 0.02);
        expect(after.delta).toBeCloseTo(before.delta - c, 10);
        if (before.interval && after.interval) {
          expect(after.interval.low).toBeCloseTo(before.interval.low - c, 10);
          expect(after.interval.high).toBeCloseTo(before.interval.high - c, 10);
        }
        // A run that was a regression stays one when it gets worse.
        if (before.regression) expect(after.regression).toBe(true);
      }),
    );
  });

  it('a regression drops by more than max-drop, beyond noise when there is an interval; a lower max-drop keeps it', () => {
    let regressions = 0;
    fc.assert(
      fc.property(valuesArb, valuesArb, maxDropArb, fc.double({ min: 0, max: 1, noNaN: true }), (base, cur, maxDrop, fraction) => {
        const d = decideDelta(base, cur, maxDrop);
        if (d.regression) {
          regressions++;
          expect(d.delta).toBeLessThan(-maxDrop);
          if (d.interval) expect(d.interval.high).toBeLessThan(0);
          expect(decideDelta(base, cur, maxDrop * fraction).regression).toBe(true);
        } else if (d.delta < -maxDrop - 1e-9) {
          // Not flagged despite the drop: only noise can excuse it.
          expect(d.significantDrop).toBe(false);
        }
      }),
    );
    // The generated cases must include regressions, or the branch above proved nothing.
    expect(regressions).toBeGreaterThan(0);
  });
});

const LABELS = ['cat', 'dog', 'eel', 'fox', 'gnu'];

/** Per-label rows of one method over seeds, some labels absent, values in [0, 1]. */
const sideArb = (file: string) =>
  fc
    .record({
      seeds: fc.uniqueArray(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
      labels: fc.subarray(LABELS, { minLength: 1 }),
      values: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 20, maxLength: 20 }),
    })
    .map(({ seeds, labels, values }): ComparisonSide => {
      const rows: PerLabelRow[] = [];
      seeds.forEach((seed, i) =>
        labels.forEach((label, j) => {
          const f1 = values[(i * LABELS.length + j) % values.length];
          rows.push({ ...labelRow(label, { f1, group: j % 2 ? 'tail' : 'head' }), trial: `t${seed}`, dataset: 'shapes', skew: 'exponential:10', method: 'weighted', seed, line: rows.length + 2 });
        }),
      );
      return { file, rows };
    });

describe('compareRuns invariants', () => {
  it('regressions first, then Δ ascending; every key is compared or counted once', () => {
    fc.assert(
      fc.property(sideArb('a.csv'), sideArb('b.csv'), maxDropArb, (a, b, maxDrop) => {
        const labelsOf = (s: ComparisonSide) => new Set(s.rows.map((r) => r.label));
        const la = labelsOf(a);
        const lb = labelsOf(b);
        const shared = [...la].filter((l) => lb.has(l));
        fc.pre(shared.length > 0);
        const c = compareRuns(a, b, { maxDrop });
        expect(c.rows.map((r) => r.label).sort()).toEqual(shared.sort());
        expect(c.onlyBaseline.map((k) => k.label).sort()).toEqual([...la].filter((l) => !lb.has(l)).sort());
        expect(c.onlyCurrent.map((k) => k.label).sort()).toEqual([...lb].filter((l) => !la.has(l)).sort());
        expect(c.regressions).toBe(c.rows.filter((r) => r.regression).length);
        for (let i = 1; i < c.rows.length; i++) {
          const [p, q] = [c.rows[i - 1], c.rows[i]];
          expect(Number(p.regression)).toBeGreaterThanOrEqual(Number(q.regression));
          if (p.regression === q.regression) expect(p.delta).toBeLessThanOrEqual(q.delta);
        }
      }),
    );
  });
});
