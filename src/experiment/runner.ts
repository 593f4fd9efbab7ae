import type { Dataset } from '../data/index.js';
import { selectBackend, type BackendChoice, type BackendPreference, type EpochInfo } from '../train/index.js';
import { writeResults, type WrittenResults } from '../report/results.js';
import { writePredictions } from '../report/predictions.js';
import type { TrialRecord } from '../report/records.js';
import { expandGrid, type Trial } from './grid.js';
import type { ResolvedSpec } from './spec.js';
import { datasetFor, runTrial } from './trial.js';

export type RunEvent =
  | { type: 'backend'; backend: BackendChoice }
  | { type: 'trial-start'; trial: Trial; position: number; total: number }
  | { type: 'epoch'; trial: Trial; info: EpochInfo }
  | { type: 'trial-end'; trial: Trial; record: TrialRecord; position: number; total: number };

export interface RunOptions {
  /** Where the results go. */
  out: string;
  /** Overrides the spec's `train.backend`; default `auto`. */
  backend?: BackendPreference;
  savePredictions?: boolean;
  onEvent?: (event: RunEvent) => void;
}

export interface RunResult extends WrittenResults {
  records: TrialRecord[];
  backend: BackendChoice;
  seconds: number;
}

/**
 * Runs every trial of a suite and writes its results. Trials run grouped by their data (every method
 * of one dataset / skew / seed back to back, the data built once); records and files keep grid order.
 */
export async function runSuite(spec: ResolvedSpec, options: RunOptions): Promise<RunResult> {
  const startedAt = new Date();
  const emit = options.onEvent ?? (() => {});
  const backend = await selectBackend(options.backend ?? spec.train.backend ?? 'auto');
  emit({ type: 'backend', backend });

  const trials = expandGrid(spec);
  const order = executionOrder(trials);
  const records: TrialRecord[] = [];
  const predictions: string[] = [];
  let cached: { key: string; data: Promise<Dataset> } | undefined;
  const data = (trial: Trial): Promise<Dataset> => {
    if (cached?.key !== trial.dataKey) cached = { key: trial.dataKey, data: datasetFor(trial) };
    return cached.data;
  };

  for (const [position, trial] of order.entries()) {
    emit({ type: 'trial-start', trial, position, total: order.length });
    const { record, predictions: scores } = await runTrial(trial, backend, data, { onEpoch: (info) => emit({ type: 'epoch', trial, info }) });
    if (options.savePredictions && scores) {
      writePredictions(options.out, trial.id, scores.truth, scores.scores);
      predictions.push(trial.id);
    }
    records.push(record);
    emit({ type: 'trial-end', trial, record, position, total: order.length });
  }
  records.sort((a, b) => a.index - b.index);
  const written = writeResults(options.out, records, { spec, startedAt, finishedAt: new Date(), predictions });
  return { ...written, records, backend, seconds: (Date.now() - startedAt.getTime()) / 1000 };
}

/** Grid order, regrouped so that trials sharing data run back to back (first appearance of each data key first). */
export function executionOrder(trials: readonly Trial[]): Trial[] {
  const groups = new Map<string, Trial[]>();
  for (const t of trials) {
    const g = groups.get(t.dataKey);
    if (g) g.push(t);
    else groups.set(t.dataKey, [t]);
  }
  return [...groups.values()].flat();
}
