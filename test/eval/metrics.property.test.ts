import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../../src/labels/matrix.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { averagePrecision, confusionAt, precisionRecallF1 } from '../../src/eval/metrics.js';
import { tuneThreshold } from '../../src/eval/threshold.js';

/** A column of scores on a coarse grid (k / 8) so ties are frequent, with random truth. */
const columnArb = fc
  .array(fc.record({ k: fc.integer({ min: 0, max: 8 }), positive: fc.boolean() }), { minLength: 0, maxLength: 40 })
  .map((cells) => ({ grid: cells.map((c) => c.k), scores: Float64Array.from(cells, (c) => c.k / 8), truth: Uint8Array.from(cells, (c) => (c.positive ? 1 : 0)) }));

/** A test (and validation) set of n × L scores on the k / 8 grid with random truth. */
const trialArb = fc
  .record({ L: fc.integer({ min: 1, max: 5 }), n: fc.integer({ min: 0, max: 25 }), nVal: fc.integer({ min: 0, max: 15 }) })
  .chain(({ L, n, nVal }) =>
    fc.record({
      L: fc.constant(L),
      scores: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: n * L, maxLength: n * L }),
      truth: fc.array(fc.boolean(), { minLength: n * L, maxLength: n * L }),
      valScores: fc.array(fc.integer({ min: 0, max: 8 }), { minLength: nVal * L, maxLength: nVal * L }),
      valTruth: fc.array(fc.boolean(), { minLength: nVal * L, maxLength: nVal * L }),
      trainCounts: fc.array(fc.integer({ min: 0, max: 300 }), { minLength: L, maxLength: L }),
    }),
  )
  .map((t) => {
    const labels = Array.from({ length: t.L }, (_, l) => `l${l}`);
    return {
      scores: Float32Array.from(t.scores, (k) => k / 8),
      truth: LabelMatrix.fromDense(labels, t.truth.map(Number)),
      valScores: Float32Array.from(t.valScores, (k) => k / 8),
      valTruth: LabelMatrix.fromDense(labels, t.valTruth.map(Number)),
      trainCounts: t.trainCounts,
    };
  });

/** AP by its other textbook form: the mean, over positive images, of the precision at that image's score. */
function bruteForceAp(scores: Float64Array, truth: Uint8Array): number {
  let sum = 0;
  let positives = 0;
  for (let i = 0; i < scores.length; i++) {
    if (truth[i] !== 1) continue;
    positives++;
    let above = 0;
    let positiveAbove = 0;
    for (let j = 0; j < scores.length; j++) {
      if (scores[j] >= scores[i]) {
        above++;
        positiveAbove += truth[j];
      }
    }
    sum += positiveAbove / above;
  }
  return positives === 0 ? 0 : sum / positives;
}

