import { availableParallelism } from 'node:os';
import { selectBackend, type BackendChoice, type BackendPreference, type EpochInfo } from '../train/index.js';
import { readResults, RESULT_FILES, writeResults, type WrittenResults } from '../report/results.js';
import { writeCharts } from '../report/charts.js';
import { writeHtmlReport } from '../report/html.js';
import { predictionsPath, writePredictions } from '../report/predictions.js';
import { savedModelDir, savedModelFiles } from '../records/saved-models.js';
import { gitCommit, type DataSplits } from '../report/manifest.js';
import type { TrialRecord } from '../records/records.js';
import { expandGrid, selectShard, type Shard, type Trial } from './grid.js';
import { datasetFingerprint, datasetSplitCounts } from '../data/build.js';
import { InputError } from '../errors.js';
import { ioReason, lockResultsFolder } from './lock.js';
import type { ResolvedSpec } from './spec.js';
import { checkModels, lastDataCache, runTrial, saveTrainedModel } from './trial.js';
import { Journal } from './journal.js';
import { runGroupsInWorkers } from './pool.js';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export type RunEvent =
  | { type: 'backend'; backend: BackendChoice }
  | { type: 'resume'; skipped: number; total: number; changed: number }
  | { type: 'notice'; message: string }
  /** A dataset warning, once per data key that raised it (the same warning may come from several). */
  | { type: 'warning'; message: string }
  | { type: 'trial-start'; trial: Trial; position: number; total: number }
  | { type: 'epoch'; trial: Trial; info: EpochInfo }
  | { type: 'trial-end'; trial: Trial; record: TrialRecord; position: number; total: number };

export interface RunOptions {
  /** Where the results go. */
  out: string;
  /** Overrides the spec's `train.backend`; default `auto`. */
  backend?: BackendPreference;
  savePredictions?: boolean;
  /** Write each trial's trained model as a tfjs Layers model into models/<trial>/. */
  saveModels?: boolean;
  /** The spec file the suite was read from, named in the messages of a model that does not fit. */
  specFile?: string;
  /** Keep the trials a previous run of this suite into `out` finished, and run only the rest. */
  resume?: boolean;
  /** Run only this deterministic part of the grid. */
  shard?: Shard;
  /** Child processes running trials in parallel (default: the number of cores); 1 runs in this process. */
  workers?: number;
  /**
   * Threads training each trial (default: the spec's `train.threads`, else the cores the workers
   * leave: cores ÷ workers running). Results do not depend on it.
   */
  threads?: number;
  /** Aborting stops the run: what finished is written, then the promise rejects with RunInterrupted. */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
}

export interface RunResult extends WrittenResults {
  records: TrialRecord[];
  /** Trials run now (the rest came from a previous run when resuming). */
  ran: number;
  seconds: number;
}

/** The run was interrupted; the trials that finished were written to `out`. */
export class RunInterrupted extends Error {
  constructor(
    readonly finished: number,
    readonly total: number,
  ) {
    super(`interrupted: ${finished} of ${total} trials finished`);
    this.name = 'RunInterrupted';
  }
}

export function defaultWorkers(): number {
  return availableParallelism();
}

/** Threads per trial when `running` trials train at once: the cores they leave, shared out. */
export function defaultThreads(running: number): number {
  return Math.max(1, Math.floor(availableParallelism() / Math.max(1, running)));
}

/**
 * Runs every trial of a suite (or of one shard of it) and writes the results. Trials sharing their
 * data (every method of one dataset / skew / seed) run back to back, the data built once; records
 * and files keep grid order, so the output does not depend on how many workers ran it.
 */
