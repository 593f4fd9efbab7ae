import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../../src/labels/matrix.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { averagePrecision, operatingPoints, precisionRecallF1 } from '../../src/eval/metrics.js';
import { tuneThreshold } from '../../src/eval/threshold.js';

/** Row-major n × L from rows of numbers. */
function dense(rows: number[][]): Float32Array {
  return Float32Array.from(rows.flat());
}

function column(scores: number[], truth: number[]) {
  return { scores: Float64Array.from(scores), truth: Uint8Array.from(truth) };
}

// Hand fixture: 6 test images × 4 labels, 4 validation images. Expected numbers were worked out by
// hand (comments) and agree with scikit-learn 1.2.1 on the same arrays as float32.
//   a: ties at 0.8 and a score exactly at the 0.5 threshold
//   b: no positive image at all
//   c: every score tied
//   d: no prediction above 0.5, positives tied with a negative at 0.2; its validation F1 ties
const labels = ['a', 'b', 'c', 'd'];
const testScores = dense([
  [0.9, 0.7, 0.5, 0.4],
  [0.8, 0.2, 0.5, 0.2],
  [0.8, 0.6, 0.5, 0.1],
  [0.5, 0.1, 0.5, 0.45],
  [0.3, 0.5, 0.5, 0.3],
  [0.1, 0.3, 0.5, 0.2],
]);
const testTruth = LabelMatrix.fromDense(labels, [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
const valScores = dense([
  [0.9, 0.2, 0.5, 0.8],
  [0.7, 0.4, 0.5, 0.6],
  [0.4, 0.9, 0.1, 0.55],
  [0.3, 0.1, 0.9, 0.35],
]);
const valTruth = LabelMatrix.fromDense(labels, [1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]);

describe('precisionRecallF1 (zero_division=0)', () => {
  it('gives 0 for every undefined ratio', () => {
    expect(precisionRecallF1({ tp: 0, fp: 0, fn: 0 })).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(precisionRecallF1({ tp: 0, fp: 3, fn: 0 })).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(precisionRecallF1({ tp: 0, fp: 0, fn: 2 })).toEqual({ precision: 0, recall: 0, f1: 0 });
  });
  it('computes P = tp/(tp+fp), R = tp/(tp+fn), F1 = 2tp/(2tp+fp+fn)', () => {
    expect(precisionRecallF1({ tp: 3, fp: 1, fn: 0 })).toEqual({ precision: 0.75, recall: 1, f1: 6 / 7 });
    expect(precisionRecallF1({ tp: 2, fp: 4, fn: 0 })).toEqual({ precision: 1 / 3, recall: 1, f1: 0.5 });
  });
});

describe('averagePrecision', () => {
  it('rejects a NaN score rather than ranking by an undefined order', () => {
    expect(() => averagePrecision(column([0.9, Number.NaN, 0.2], [1, 0, 1]))).toThrow(/score of image 1 is NaN/);
  });
  it('steps over distinct scores, tied scores entering together', () => {
    // 0.9: P=1, ΔR=1/3; 0.8 (one pos, one neg): P=2/3, ΔR=1/3; 0.5: P=3/4, ΔR=1/3 → 29/36
    expect(averagePrecision(column([0.9, 0.8, 0.8, 0.5, 0.3, 0.1], [1, 0, 1, 1, 0, 0]))).toBeCloseTo(29 / 36, 15);
    // one tied block of 6 with 2 positives: a single step at P = 2/6
    expect(averagePrecision(column([0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [1, 1, 0, 0, 0, 0]))).toBeCloseTo(1 / 3, 15);
    // 0.4: P=1/2, ΔR=1/2; 0.2 (pos + neg tied): P=2/5, ΔR=1/2 → 0.45
    expect(averagePrecision(column([0.4, 0.2, 0.1, 0.45, 0.3, 0.2], [1, 0, 0, 0, 0, 1]))).toBeCloseTo(0.45, 15);
  });
  it('does not depend on the order of tied images', () => {
    expect(averagePrecision(column([0.8, 0.8], [1, 0]))).toBe(averagePrecision(column([0.8, 0.8], [0, 1])));
    expect(averagePrecision(column([0.8, 0.8, 0.1], [1, 0, 1]))).toBeCloseTo(0.5 * 0.5 + 0.5 * (2 / 3), 15);
  });
  it('is 0 for a label with no positive image (scikit-learn returns -0.0 with a warning) and for no image', () => {
    expect(averagePrecision(column([0.7, 0.2, 0.6], [0, 0, 0]))).toBe(0);
    expect(averagePrecision(column([], []))).toBe(0);
  });
});

describe('operatingPoints', () => {
  it('has one point per distinct score, highest first, counting ties together', () => {
    expect(operatingPoints(column([0.2, 0.8, 0.8, 0.5], [0, 1, 0, 1]))).toEqual([
      { threshold: 0.8, tp: 1, fp: 1 },
      { threshold: 0.5, tp: 2, fp: 1 },
      { threshold: 0.2, tp: 2, fp: 2 },
    ]);
  });
});

describe('tuneThreshold', () => {
  it('picks the validation score with the best F1', () => {
    // 0.9: F1 2/3, 0.7: 1/2, 0.4: 4/5, 0.3: 2/3
    expect(tuneThreshold(column([0.9, 0.7, 0.4, 0.3], [1, 0, 1, 0]), 0.5)).toEqual({ threshold: 0.4, f1: 0.8, tuned: true });
  });
  it('breaks F1 ties toward the lowest threshold', () => {
    // 0.8: tp1 fp0 fn1 → 2/3; 0.35: tp2 fp2 fn0 → 4/6 = 2/3
    expect(tuneThreshold(column([0.8, 0.6, 0.55, 0.35], [1, 0, 0, 1]), 0.5)).toEqual({ threshold: 0.35, f1: 2 / 3, tuned: true });
  });
  it('returns the fallback when validation has no positive', () => {
    expect(tuneThreshold(column([0.2, 0.4, 0.9], [0, 0, 0]), 0.5)).toEqual({ threshold: 0.5, f1: 0, tuned: false });
    expect(tuneThreshold(column([], []), 0.3)).toEqual({ threshold: 0.3, f1: 0, tuned: false });
  });
});

describe('evaluate on the hand fixture', () => {
  const result = evaluate({ scores: testScores, truth: testTruth, valScores, valTruth, trainCounts: [150, 20, 99, 19] });
  const byLabel = Object.fromEntries(result.perLabel.map((m) => [m.label, m]));

  it('matches scikit-learn per label', () => {
    expect(byLabel.a).toMatchObject({ support: 3, tp: 3, fp: 1, fn: 0, precision: 0.75, recall: 1, group: 'head', train_count: 150 });
    expect(byLabel.a.f1).toBeCloseTo(0.8571428571428571, 15);
    expect(byLabel.a.ap).toBeCloseTo(0.8055555555555556, 15);
    expect(byLabel.a.threshold).toBe(Math.fround(0.4));
    expect(byLabel.a.f1_tuned).toBeCloseTo(0.8571428571428571, 15);

    expect(byLabel.b).toMatchObject({ support: 0, tp: 0, fp: 3, fn: 0, precision: 0, recall: 0, f1: 0, ap: 0, group: 'medium' });
    expect(byLabel.b.threshold).toBe(0.5); // no validation positive: the fixed threshold
    expect(byLabel.b.f1_tuned).toBe(0);

    expect(byLabel.c).toMatchObject({ support: 2, tp: 2, fp: 4, fn: 0, recall: 1, f1: 0.5, threshold: 0.5, f1_tuned: 0.5, group: 'medium' });
    expect(byLabel.c.precision).toBeCloseTo(0.3333333333333333, 15);
    expect(byLabel.c.ap).toBeCloseTo(0.3333333333333333, 15);

    expect(byLabel.d).toMatchObject({ support: 2, tp: 0, fp: 0, fn: 2, precision: 0, recall: 0, f1: 0, group: 'tail' });
    expect(byLabel.d.ap).toBeCloseTo(0.45, 15);
    expect(byLabel.d.threshold).toBe(Math.fround(0.35));
    expect(byLabel.d.f1_tuned).toBe(0.5);
  });

  it('matches scikit-learn micro / macro averages and mAP', () => {
    const s = result.summary;
    expect(s.micro_precision).toBeCloseTo(0.38461538461538464, 15);
    expect(s.micro_recall).toBeCloseTo(0.7142857142857143, 15);
    expect(s.micro_f1).toBeCloseTo(0.5, 15);
    expect(s.macro_precision).toBeCloseTo(0.2708333333333333, 15);
    expect(s.macro_recall).toBeCloseTo(0.5, 15);
    expect(s.macro_f1).toBeCloseTo(0.3392857142857143, 15);
    expect(s.map).toBeCloseTo(0.3972222222222222, 15);
    expect(s.macro_f1_tuned).toBeCloseTo(0.4642857142857143, 15);
    expect(s).toMatchObject({ images: 6, labels: 4, labels_without_support: 1, head_labels: 1, medium_labels: 2, tail_labels: 1 });
  });

  it('averages F1 within head / medium / tail groups', () => {
    expect(result.summary.head_f1).toBeCloseTo(6 / 7, 15);
    expect(result.summary.medium_f1).toBeCloseTo(0.25, 15);
    expect(result.summary.tail_f1).toBe(0);
  });

  it('honours custom group thresholds and a null for an empty group', () => {
    const r = evaluate({ scores: testScores, truth: testTruth, trainCounts: [150, 20, 99, 19], groups: { head: 1000, tail: 20 } });
    expect(r.perLabel.map((m) => m.group)).toEqual(['medium', 'medium', 'medium', 'tail']);
    expect(r.summary.head_f1).toBeNull();
    expect(r.summary.head_labels).toBe(0);
  });

  it('leaves threshold and f1_tuned null without validation data', () => {
    const r = evaluate({ scores: testScores, truth: testTruth, trainCounts: [1, 1, 1, 1] });
    expect(r.perLabel.every((m) => m.threshold === null && m.f1_tuned === null)).toBe(true);
    expect(r.summary.macro_f1_tuned).toBeNull();
  });

  it('uses the given fixed threshold (positive iff score ≥ it)', () => {
    const r = evaluate({ scores: testScores, truth: testTruth, trainCounts: [1, 1, 1, 1], threshold: 0.8 });
    expect(r.perLabel[0]).toMatchObject({ tp: 2, fp: 1, fn: 1 });
  });
});

// A larger fixture generated by formula (scores on a 1/16 grid, so many ties); scikit-learn computed
// the expected numbers from the same formula.
function formulaFixture(n: number, a: number, b: number, c: number, ya: number, yb: number) {
  const L = 5;
  const positivesBelow = [5, 3, 2, 1, 0];
  const scores = new Float32Array(n * L);
  const truth = new Array<number>(n * L);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < L; l++) {
      scores[i * L + l] = ((i * a + l * b + c) % 17) / 16;
      truth[i * L + l] = (i * ya + l * yb) % 10 < positivesBelow[l] ? 1 : 0;
    }
  }
  return { scores, truth: LabelMatrix.fromDense(['l0', 'l1', 'l2', 'l3', 'l4'], truth) };
}

describe('evaluate on the formula fixture (60 test, 40 validation images, ties everywhere)', () => {
  const test = formulaFixture(60, 37, 11, 5, 13, 7);
  const val = formulaFixture(40, 29, 3, 7, 3, 9);
  const r = evaluate({ scores: test.scores, truth: test.truth, valScores: val.scores, valTruth: val.truth, trainCounts: [500, 120, 60, 10, 0] });
  const expected = [
    { support: 30, tp: 15, fp: 17, fn: 15, precision: 0.46875, recall: 0.5, f1: 0.4838709677419355, ap: 0.4488521650545435, threshold: 0.0625, f1_tuned: 0.627906976744186 },
    { support: 18, tp: 9, fp: 22, fn: 9, precision: 0.2903225806451613, recall: 0.5, f1: 0.3673469387755102, ap: 0.38328169355672215, threshold: 0.3125, f1_tuned: 0.4333333333333334 },
    { support: 12, tp: 7, fp: 26, fn: 5, precision: 0.21212121212121213, recall: 0.5833333333333334, f1: 0.3111111111111111, ap: 0.2645986633564273, threshold: 0.5, f1_tuned: 0.3111111111111111 },
    { support: 6, tp: 4, fp: 28, fn: 2, precision: 0.125, recall: 0.6666666666666666, f1: 0.21052631578947367, ap: 0.12120941889607739, threshold: 0.6875, f1_tuned: 0.14814814814814814 },
    { support: 0, tp: 0, fp: 31, fn: 0, precision: 0, recall: 0, f1: 0, ap: 0, threshold: 0.5, f1_tuned: 0 },
  ];

  it('matches scikit-learn per label', () => {
    expected.forEach((e, l) => {
      const m = r.perLabel[l];
      expect({ support: m.support, tp: m.tp, fp: m.fp, fn: m.fn, threshold: m.threshold }).toEqual({ support: e.support, tp: e.tp, fp: e.fp, fn: e.fn, threshold: e.threshold });
      for (const key of ['precision', 'recall', 'f1', 'ap', 'f1_tuned'] as const) expect(m[key], `${m.label}.${key}`).toBeCloseTo(e[key], 14);
    });
    expect(r.perLabel.map((m) => m.group)).toEqual(['head', 'head', 'medium', 'tail', 'tail']);
  });

  it('matches scikit-learn averages', () => {
    expect(r.summary.micro_precision).toBeCloseTo(0.22012578616352202, 14);
    expect(r.summary.micro_recall).toBeCloseTo(0.5303030303030303, 14);
    expect(r.summary.micro_f1).toBeCloseTo(0.3111111111111111, 14);
    expect(r.summary.macro_precision).toBeCloseTo(0.21923875855327468, 14);
    expect(r.summary.macro_recall).toBeCloseTo(0.45, 14);
    expect(r.summary.macro_f1).toBeCloseTo(0.2745710666836061, 14);
    expect(r.summary.map).toBeCloseTo(0.24358838817275402, 14);
    expect(r.summary.macro_f1_tuned).toBeCloseTo(0.30409991386735574, 14);
  });
});

describe('evaluate rejects inconsistent input', () => {
  it('names the mismatch', () => {
    expect(() => evaluate({ scores: new Float32Array(5), truth: testTruth, trainCounts: [1, 1, 1, 1] })).toThrow(/scores has 5 values, expected 6 images × 4 labels = 24/);
    expect(() => evaluate({ scores: testScores, truth: testTruth, trainCounts: [1, 1] })).toThrow(/trainCounts has 2 entries for 4 labels/);
    expect(() => evaluate({ scores: testScores, truth: testTruth, trainCounts: [1, 1, 1, 1], valScores })).toThrow(/together/);
    const nan = testScores.slice();
    nan[5] = NaN;
    expect(() => evaluate({ scores: nan, truth: testTruth, trainCounts: [1, 1, 1, 1] })).toThrow(/image 1, label 'b' has a non-finite score NaN/);
    const otherLabels = LabelMatrix.fromDense(['a', 'b', 'c', 'x'], new Array(16).fill(0));
    expect(() => evaluate({ scores: testScores, truth: testTruth, trainCounts: [1, 1, 1, 1], valScores, valTruth: otherLabels })).toThrow(/differ/);
    expect(() => evaluate({ scores: testScores, truth: testTruth, trainCounts: [1, 1, 1, 1], groups: { head: 10, tail: 20 } })).toThrow(/tail ≤ head/);
  });
});
