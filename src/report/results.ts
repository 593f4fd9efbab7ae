import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError } from '../errors.js';
import type { EvaluationSummary, LabelMetrics } from '../eval/evaluate.js';
import { writeFileAtomic } from '../fs-atomic.js';
import type { LabelGroup } from '../labels/stats.js';
import { aggregate, type Aggregate, type MetricStatistic } from './aggregate.js';
import { parseCsv, parseCsvTable, readText, toCsv, type Cell, type CsvRow } from './csv.js';
import { buildManifest, MANIFEST_FILE, type DataSplits, type Manifest } from './manifest.js';
import { predictionsPath } from './predictions.js';
import { savedModelFiles } from '../records/saved-models.js';
import { HISTORY_FILE } from './html-curves.js';
import { checkRecord, compareRecords, TIMING_PHASES, TRIAL_STATUSES, type TrialRecord } from '../records/records.js';
import type { SpecRecord } from '../records/records.js';

/*
 * The results folder of a suite: trials.csv and per_label.csv hold every measured number (and read
 * back into the exact records), summary.csv and per_label_summary.csv the seed statistics derived
 * from them, manifest.json what produced them.
 */

export const RESULT_FILES = {
  trials: 'trials.csv',
  perLabel: 'per_label.csv',
  summary: 'summary.csv',
  perLabelSummary: 'per_label_summary.csv',
  manifest: MANIFEST_FILE,
} as const;

/** `results/<suite>` under `root`. */
export function resultsDir(suite: string, root = 'results'): string {
  return join(root, suite);
}

type SummaryField = keyof EvaluationSummary;
/** Every summary field, in column order; `metric?` marks those that may be empty. The Record type keeps the list complete. */
const SUMMARY_FIELDS: Record<SummaryField, 'count' | 'metric' | 'metric?'> = {
  macro_f1: 'metric',
  micro_f1: 'metric',
  map: 'metric',
  head_f1: 'metric?',
  medium_f1: 'metric?',
  tail_f1: 'metric?',
  macro_f1_tuned: 'metric?',
  macro_precision: 'metric',
  macro_recall: 'metric',
  micro_precision: 'metric',
  micro_recall: 'metric',
  images: 'count',
  labels: 'count',
  labels_without_support: 'count',
  head_labels: 'count',
  medium_labels: 'count',
  tail_labels: 'count',
};
const SUMMARY_COLUMNS = Object.keys(SUMMARY_FIELDS) as SummaryField[];
const TIMING_COLUMNS = TIMING_PHASES.map((phase) => `${phase}_seconds`);

/** trials.csv: ids, config, training facts, test metrics, phase timings, throughput, backend, status. */
export const TRIALS_COLUMNS = [
  'trial',
  'index',
  'suite',
  'dataset',
  'skew',
  'model',
  'method',
  'seed',
  'train_images',
  'epochs',
  'steps',
  'final_loss',
  ...SUMMARY_COLUMNS,
  ...TIMING_COLUMNS,
  'images_per_second',
  'backend',
  'backend_version',
  'status',
  'reason',
  'data_fingerprint',
  'retrain_seconds',
] as const;

/** history.csv: one row per trial and training epoch (see EpochRecord). */
export const HISTORY_COLUMNS = ['trial', 'epoch', 'step', 'loss', 'val_loss', 'val_macro_f1', 'seconds'] as const;

export function historyCsv(records: readonly TrialRecord[]): string {
  const rows: Cell[][] = [];
  for (const r of sortedRecords(records)) for (const e of r.history ?? []) rows.push([r.trial, e.epoch, e.step, e.loss, e.valLoss, e.valMacroF1, e.seconds]);
  return toCsv(HISTORY_COLUMNS, rows);
}

/**
 * history.csv back onto `records` (by trial id); a row of an unknown trial is an error naming its line.
 * A history.csv with other columns (e.g. one a user made for the report's learning curves) is no
 * record's history and is left to the report.
 */