export async function runSuite(spec: ResolvedSpec, options: RunOptions): Promise<RunResult> {
  const startedAt = new Date();
  const commit = gitCommit();
  const emit = options.onEvent ?? (() => {});
  const data = datasetFingerprint(spec.dataset);
  // A folder's split is read (and a label without test images refused) before anything trains.
  const dataSplits = datasetSplitCounts(spec.dataset);
  const grid = expandGrid(spec).map((t) => ({ ...t, dataFingerprint: data.of(t.skew, t.seed), ...(options.specFile ? { specFile: options.specFile } : {}) }));
  const trials = options.shard ? selectShard(grid, options.shard.index, options.shard.count) : grid;
  // One writer per folder, and a folder that cannot be written is found before any training.
  const lock = lockResultsFolder(options.out, (message) => emit({ type: 'notice', message }));
  try {
    return await runLocked(spec, { ...options, dataSource: data.source, dataSplits }, trials, startedAt, commit, emit);
  } finally {
    lock.release();
  }
}

async function runLocked(spec: ResolvedSpec, options: RunOptions & { dataSource: string; dataSplits: DataSplits | null }, trials: Trial[], startedAt: Date, commit: string | null, emit: (e: RunEvent) => void): Promise<RunResult> {
  const journal = new Journal(options.out);

  const done = new Map<string, TrialRecord>();
  if (options.resume) {
    const wanted = new Map(trials.map((t) => [t.id, t]));
    const previous = existsSync(join(options.out, RESULT_FILES.manifest)) ? readResults(options.out) : [];
    // A finished trial whose data has changed since (an edited labels file, other images) runs again.
    const stale = new Set<string>();
    for (const r of [...previous, ...journal.load().values()]) {
      const trial = wanted.get(r.trial);
      if (trial && r.dataFingerprint === trial.dataFingerprint) done.set(r.trial, r);
      else if (trial) stale.add(r.trial);
    }
    const changed = [...stale].filter((id) => !done.has(id)).length;
    emit({ type: 'resume', skipped: done.size, total: trials.length, changed });
  } else {
    journal.clear();
  }
  const todo = executionOrder(trials.filter((t) => !done.has(t.id)));
  const records = [...done.values()];
  // A kept trial keeps the predictions and model it saved before; a trial that runs again loses its
  // old ones (it may not save new ones), so the folder never mixes files of two runs of one trial.
  const predictions = [...done.keys()].filter((id) => existsSync(predictionsPath(options.out, id)));
  const models = [...done.keys()].filter((id) => savedModelFiles(id).every((f) => existsSync(join(options.out, f))));
  for (const trial of todo) {
    try {
      rmSync(predictionsPath(options.out, trial.id), { force: true });
      rmSync(join(options.out, savedModelDir(trial.id)), { recursive: true, force: true });
    } catch (err) {
      throw writeError(err, options.out);
    }
  }
  let position = done.size;
  const finished = (trial: Trial, record: TrialRecord): void => {
    try {
      journal.add(record);
    } catch (err) {
      throw writeError(err, options.out);
    }
    records.push(record);
    if (options.savePredictions && record.status === 'ok') predictions.push(trial.id);
    if (options.saveModels && record.status === 'ok') models.push(trial.id);
    emit({ type: 'trial-end', trial, record, position: position++, total: trials.length });
  };
  const backend = options.backend ?? spec.train.backend ?? 'auto';
  const workers = options.workers ?? defaultWorkers();
  const groups = groupByData(todo);
  const inProcess = workers <= 1 || todo.length <= 1;
  const threads = options.threads ?? spec.train.threads ?? defaultThreads(inProcess ? 1 : Math.min(workers, groups.length));

  try {
    if (inProcess) {
      await runHere(todo, backend, { ...options, threads }, emit, () => position, trials.length, finished);
    } else {
      await runGroupsInWorkers(groups, {
        workers,
        threads,
        backend,
        out: options.out,
        savePredictions: Boolean(options.savePredictions),
        saveModels: Boolean(options.saveModels),
        signal: options.signal,
        onBackend: (b) => emit({ type: 'backend', backend: b }),
        onWarning: (message) => emit({ type: 'warning', message }),
        onStart: (trial) => emit({ type: 'trial-start', trial, position, total: trials.length }),
        onEpoch: (trial, info) => emit({ type: 'epoch', trial, info }),
        onRecord: finished,
      });
    }
  } catch (err) {
    if (options.signal?.aborted) {
      if (records.length > 0) write(spec, options.out, records, startedAt, { predictions, models }, commit, options.shard, { dataSource: options.dataSource, dataSplits: options.dataSplits });
      throw new RunInterrupted(records.length, trials.length);
    }
    throw err;
  }
  const written = write(spec, options.out, records, startedAt, { predictions, models }, commit, options.shard, { dataSource: options.dataSource, dataSplits: options.dataSplits });
  try {
    written.files.push(...(await writeCharts(options.out, written.aggregate)));
    written.files.push(writeHtmlReport(options.out, { aggregate: written.aggregate, records, manifest: written.manifest }));
  } catch (err) {
    throw writeError(err, options.out);
  }
  // The journal goes only once every file is written: a failed write leaves it for --resume.
  journal.clear();
  return { ...written, records: [...records].sort((a, b) => a.index - b.index), ran: todo.length, seconds: (Date.now() - startedAt.getTime()) / 1000 };
}