describe('metric invariants', () => {
  it('F1 is the harmonic mean of precision and recall and lies between them', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), fc.nat(1000), (tp, fp, fn) => {
        const { precision: p, recall: r, f1 } = precisionRecallF1({ tp, fp, fn });
        if (p + r > 0) expect(f1).toBeCloseTo((2 * p * r) / (p + r), 12);
        else expect(f1).toBe(0);
        expect(f1).toBeGreaterThanOrEqual(Math.min(p, r) - 1e-15);
        expect(f1).toBeLessThanOrEqual(Math.max(p, r) + 1e-15);
      }),
    );
  });

  it('AP equals the mean precision at each positive, and lies in [0, 1]', () => {
    fc.assert(
      fc.property(columnArb, ({ scores, truth }) => {
        const ap = averagePrecision({ scores, truth });
        expect(ap).toBeCloseTo(bruteForceAp(scores, truth), 12);
        expect(ap).toBeGreaterThanOrEqual(0);
        expect(ap).toBeLessThanOrEqual(1 + 1e-15);
      }),
    );
  });

  it('AP of a perfect ranking is 1', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }).filter((t) => t.some(Boolean)), fc.double({ min: 0.01, max: 1, noNaN: true }), (truth, gap) => {
        // every positive strictly above every negative, with ties among the positives
        const scores = Float64Array.from(truth, (positive, i) => (positive ? 1 + gap + (i % 3) : (i % 4) * 0.1));
        expect(averagePrecision({ scores, truth: Uint8Array.from(truth, Number) })).toBeCloseTo(1, 14);
      }),
    );
  });

  it('AP and tuned F1 are invariant under strictly increasing transforms of the scores', () => {
    fc.assert(
      fc.property(columnArb, fc.array(fc.double({ min: 1e-3, max: 10, noNaN: true }), { minLength: 9, maxLength: 9 }), ({ grid, scores, truth }, steps) => {
        // a random strictly increasing map of the 9 grid values
        const image = steps.map((_, k) => steps.slice(0, k + 1).reduce((a, b) => a + b, 0) - 5);
        const mapped = Float64Array.from(grid, (k) => image[k]);
        expect(averagePrecision({ scores: mapped, truth })).toBe(averagePrecision({ scores, truth }));
        expect(tuneThreshold({ scores: mapped, truth }, 0.5).f1).toBe(tuneThreshold({ scores, truth }, 0.5).f1);
      }),
    );
  });

  it('the tuned threshold is at least as good on validation as any fixed threshold', () => {
    fc.assert(
      fc.property(columnArb, fc.integer({ min: 0, max: 9 }), ({ scores, truth }, k) => {
        const tuned = tuneThreshold({ scores, truth }, 0.5);
        const other = precisionRecallF1(confusionAt({ scores, truth }, k / 8)).f1;
        expect(tuned.f1).toBeGreaterThanOrEqual(other);
        expect(precisionRecallF1(confusionAt({ scores, truth }, tuned.threshold)).f1).toBe(tuned.f1);
      }),
    );
  });

  it('micro-F1 is the F1 of the summed counts; counts add up to support and predictions', () => {
    fc.assert(
      fc.property(trialArb, (t) => {
        const { perLabel, summary } = evaluate({ scores: t.scores, truth: t.truth, trainCounts: t.trainCounts });
        const sum = (key: 'tp' | 'fp' | 'fn') => perLabel.reduce((a, m) => a + m[key], 0);
        expect(summary.micro_f1).toBe(precisionRecallF1({ tp: sum('tp'), fp: sum('fp'), fn: sum('fn') }).f1);
        const counts = t.truth.counts();
        perLabel.forEach((m, l) => {
          expect(m.tp + m.fn).toBe(counts[l]);
          expect(m.support).toBe(counts[l]);
          let predicted = 0;
          for (let i = 0; i < t.truth.rows; i++) if (t.scores[i * t.truth.numLabels + l] >= 0.5) predicted++;
          expect(m.tp + m.fp).toBe(predicted);
        });
        expect(summary.macro_f1).toBeCloseTo(perLabel.reduce((a, m) => a + m.f1, 0) / perLabel.length, 14);
      }),
    );
  });

  it('permuting the images leaves every metric unchanged', () => {
    fc.assert(
      fc.property(trialArb, fc.integer(), fc.integer(), (t, seedTest, seedVal) => {
        const permute = (scores: Float32Array, truth: LabelMatrix, seed: number) => {
          const order = Array.from({ length: truth.rows }, (_, i) => i);
          // a deterministic shuffle from fast-check's integer, independent of the project RNG
          let s = seed >>> 0;
          for (let i = order.length - 1; i > 0; i--) {
            s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
            const j = s % (i + 1);
            [order[i], order[j]] = [order[j], order[i]];
          }
          const L = truth.numLabels;
          const out = new Float32Array(scores.length);
          order.forEach((from, to) => out.set(scores.subarray(from * L, from * L + L), to * L));
          return { scores: out, truth: truth.select(order) };
        };
        const a = evaluate({ scores: t.scores, truth: t.truth, valScores: t.valScores, valTruth: t.valTruth, trainCounts: t.trainCounts });
        const p = permute(t.scores, t.truth, seedTest);
        const v = permute(t.valScores, t.valTruth, seedVal);
        const b = evaluate({ scores: p.scores, truth: p.truth, valScores: v.scores, valTruth: v.truth, trainCounts: t.trainCounts });
        expect(b).toEqual(a);
      }),
    );
  });

  it('groups follow the training counts and group F1 averages the group', () => {
    fc.assert(
      fc.property(trialArb, fc.integer({ min: 0, max: 150 }), fc.integer({ min: 0, max: 150 }), (t, x, y) => {
        const groups = { head: Math.max(x, y), tail: Math.min(x, y) };
        const { perLabel, summary } = evaluate({ scores: t.scores, truth: t.truth, trainCounts: t.trainCounts, groups });
        for (const m of perLabel) {
          expect(m.group).toBe(m.train_count >= groups.head ? 'head' : m.train_count < groups.tail ? 'tail' : 'medium');
        }
        const tail = perLabel.filter((m) => m.group === 'tail');
        expect(summary.tail_labels).toBe(tail.length);
        if (tail.length === 0) expect(summary.tail_f1).toBeNull();
        else expect(summary.tail_f1).toBeCloseTo(tail.reduce((a, m) => a + m.f1, 0) / tail.length, 14);
      }),
    );
  });
});