function attachHistory(text: string, file: string, records: readonly TrialRecord[]): void {
  const { header, rows } = parseCsvTable(text, file, ['trial', 'epoch']);
  if (!HISTORY_COLUMNS.every((c) => header.includes(c))) return;
  const byId = new Map(records.map((r) => [r.trial, r]));
  for (const row of rows) {
    const trial = row.string('trial');
    const record = byId.get(trial);
    if (!record) throw new InputError(`${file}:${row.line}: trial ${trial} is not in the folder's trials.csv`);
    (record.history ??= []).push({
      epoch: row.integer('epoch'),
      step: row.integer('step'),
      loss: row.number('loss'),
      valLoss: row.optionalNumber('val_loss'),
      valMacroF1: row.optionalNumber('val_macro_f1'),
      seconds: row.number('seconds'),
    });
  }
}

/** per_label.csv: the columns promised to users, then the confusion counts behind them. */
export const PER_LABEL_COLUMNS = [
  'trial',
  'dataset',
  'skew',
  'method',
  'seed',
  'label',
  'train_count',
  'group',
  'support',
  'precision',
  'recall',
  'f1',
  'threshold',
  'f1_tuned',
  'ap',
  'tp',
  'fp',
  'fn',
] as const;

const STAT_COLUMNS = ['n', 'mean', 'sd', 'ci_low', 'ci_high', 'delta_n', 'delta_mean', 'delta_sd', 'delta_ci_low', 'delta_ci_high', 'significant', 'level'] as const;
export const SUMMARY_CSV_COLUMNS = ['dataset', 'skew', 'method', 'metric', ...STAT_COLUMNS] as const;
export const PER_LABEL_SUMMARY_COLUMNS = ['dataset', 'skew', 'method', 'label', 'train_count', 'group', 'metric', ...STAT_COLUMNS] as const;

const LABEL_GROUPS: readonly LabelGroup[] = ['head', 'medium', 'tail'];

function sortedRecords(records: readonly TrialRecord[]): TrialRecord[] {
  return [...records].sort(compareRecords);
}

export function trialsCsv(records: readonly TrialRecord[]): string {
  const rows = sortedRecords(records).map((r): Cell[] => [
    r.trial,
    r.index,
    r.suite,
    r.dataset,
    r.skew,
    r.model,
    r.method,
    r.seed,
    r.trainImages,
    r.epochs,
    r.steps,
    r.finalLoss,
    ...SUMMARY_COLUMNS.map((c) => (r.summary ? r.summary[c] : null)),
    ...TIMING_PHASES.map((phase) => r.timings[phase]),
    r.imagesPerSecond,
    r.backend,
    r.backendVersion,
    r.status,
    r.reason,
    r.dataFingerprint,
    r.timings.retrain ?? null,
  ]);
  return toCsv(TRIALS_COLUMNS, rows);
}

export function perLabelCsv(records: readonly TrialRecord[]): string {
  const rows: Cell[][] = [];
  for (const r of sortedRecords(records)) {
    for (const m of r.perLabel) {
      rows.push([r.trial, r.dataset, r.skew, r.method, r.seed, m.label, m.train_count, m.group, m.support, m.precision, m.recall, m.f1, m.threshold, m.f1_tuned, m.ap, m.tp, m.fp, m.fn]);
    }
  }
  return toCsv(PER_LABEL_COLUMNS, rows);
}

function statCells(s: MetricStatistic): Cell[] {
  const d = s.vsBaseline;
  return [
    s.stats.n,
    s.stats.mean,
    s.stats.sd,
    s.stats.ci?.low ?? null,
    s.stats.ci?.high ?? null,
    d?.n ?? null,
    d?.mean ?? null,
    d?.sd ?? null,
    d?.ci?.low ?? null,
    d?.ci?.high ?? null,
    d ? d.significant : null,
    s.stats.level,
  ];
}