function write(spec: ResolvedSpec, out: string, records: TrialRecord[], startedAt: Date, saved: { predictions: string[]; models: string[] }, commit: string | null, shard: Shard | undefined, data: { dataSource: string; dataSplits: DataSplits | null }): WrittenResults {
  const sorted = [...records].sort((a, b) => a.index - b.index);
  try {
    return writeResults(out, sorted, { spec, startedAt, finishedAt: new Date(), predictions: [...saved.predictions].sort(), models: [...saved.models].sort(), commit, shard: shard && { index: shard.index, count: shard.count }, ...data });
  } catch (err) {
    throw writeError(err, out);
  }
}

/** A failed write as one line naming the file; the journal stays, so --resume finishes the run. */
function writeError(err: unknown, out: string): Error {
  if (err instanceof InputError || !(err as NodeJS.ErrnoException)?.code) return err as Error;
  const path = (err as NodeJS.ErrnoException).path;
  const file = path ? path.replace(/\/\.([^/]+)\.\d+\.\d+\.tmp$/, '/$1') : out;
  return new InputError(`cannot write ${file}: ${ioReason(err)} (the finished trials are kept: fix it and rerun with --resume)`);
}

async function runHere(
  todo: Trial[],
  preference: BackendPreference,
  options: RunOptions,
  emit: (e: RunEvent) => void,
  position: () => number,
  total: number,
  finished: (trial: Trial, record: TrialRecord) => void,
): Promise<void> {
  if (todo.length === 0) return;
  const backend = await selectBackend(preference);
  emit({ type: 'backend', backend });
  const data = lastDataCache((message) => emit({ type: 'warning', message }));
  // Every model of the run (methods' own included) is known to load and fit before the first trains.
  await checkModels(todo, data);
  for (const trial of todo) {
    await nextTick();
    options.signal?.throwIfAborted();
    emit({ type: 'trial-start', trial, position: position(), total });
    const { record, predictions: scores } = await runTrial(trial, backend, data, {
      onEpoch: async (info) => {
        emit({ type: 'epoch', trial, info });
        // Training is synchronous between epochs: give Ctrl-C and the progress bar their turn.
        await nextTick();
        options.signal?.throwIfAborted();
      },
      ...(options.saveModels ? { trained: (model) => saveTrainedModel(options.out, trial.id, model) } : {}),
      threads: options.threads,
    });
    // A trial cut short by an interrupt is not a finished trial.
    options.signal?.throwIfAborted();
    if (options.savePredictions && scores) writePredictions(options.out, trial.id, scores.truth, scores.scores);
    finished(trial, record);
  }
}

function nextTick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Trials grouped by data key, groups in order of first appearance. */
export function groupByData(trials: readonly Trial[]): Trial[][] {
  const groups = new Map<string, Trial[]>();
  for (const t of trials) {
    const g = groups.get(t.dataKey);
    if (g) g.push(t);
    else groups.set(t.dataKey, [t]);
  }
  return [...groups.values()];
}

/** Grid order, regrouped so that trials sharing data run back to back. */
export function executionOrder(trials: readonly Trial[]): Trial[] {
  return groupByData(trials).flat();
}
