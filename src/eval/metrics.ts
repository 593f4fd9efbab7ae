/**
 * Binary classification metrics for one label, defined exactly as scikit-learn defines them so that
 * numbers from skewbench and from a notebook agree to the last digit:
 *
 * - an image is predicted positive when its score is ≥ the threshold;
 * - precision, recall and F1 follow `precision_recall_fscore_support(..., zero_division=0)`: a ratio
 *   whose denominator is 0 is 0, and F1 = 2·TP / (2·TP + FP + FN), which is the harmonic mean of
 *   precision and recall whenever both are defined;
 * - average precision follows `average_precision_score`: Σ_k (R_k − R_{k−1}) · P_k over the distinct
 *   score values taken from the highest down, so tied scores enter as one step.
 */

export type Scores = Float32Array | Float64Array;

export interface ConfusionCounts {
  tp: number;
  fp: number;
  fn: number;
}

export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

/** Ratio with scikit-learn's `zero_division=0` convention. */
function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** Precision, recall and F1 from confusion counts (`zero_division=0`). */
export function precisionRecallF1(counts: ConfusionCounts): PrecisionRecallF1 {
  const { tp, fp, fn } = counts;
  return {
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    // The count form equals 2PR/(P+R) but needs no special case when P + R = 0.
    f1: ratio(2 * tp, 2 * tp + fp + fn),
  };
}

/**
 * Column `label` of an n × L row-major score matrix, as a dense array of n scores, plus the truth
 * of that column as 0/1 bytes.
 */
export interface LabelColumn {
  scores: Float64Array;
  truth: Uint8Array;
}

/** Confusion counts of one label at `threshold` (predicted positive iff score ≥ threshold). */
export function confusionAt(column: LabelColumn, threshold: number): ConfusionCounts {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const { scores, truth } = column;
  for (let i = 0; i < scores.length; i++) {
    const predicted = scores[i] >= threshold;
    if (truth[i] === 1) {
      if (predicted) tp++;
      else fn++;
    } else if (predicted) fp++;
  }
  return { tp, fp, fn };
}

/**
 * One point per distinct score value, from the highest down: predicting "positive iff score ≥
 * `threshold`" gives `tp` true and `fp` false positives. This is scikit-learn's `_binary_clf_curve`.
 */
export interface OperatingPoint {
  threshold: number;
  tp: number;
  fp: number;
}

export function operatingPoints(column: LabelColumn): OperatingPoint[] {
  const { scores, truth } = column;
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    // A NaN would make the sort order undefined, and with it every point after it.
    if (Number.isNaN(scores[i])) throw new RangeError(`score of image ${i} is NaN`);
    order[i] = i;
  }
  order.sort((a, b) => scores[b] - scores[a]);
  const points: OperatingPoint[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    if (truth[i] === 1) tp++;
    else fp++;
    // A point is complete only after the last image sharing this score: ties move together.
    if (k === n - 1 || scores[order[k + 1]] !== scores[i]) points.push({ threshold: scores[i], tp, fp });
  }
  return points;
}

/**
 * Average precision of one label, as `sklearn.metrics.average_precision_score`.
 *
 * With no positive image the precision–recall curve is undefined; scikit-learn (since 1.1) warns, sets
 * recall to 1 at every threshold and so returns the precision of predicting everything positive,
 * which is 0. skewbench returns the same 0 (and the same for an empty column), so that mAP agrees
 * with scikit-learn's macro average; such labels are visible in the per-label table by support 0.
 */
export function averagePrecision(column: LabelColumn): number {
  const points = operatingPoints(column);
  if (points.length === 0) return 0;
  const positives = points[points.length - 1].tp;
  if (positives === 0) return 0;
  let ap = 0;
  let previousTp = 0;
  for (const { tp, fp } of points) {
    if (tp !== previousTp) ap += ((tp - previousTp) / positives) * (tp / (tp + fp));
    previousTp = tp;
  }
  return ap;
}

/** Extract column `label` of an n × L row-major score matrix and the matching truth bits. */
export function labelColumn(scores: Scores, truth: { rows: number; numLabels: number; has(i: number, l: number): boolean }, label: number): LabelColumn {
  const n = truth.rows;
  const L = truth.numLabels;
  const column: LabelColumn = { scores: new Float64Array(n), truth: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    column.scores[i] = scores[i * L + label];
    column.truth[i] = truth.has(i, label) ? 1 : 0;
  }
  return column;
}

type Truth = { rows: number; numLabels: number; has(i: number, l: number): boolean };

/** Macro-F1 at `threshold` of an n × L score matrix (each label's F1 as `precisionRecallF1` gives it, averaged). */
export function macroF1At(scores: Scores, truth: Truth, threshold: number): number {
  let sum = 0;
  for (let l = 0; l < truth.numLabels; l++) sum += precisionRecallF1(confusionAt(labelColumn(scores, truth, l), threshold)).f1;
  return truth.numLabels > 0 ? sum / truth.numLabels : 0;
}

/** Probabilities are clipped this far from 0 and 1, so a confident mistake costs a finite loss. */
const LOSS_EPSILON = 1e-7;

/** Mean binary cross-entropy of probabilities `scores` (n × L) against the truth. */
export function meanBinaryCrossEntropy(scores: Scores, truth: Truth): number {
  const L = truth.numLabels;
  let sum = 0;
  for (let i = 0; i < truth.rows; i++) {
    for (let l = 0; l < L; l++) {
      const p = Math.min(1 - LOSS_EPSILON, Math.max(LOSS_EPSILON, scores[i * L + l]));
      sum -= truth.has(i, l) ? Math.log(p) : Math.log(1 - p);
    }
  }
  return truth.rows * L > 0 ? sum / (truth.rows * L) : 0;
}