export function summaryCsv(agg: Aggregate): string {
  return toCsv(
    SUMMARY_CSV_COLUMNS,
    agg.summary.map((s) => [s.dataset, s.skew, s.method, s.metric, ...statCells(s)]),
  );
}

export function perLabelSummaryCsv(agg: Aggregate): string {
  return toCsv(
    PER_LABEL_SUMMARY_COLUMNS,
    agg.perLabel.map((s) => [s.dataset, s.skew, s.method, s.label, s.trainCount, s.group, s.metric, ...statCells(s)]),
  );
}

export interface WriteResultsOptions {
  /** The suite's resolved spec, recorded in the manifest. */
  spec: SpecRecord;
  startedAt: Date;
  finishedAt: Date;
  /** The method the others are compared with (default `baseline`). */
  baseline?: string;
  /** Trials whose predictions/<trial>.csv was written, to be listed in the manifest. */
  predictions?: readonly string[];
  /** Trials whose trained model was saved in models/<trial>/, to be listed in the manifest. */
  models?: readonly string[];
  /** The commit the run started from; default HEAD when writing. */
  commit?: string | null;
  /** The shard of the grid this folder holds (absent: the whole grid, or a merge). */
  shard?: { index: number; count: number };
  /** The fingerprint of the dataset source (content and options) every trial drew its data from. */
  dataSource?: string | null;
  /** Per split, per label, the images of data whose split is its own (a folder), recorded in the manifest. */
  dataSplits?: DataSplits | null;
}

export interface WrittenResults {
  dir: string;
  /** Paths written, in the order they were written (the manifest last). */
  files: string[];
  aggregate: Aggregate;
  manifest: Manifest;
}

/**
 * Write trials.csv, per_label.csv, summary.csv, per_label_summary.csv and manifest.json into `dir`.
 * Every record is checked and every file's text built before the first write, and each file is
 * written atomically; the manifest goes last, so its presence means the folder is complete.
 * Prediction files are written separately, per trial, by `writePredictions`.
 */
export function writeResults(dir: string, records: readonly TrialRecord[], options: WriteResultsOptions): WrittenResults {
  records.forEach(checkRecord);
  const ids = new Set<string>();
  for (const r of records) {
    if (ids.has(r.trial)) throw new RangeError(`trial ${r.trial} appears twice in the records`);
    ids.add(r.trial);
  }
  const agg = aggregate(records, { baseline: options.baseline });
  const texts: Array<[string, string]> = [
    [RESULT_FILES.trials, trialsCsv(records)],
    [RESULT_FILES.perLabel, perLabelCsv(records)],
    [RESULT_FILES.summary, summaryCsv(agg)],
    [RESULT_FILES.perLabelSummary, perLabelSummaryCsv(agg)],
  ];
  // The training history, when the trials recorded one; a history of another run never stays beside these tables.
  if (records.some((r) => r.history?.length)) texts.push([HISTORY_FILE, historyCsv(records)]);
  else rmSync(join(dir, HISTORY_FILE), { force: true });
  const manifest = buildManifest({
    spec: options.spec,
    records: sortedRecords(records),
    startedAt: options.startedAt,
    finishedAt: options.finishedAt,
    commit: options.commit,
    shard: options.shard,
    dataSource: options.dataSource,
    dataSplits: options.dataSplits,
    files: [...texts.map(([name]) => name), RESULT_FILES.manifest, ...(options.predictions ?? []).map((trial) => relative(dir, predictionsPath(dir, trial))), ...(options.models ?? []).flatMap(savedModelFiles)],
    sha256: Object.fromEntries(texts.map(([name, text]) => [name, sha256(text)])),
  });
  texts.push([RESULT_FILES.manifest, JSON.stringify(manifest, null, 2) + '\n']);
  // The old manifest goes first: until the new one is written, the folder says it is incomplete
  // rather than vouching for tables of two runs.
  rmSync(join(dir, RESULT_FILES.manifest), { force: true });
  const files: string[] = [];
  for (const [name, text] of texts) {
    const path = join(dir, name);
    writeFileAtomic(path, text);
    files.push(path);
  }
  return { dir, files, aggregate: agg, manifest };
}

