import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import { datasetDisplayName } from '../data/build.js';
import type { TrialIdentity } from '../records/records.js';
import { modelName } from '../train/names.js';
import type { DatasetSpec, EvaluationSpec, MethodSpec, ResolvedSpec, TrainSpec } from './spec.js';

/**
 * Part of every hashed config: bump it when the meaning of a config changes (a default, a formula),
 * so stored results of the old meaning no longer match new trial ids.
 */
// 2: a batch's gradient is the sum of its micro-batches' (train.microBatches, 2 for all but the mlp),
// and a folder's images are resized by the project's own resampler.
export const TRIAL_CONFIG_VERSION = 2;

/** Everything that determines a trial's result. */
export interface TrialConfig {
  dataset: DatasetSpec;
  skew: string;
  model: ResolvedSpec['model'];
  train: TrainSpec;
  method: MethodSpec;
  seed: number;
  evaluation: EvaluationSpec;
}

export interface Trial extends TrialConfig {
  /** First 12 hex digits of SHA-256 of the canonical JSON of the config: the same config, the same id, in any suite. */
  id: string;
  /** The same for every method run on one dataset / skew / seed: those trials share their data. */
  dataKey: string;
  /** Position in the full grid (0-based), which is dataset × skew × method × seed in spec order. */
  index: number;
  suite: string;
  /** The fingerprint of the trial's data, once the runner has computed it (not part of the id). */
  dataFingerprint?: string;
  /** The spec file the trial comes from, named in the messages of a model that does not fit (not part of the id). */
  specFile?: string;
  /** Where the trial's model is given in the spec: `model`, or `methods[i].model` for a method's own. */
  modelField: string;
}

/**
 * JSON with object keys sorted at every level, so equal configs hash equally whatever order their
 * fields were written in. Array order is kept (it is meaningful, e.g. augmentations).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`canonicalJson: ${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  throw new RangeError(`canonicalJson: a ${typeof value} has no JSON form`);
}

function shortHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 12);
}

/**
 * The part of a config that determines its result. How a trial runs (`train.backend` and
 * `train.threads`, like the
 * runner's workers and shards) and the checks it must pass are left out, so a trial run on another backend keeps its id; each
 * record stores the backend it ran on.
 */
function identityOf(config: TrialConfig): Omit<TrialConfig, 'train' | 'evaluation'> & { train: Omit<TrainSpec, 'backend' | 'threads'>; evaluation: Omit<EvaluationSpec, 'minTestPositives'> } {
  // Threads change how fast a trial trains, never what it computes (train.ts, micro-batches).
  const { backend: _backend, threads: _threads, ...train } = config.train;
  // minTestPositives only decides whether a trial may run, never what it computes.
  const { minTestPositives: _min, ...evaluation } = config.evaluation;
  return { ...config, train, evaluation };
}

export function trialId(config: TrialConfig): string {
  return shortHash({ version: TRIAL_CONFIG_VERSION, ...identityOf(config) });
}

export function dataKeyOf(config: Pick<TrialConfig, 'dataset' | 'skew' | 'seed'>): string {
  return shortHash({ version: TRIAL_CONFIG_VERSION, dataset: config.dataset, skew: config.skew, seed: config.seed });
}

/** Every trial of a suite, in a fixed order: skew, then method, then seed (spec order at each level). */
export function expandGrid(spec: ResolvedSpec): Trial[] {
  const trials: Trial[] = [];
  for (const skew of spec.skews) {
    for (const [m, method] of spec.methods.entries()) {
      for (const seed of spec.seeds) {
        // A method's own model stands in for the suite's (it is part of the method, so of the id, too).
        const config: TrialConfig = { dataset: spec.dataset, skew, model: method.model ?? spec.model, train: spec.train, method, seed, evaluation: spec.evaluation };
        const modelField = method.model === undefined ? 'model' : `methods[${m}].model`;
        trials.push({ ...config, id: trialId(config), dataKey: dataKeyOf(config), index: trials.length, suite: spec.name, modelField });
      }
    }
  }
  return trials;
}

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** `"2/4"` → { index: 2, count: 4 }. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || !(count >= 1) || !(index >= 1 && index <= count)) {
    throw new InputError(`--shard "${text}": expected i/n with 1 ≤ i ≤ n, e.g. 2/4`);
  }
  return { index, count };
}

/**
 * Shard `index` of `count` (1-based): trials are dealt round-robin in grid order, so the shards are
 * disjoint, together hold every trial, differ in size by at most one, and each gets a mix of skews
 * and methods rather than one slow block.
 */
export function selectShard(trials: readonly Trial[], index: number, count: number): Trial[] {
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 1 || index > count) {
    throw new InputError(`shard ${index}/${count}: expected i/n with 1 ≤ i ≤ n`);
  }
  return trials.filter((_, k) => k % count === index - 1);
}

/** The fields of a trial's record that come from the trial itself rather than from running it. */
export function trialIdentity(trial: Trial): TrialIdentity {
  return {
    trial: trial.id,
    index: trial.index,
    suite: trial.suite,
    dataset: datasetDisplayName(trial.dataset),
    skew: trial.skew,
    method: trial.method.name,
    seed: trial.seed,
    model: modelName(trial.model),
    dataFingerprint: trial.dataFingerprint ?? null,
  };
}
