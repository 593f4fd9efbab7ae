import { evaluate, type EvaluationSummary, type LabelMetrics } from '../../src/eval/evaluate.js';
import type { ResolvedSpec } from '../../src/experiment/spec.js';
import { parseSpec } from '../../src/experiment/spec.js';
import { LabelMatrix } from '../../src/labels/matrix.js';
import type { TrialRecord } from '../../src/records/records.js';

/** A small resolved spec for manifests. */
export function smallSpec(): ResolvedSpec {
  return parseSpec(
    {
      name: 'tiny',
      dataset: { name: 'shapes' },
      skews: ['exponential:10'],
      methods: [{ name: 'baseline' }, { name: 'weighted', loss: { kind: 'weighted-bce', weights: 'inverse-frequency' } }],
      seeds: [1, 2, 3],
    },
    'tiny.json',
  );
}

/** A label row whose numbers are given directly (aggregation tests control every value). */
export function labelRow(label: string, values: Partial<LabelMetrics> = {}): LabelMetrics {
  return {
    label,
    support: 4,
    train_count: 50,
    group: 'medium',
    tp: 2,
    fp: 1,
    fn: 2,
    precision: 2 / 3,
    recall: 0.5,
    f1: 4 / 7,
    threshold: 0.35,
    f1_tuned: 0.6,
    ap: 0.55,
    ...values,
  };
}

export function summaryOf(perLabel: readonly LabelMetrics[], values: Partial<EvaluationSummary> = {}): EvaluationSummary {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const f1 = (g: string) => perLabel.filter((m) => m.group === g).map((m) => m.f1);
  return {
    images: 40,
    labels: perLabel.length,
    labels_without_support: perLabel.filter((m) => m.support === 0).length,
    micro_precision: 0.6,
    micro_recall: 0.5,
    micro_f1: 6 / 11,
    macro_precision: mean(perLabel.map((m) => m.precision)) ?? 0,
    macro_recall: mean(perLabel.map((m) => m.recall)) ?? 0,
    macro_f1: mean(perLabel.map((m) => m.f1)) ?? 0,
    macro_f1_tuned: mean(perLabel.map((m) => m.f1_tuned ?? 0)),
    map: mean(perLabel.map((m) => m.ap)) ?? 0,
    head_f1: mean(f1('head')),
    medium_f1: mean(f1('medium')),
    tail_f1: mean(f1('tail')),
    head_labels: f1('head').length,
    medium_labels: f1('medium').length,
    tail_labels: f1('tail').length,
    ...values,
  };
}

let counter = 0;

/** A finished trial; `summary` values override those derived from `perLabel`. */
export function okRecord(fields: Partial<TrialRecord> & { method: string; seed: number }, summary: Partial<EvaluationSummary> = {}): TrialRecord {
  const perLabel = fields.perLabel ?? [labelRow('cat', { train_count: 120, group: 'head' }), labelRow('dog'), labelRow('eel', { train_count: 8, group: 'tail' })];
  counter++;
  return {
    trial: `t${String(counter).padStart(4, '0')}${fields.method.slice(0, 3)}${fields.seed}`,
    index: counter,
    suite: 'tiny',
    dataset: 'shapes',
    skew: 'exponential:10',
    model: 'cnn',
    dataFingerprint: '0123456789abcdef',
    status: 'ok',
    reason: null,
    backend: 'cpu',
    backendVersion: '4.22.0',
    trainImages: 300,
    epochs: 2,
    steps: 10,
    finalLoss: 0.25,
    imagesPerSecond: 1500.5,
    timings: { data: 0.1, plan: 0, train: 2.5, predict: 0.2, evaluate: 0.01, total: 2.81 },
    ...fields,
    summary: summaryOf(perLabel, summary),
    perLabel,
  };
}

export function failedRecord(fields: Partial<TrialRecord> & { method: string; seed: number }): TrialRecord {
  return {
    ...okRecord(fields),
    status: 'failed',
    reason: 'loss became NaN at epoch 2, step 7',
    finalLoss: NaN,
    imagesPerSecond: null,
    summary: null,
    perLabel: [],
    ...fields,
  };
}

/** A record whose metrics come from the real evaluation of tiny predictions, awkward numbers included. */
export function evaluatedRecord(method: string, seed: number): TrialRecord {
  const labels = ['round, "quoted" label', 'b', 'none'];
  const truth = LabelMatrix.fromRows(labels, [[0], [0, 1], [1], [], [0]]);
  const scores = Float32Array.from([0.9, 0.1, 0.3, 0.7, 0.8, 0.2, 0.3, 0.6, 0.1, 0.1, 0.2, 0.7, 0.45, 0.5, 0.55]);
  const valTruth = LabelMatrix.fromRows(labels, [[0, 1], [], [0]]);
  const valScores = Float32Array.from([0.6, 0.4, 0.2, 0.3, 0.1, 0.9, 0.7, 0.3, 0.3]);
  const { perLabel, summary } = evaluate({ scores, truth, valScores, valTruth, trainCounts: [130, 21, 3] });
  return { ...okRecord({ method, seed }), perLabel, summary };
}