function parseSummary(row: CsvRow): EvaluationSummary {
  const summary = {} as Record<SummaryField, number | null>;
  for (const c of SUMMARY_COLUMNS) {
    const kind = SUMMARY_FIELDS[c];
    summary[c] = kind === 'count' ? row.integer(c) : kind === 'metric' ? row.number(c) : row.optionalNumber(c);
  }
  return summary as unknown as EvaluationSummary;
}

/** Columns a trials.csv written before they existed may lack. */
const OPTIONAL_TRIALS_COLUMNS: readonly string[] = ['data_fingerprint', 'retrain_seconds'];

/** trials.csv → records without their per-label rows (`perLabel` empty). */
export function parseTrialsCsv(text: string, file: string): TrialRecord[] {
  const seen = new Map<string, number>();
  return parseCsv(text, file, TRIALS_COLUMNS.filter((c) => !OPTIONAL_TRIALS_COLUMNS.includes(c))).map((row) => {
    const trial = row.string('trial');
    const first = seen.get(trial);
    if (first !== undefined) throw new InputError(`${file}:${row.line}: trial ${trial} appears twice (first on line ${first})`);
    seen.set(trial, row.line);
    const status = row.oneOf('status', TRIAL_STATUSES);
    const timings = Object.fromEntries(TIMING_PHASES.map((phase) => [phase, row.number(`${phase}_seconds`)])) as unknown as TrialRecord['timings'];
    const retrain = row.optionalNumber('retrain_seconds');
    if (retrain !== null) timings.retrain = retrain;
    return {
      trial,
      index: row.integer('index'),
      suite: row.string('suite'),
      dataset: row.string('dataset'),
      skew: row.string('skew'),
      method: row.string('method'),
      seed: row.integer('seed'),
      model: row.string('model'),
      status,
      reason: row.optionalString('reason'),
      dataFingerprint: row.optionalString('data_fingerprint'),
      backend: row.raw('backend'),
      backendVersion: row.raw('backend_version'),
      trainImages: row.integer('train_images'),
      epochs: row.integer('epochs'),
      steps: row.integer('steps'),
      finalLoss: row.optionalNumber('final_loss', true),
      imagesPerSecond: row.optionalNumber('images_per_second'),
      timings,
      // A failed trial has no metrics; whatever its metric cells hold is not read.
      summary: status === 'ok' ? parseSummary(row) : null,
      perLabel: [],
    };
  });
}

export interface PerLabelRow extends LabelMetrics {
  trial: string;
  dataset: string;
  skew: string;
  method: string;
  seed: number;
  /** Line in per_label.csv. */
  line: number;
}

export function parsePerLabelCsv(text: string, file: string): PerLabelRow[] {
  return parseCsv(text, file, PER_LABEL_COLUMNS).map((row) => ({
    trial: row.string('trial'),
    dataset: row.string('dataset'),
    skew: row.string('skew'),
    method: row.string('method'),
    seed: row.integer('seed'),
    label: row.string('label'),
    support: row.integer('support'),
    train_count: row.integer('train_count'),
    group: row.oneOf('group', LABEL_GROUPS),
    tp: row.integer('tp'),
    fp: row.integer('fp'),
    fn: row.integer('fn'),
    precision: row.number('precision'),
    recall: row.number('recall'),
    f1: row.number('f1'),
    threshold: row.optionalNumber('threshold'),
    f1_tuned: row.optionalNumber('f1_tuned'),
    ap: row.number('ap'),
    line: row.line,
  }));
}

const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

