import type { LabelMatrix } from '../labels/matrix.js';
import { checkGroups, DEFAULT_GROUPS, groupOf, type GroupThresholds, type LabelGroup } from '../labels/stats.js';
import { averagePrecision, confusionAt, labelColumn, precisionRecallF1, type Scores } from './metrics.js';
import { tuneThreshold } from './threshold.js';

export const DEFAULT_THRESHOLD = 0.5;

export interface EvaluationInput {
  /** Test scores, n × L row-major (image i, label l at i·L + l), e.g. sigmoid probabilities. */
  scores: Scores;
  /** Test truth, n × L; its label names name the result rows. */
  truth: LabelMatrix;
  /** Validation scores and truth, for the per-label tuned thresholds; both or neither. */
  valScores?: Scores;
  valTruth?: LabelMatrix;
  /** Training images per label (after any resampling the user wants the groups to reflect). */
  trainCounts: ArrayLike<number>;
  /** Head / medium / tail count thresholds (default head ≥ 100, tail < 20). */
  groups?: GroupThresholds;
  /** Fixed decision threshold for precision / recall / F1 (default 0.5; positive iff score ≥ it). */
  threshold?: number;
}

export interface LabelMetrics {
  label: string;
  /** Positive test images. */
  support: number;
  train_count: number;
  group: LabelGroup;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  /** Threshold tuned on validation; the fixed threshold when validation has no positive; null without validation. */
  threshold: number | null;
  /** Test F1 at `threshold`; null without validation. */
  f1_tuned: number | null;
  ap: number;
}

export interface EvaluationSummary {
  images: number;
  labels: number;
  /** Labels with no positive test image: their F1 and AP are 0, as in scikit-learn's macro averages. */
  labels_without_support: number;
  micro_precision: number;
  micro_recall: number;
  micro_f1: number;
  macro_precision: number;
  macro_recall: number;
  macro_f1: number;
  /** Mean of `f1_tuned`; null without validation. */
  macro_f1_tuned: number | null;
  /** Mean AP over all labels (scikit-learn's `average_precision_score(average='macro')`). */
  map: number;
  /** Macro-F1 within each group; null when the group has no label. */
  head_f1: number | null;
  medium_f1: number | null;
  tail_f1: number | null;
  head_labels: number;
  medium_labels: number;
  tail_labels: number;
}

export interface Evaluation {
  perLabel: LabelMetrics[];
  summary: EvaluationSummary;
}

function checkScores(name: string, scores: Scores, truth: LabelMatrix): void {
  const expected = truth.rows * truth.numLabels;
  if (scores.length !== expected) {
    throw new RangeError(`${name} has ${scores.length} values, expected ${truth.rows} images × ${truth.numLabels} labels = ${expected}`);
  }
  for (let k = 0; k < scores.length; k++) {
    if (!Number.isFinite(scores[k])) {
      const L = truth.numLabels;
      throw new RangeError(`${name}: image ${Math.floor(k / L)}, label '${truth.labels[k % L]}' has a non-finite score ${scores[k]}`);
    }
  }
}

function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Every per-label and per-trial metric of one trial's test predictions. Pure and deterministic. */
export function evaluate(input: EvaluationInput): Evaluation {
  const { scores, truth, valScores, valTruth, trainCounts } = input;
  const groups = input.groups ?? DEFAULT_GROUPS;
  const threshold = input.threshold ?? DEFAULT_THRESHOLD;
  const L = truth.numLabels;
  checkGroups(groups);
  if (!Number.isFinite(threshold)) throw new RangeError(`threshold must be finite, got ${threshold}`);
  checkScores('scores', scores, truth);
  if ((valScores === undefined) !== (valTruth === undefined)) throw new RangeError('valScores and valTruth must be given together');
  if (valScores && valTruth) {
    if (valTruth.numLabels !== L || valTruth.labels.some((name, l) => name !== truth.labels[l])) {
      throw new RangeError(`validation labels (${valTruth.labels.join(', ')}) differ from test labels (${truth.labels.join(', ')})`);
    }
    checkScores('valScores', valScores, valTruth);
  }
  if (trainCounts.length !== L) throw new RangeError(`trainCounts has ${trainCounts.length} entries for ${L} labels`);

  const perLabel: LabelMetrics[] = [];
  let tpSum = 0;
  let fpSum = 0;
  let fnSum = 0;
  for (let l = 0; l < L; l++) {
    const column = labelColumn(scores, truth, l);
    const counts = confusionAt(column, threshold);
    const prf = precisionRecallF1(counts);
    tpSum += counts.tp;
    fpSum += counts.fp;
    fnSum += counts.fn;
    let tunedThreshold: number | null = null;
    let f1Tuned: number | null = null;
    if (valScores && valTruth) {
      tunedThreshold = tuneThreshold(labelColumn(valScores, valTruth, l), threshold).threshold;
      f1Tuned = precisionRecallF1(confusionAt(column, tunedThreshold)).f1;
    }
    perLabel.push({
      label: truth.labels[l],
      support: counts.tp + counts.fn,
      train_count: trainCounts[l],
      group: groupOf(trainCounts[l], groups),
      ...counts,
      ...prf,
      threshold: tunedThreshold,
      f1_tuned: f1Tuned,
      ap: averagePrecision(column),
    });
  }

  const micro = precisionRecallF1({ tp: tpSum, fp: fpSum, fn: fnSum });
  const f1Of = (group: LabelGroup) => perLabel.filter((m) => m.group === group).map((m) => m.f1);
  const summary: EvaluationSummary = {
    images: truth.rows,
    labels: L,
    labels_without_support: perLabel.filter((m) => m.support === 0).length,
    micro_precision: micro.precision,
    micro_recall: micro.recall,
    micro_f1: micro.f1,
    // With no label at all every macro average is taken as 0, like an empty sum.
    macro_precision: mean(perLabel.map((m) => m.precision)) ?? 0,
    macro_recall: mean(perLabel.map((m) => m.recall)) ?? 0,
    macro_f1: mean(perLabel.map((m) => m.f1)) ?? 0,
    macro_f1_tuned: valScores ? (mean(perLabel.map((m) => m.f1_tuned as number)) ?? 0) : null,
    map: mean(perLabel.map((m) => m.ap)) ?? 0,
    head_f1: mean(f1Of('head')),
    medium_f1: mean(f1Of('medium')),
    tail_f1: mean(f1Of('tail')),
    head_labels: f1Of('head').length,
    medium_labels: f1Of('medium').length,
    tail_labels: f1Of('tail').length,
  };
  return { perLabel, summary };
}
