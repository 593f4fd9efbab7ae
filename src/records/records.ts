import type { EvaluationSummary, LabelMetrics } from '../eval/evaluate.js';

/*
 * The plain record of one finished trial, owned by this room so that the runner (experiment/), which
 * makes records, and the result layer (report/), which stores and reads them, never import each other: what the runner hands to the result layer, what
 * trials.csv + per_label.csv store, and what `readResults` gives back. It holds numbers and
 * strings only, so records from different runs and machines can be merged and compared.
 */

export const TRIAL_STATUSES = ['ok', 'failed'] as const;
export type TrialStatus = (typeof TRIAL_STATUSES)[number];

/** Wall-clock seconds spent in each phase of a trial; a phase that never ran took 0. */
export interface TrialTimings {
  data: number;
  plan: number;
  train: number;
  /** Decoupled classifier re-training's second stage (cRT); absent for other methods. */
  retrain?: number;
  predict: number;
  evaluate: number;
  total: number;
}

export const TIMING_PHASES = ['data', 'plan', 'train', 'predict', 'evaluate', 'total'] as const satisfies ReadonlyArray<keyof TrialTimings>;

export interface TrialRecord {
  /** The trial id (stable hash of its resolved config). */
  trial: string;
  /** Position in the suite's grid; orders the rows of every results file. */
  index: number;
  suite: string;
  /** Dataset name (a suite has one dataset; its options are in the manifest's spec). */
  dataset: string;
  skew: string;
  method: string;
  seed: number;
  model: string;
  /** Fingerprint of the data the trial trained and was tested on (data/fingerprint.ts); null in folders written before it existed. */
  dataFingerprint: string | null;
  status: TrialStatus;
  /** Why a trial failed; null when it did not. */
  reason: string | null;
  backend: string;
  backendVersion: string;
  /** Images in the (possibly oversampled) training set. */
  trainImages: number;
  epochs: number;
  /** Optimiser steps taken. */
  steps: number;
  /** Mean loss of the last epoch; null when training never finished an epoch (NaN is kept: it is why a trial failed). */
  finalLoss: number | null;
  /** Training throughput; null when nothing was trained. */
  imagesPerSecond: number | null;
  timings: TrialTimings;
  /** Test-set summary; null when the trial failed. */
  summary: EvaluationSummary | null;
  /** Test-set metrics per label, in the dataset's label order; empty when the trial failed. */
  perLabel: LabelMetrics[];
  /** One row per training epoch (history.csv); absent in folders written before it existed. */
  history?: EpochRecord[];
}

/** One epoch of a trial's training: where it stood and how it did on the validation split. */
export interface EpochRecord {
  epoch: number;
  /** Optimiser steps so far. */
  step: number;
  /** Mean training loss over the epoch's images. */
  loss: number;
  /** Mean binary cross-entropy of the validation images' scores; null without a validation split. */
  valLoss: number | null;
  /** Macro-F1 of the validation images at the evaluation threshold; null without a validation split. */
  valMacroF1: number | null;
  /** Training seconds so far (the validation itself not counted). */
  seconds: number;
}

/** The fields of a record that come from the trial itself rather than from running it. */
export type TrialIdentity = Pick<TrialRecord, 'trial' | 'index' | 'suite' | 'dataset' | 'skew' | 'method' | 'seed' | 'model' | 'dataFingerprint'>;

/** Rows of every results file follow the grid, whatever order parallel trials finished in. */
export function compareRecords(a: TrialIdentity, b: TrialIdentity): number {
  return a.index - b.index || (a.trial < b.trial ? -1 : a.trial > b.trial ? 1 : 0);
}

/**
 * Throws a RangeError naming the trial and field when a record breaks its own invariants (an ok
 * trial without metrics, a failed one with them, negative timings). Records are checked before
 * any results file is written, so a bad record leaves nothing half-written.
 */
export function checkRecord(record: TrialRecord): void {
  const where = `trial ${record.trial} (${record.method}, seed ${record.seed})`;
  const fail = (message: string): never => {
    throw new RangeError(`${where}: ${message}`);
  };
  if (!TRIAL_STATUSES.includes(record.status)) fail(`status is "${record.status}", expected ok or failed`);
  for (const key of ['index', 'seed', 'trainImages', 'epochs', 'steps'] as const) {
    if (!Number.isInteger(record[key]) || record[key] < 0) fail(`${key} is ${record[key]}, expected a non-negative integer`);
  }
  for (const phase of [...TIMING_PHASES, ...(record.timings.retrain === undefined ? [] : (['retrain'] as const))]) {
    const t = record.timings[phase];
    if (!Number.isFinite(t) || t! < 0) fail(`timings.${phase} is ${t}, expected seconds ≥ 0`);
  }
  // An empty reason would come back from CSV as null; say "no reason" with null from the start.
  if (record.reason === '') fail('reason is an empty string; use null when there is none');
  if (record.status === 'ok' && record.reason !== null) fail(`status ok but it has a failure reason (${record.reason})`);
  if (record.imagesPerSecond !== null && !(Number.isFinite(record.imagesPerSecond) && record.imagesPerSecond >= 0)) {
    fail(`imagesPerSecond is ${record.imagesPerSecond}, expected a finite number ≥ 0 or null`);
  }
  if (record.status === 'ok') {
    if (record.summary === null) fail('status ok but no summary');
    if (record.perLabel.length !== record.summary!.labels) fail(`summary counts ${record.summary!.labels} labels but perLabel has ${record.perLabel.length}`);
    const seen = new Set<string>();
    for (const m of record.perLabel) {
      if (seen.has(m.label)) fail(`label "${m.label}" appears twice in perLabel`);
      seen.add(m.label);
      for (const key of ['support', 'train_count', 'tp', 'fp', 'fn', 'precision', 'recall', 'f1', 'threshold', 'f1_tuned', 'ap'] as const) {
        const value = m[key];
        if (value !== null && !Number.isFinite(value)) fail(`label "${m.label}": ${key} is ${value}, expected a finite number`);
      }
    }
    for (const [key, value] of Object.entries(record.summary!)) {
      if (value !== null && !Number.isFinite(value)) fail(`summary.${key} is ${value}, expected a finite number`);
    }
  } else {
    if (record.summary !== null || record.perLabel.length > 0) fail('status failed but it has metrics');
  }
}

/**
 * The resolved suite spec as the result layer sees it: plain JSON with a name. Its schema is the
 * experiment room's; the manifest stores it whole.
 */
export interface SpecRecord {
  name: string;
  [field: string]: unknown;
}