/**
 * Checks that a results folder's tables are the ones its manifest lists (by SHA-256): a folder with
 * tables of two runs, or whose manifest is missing beside its tables (a run that failed while
 * writing), is an InputError. Folders written before manifests held hashes are taken as they are.
 */
export function verifyResultsFolder(dir: string): void {
  const manifestFile = join(dir, RESULT_FILES.manifest);
  if (!existsSync(manifestFile)) {
    if (existsSync(join(dir, RESULT_FILES.trials))) {
      throw new InputError(`${dir}: has ${RESULT_FILES.trials} but no ${RESULT_FILES.manifest}: its results were not completely written (rerun, or finish with --resume)`);
    }
    return;
  }
  let hashes: unknown;
  try {
    hashes = (JSON.parse(readFileSync(manifestFile, 'utf8')) as { sha256?: unknown }).sha256;
  } catch {
    return; // readManifest reports a malformed manifest where one is needed
  }
  if (hashes === undefined || hashes === null || typeof hashes !== 'object') return;
  for (const [name, expected] of Object.entries(hashes as Record<string, unknown>)) {
    const file = join(dir, name);
    let actual: string;
    try {
      actual = sha256(readFileSync(file));
    } catch {
      throw new InputError(`${file}: listed in ${manifestFile} but cannot be read`);
    }
    if (actual !== expected) throw new InputError(`${file}: does not match ${manifestFile} (its SHA-256 differs: written by another run?); rerun the suite into this folder`);
  }
}

/**
 * Read a results folder's trials.csv and per_label.csv back into records, each number exactly as
 * it was written. Per-label rows must belong to a listed trial and agree with its config, and an
 * ok trial must have as many label rows as its summary counts; any problem is an InputError naming
 * file and line.
 */
export function readResults(dir: string, options: { verify?: boolean } = {}): TrialRecord[] {
  const trialsFile = join(dir, RESULT_FILES.trials);
  const perLabelFile = join(dir, RESULT_FILES.perLabel);
  const records = parseTrialsCsv(readText(trialsFile, 'the trials table'), trialsFile);
  const rows = parsePerLabelCsv(readText(perLabelFile, 'the per-label table'), perLabelFile);
  const byId = new Map(records.map((r) => [r.trial, r]));
  const labelLines = new Map<string, number>();
  for (const row of rows) {
    const where = `${perLabelFile}:${row.line}`;
    const record = byId.get(row.trial);
    if (!record) throw new InputError(`${where}: trial ${row.trial} is not in ${trialsFile}`);
    if (record.status !== 'ok') throw new InputError(`${where}: trial ${row.trial} failed, so it has no per-label metrics`);
    for (const key of ['dataset', 'skew', 'method', 'seed'] as const) {
      if (row[key] !== record[key]) {
        throw new InputError(`${where}: column "${key}" is ${JSON.stringify(row[key])} but ${trialsFile} has ${JSON.stringify(record[key])} for trial ${row.trial}`);
      }
    }
    const labelKey = JSON.stringify([row.trial, row.label]);
    const first = labelLines.get(labelKey);
    if (first !== undefined) throw new InputError(`${where}: label "${row.label}" of trial ${row.trial} appears twice (first on line ${first})`);
    labelLines.set(labelKey, row.line);
    const { trial: _t, dataset: _d, skew: _s, method: _m, seed: _seed, line: _line, ...metrics } = row;
    record.perLabel.push(metrics);
  }
  for (const r of records) {
    if (r.summary && r.perLabel.length !== r.summary.labels) {
      throw new InputError(`${perLabelFile}: trial ${r.trial} has ${r.perLabel.length} label rows but ${trialsFile} says it has ${r.summary.labels} labels`);
    }
  }
  const historyFile = join(dir, HISTORY_FILE);
  if (existsSync(historyFile)) attachHistory(readText(historyFile, 'the training history'), historyFile, records);
  // Well-formed tables can still come from two runs: the manifest's hashes tell.
  if (options.verify !== false) verifyResultsFolder(dir);
  return records;
}
