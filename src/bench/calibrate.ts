import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../fs-atomic.js';
import { expandGrid, type Trial } from '../experiment/grid.js';
import { decodeRecord } from '../experiment/journal.js';
import type { ResolvedSpec } from '../experiment/spec.js';
import { createRng } from '../labels/rng.js';
import { compareRuns, type ComparisonSide, type GateOutcome } from '../report/compare.js';
import type { TrialRecord } from '../records/records.js';
import { parsePerLabelCsv, perLabelCsv, trialsCsv, type PerLabelRow } from '../report/results.js';
import type { BackendPreference } from '../train/index.js';
import type { FaultName } from './faults.js';
import type { FromCalibrationWorker, ToCalibrationWorker } from './calibrate-worker.js';

/*
 * The calibration experiment: how often does `compare` fail a change that does not affect quality,
 * and how often does it catch one that does? Training is the expensive part, so each condition's
 * suite is trained once over a pool of seeds; the gate is then run many times on random subsets of k
 * seeds of that pool (both sides restricted to the same k seeds, as a CI run pairs with the baseline).
 * Subsets of one pool share seeds, so the rates are averages over overlapping draws, not independent
 * trials: their precision is bounded by the pool size, not by the number of draws.
 */

export type ConditionKind = 'reference' | 'neutral' | 'rerun' | 'regression';

export interface CalibrationCondition {
  name: string;
  kind: ConditionKind;
  description: string;
  /** The suite this condition trains, from the reference suite. */
  spec: (reference: ResolvedSpec) => ResolvedSpec;
  fault: FaultName | null;
  /** Only these methods are trained; the others are taken from the reference pool (their code path is untouched). */
  methods?: string[];
  /** Seeds of the pool: the full pool, or only the first `rerunSeeds` (an unchanged rerun). */
  pool: 'full' | 'rerun';
}

const withTrain = (patch: Partial<ResolvedSpec['train']>) => (s: ResolvedSpec): ResolvedSpec => ({ ...s, train: { ...s.train, ...patch } });

export const CONDITIONS: CalibrationCondition[] = [
  { name: 'reference', kind: 'reference', description: 'the suite as committed', spec: (s) => s, fault: null, pool: 'full' },
  { name: 'rerun', kind: 'rerun', description: 'the same suite run again, unchanged', spec: (s) => s, fault: null, pool: 'rerun' },
  { name: 'training-seed', kind: 'neutral', description: 'training randomness only (train.seedOffset 1: other initial weights, batch order, oversampling and augmentation draws; same data)', spec: withTrain({ seedOffset: 1 }), fault: null, pool: 'full' },
  { name: 'fewer-epochs', kind: 'regression', description: 'trained 3 epochs instead of 5', spec: (s) => withTrain({ epochs: Math.max(1, s.train.epochs - 2) })(s), fault: null, pool: 'full' },
  { name: 'learning-rate', kind: 'regression', description: 'learning rate 10× too small', spec: (s) => withTrain({ learningRate: s.train.learningRate / 10 })(s), fault: null, pool: 'full' },
  { name: 'rare-positives-bug', kind: 'regression', description: 'a data bug drops every second positive of the 4 rarest training labels', spec: (s) => s, fault: 'drop-rare-positives', pool: 'full' },
  { name: 'augmentation-bug', kind: 'regression', description: "oversampling's copies get garbling transforms (any rotation, zoom 0.5–1.5, brightness ±60 %) instead of the label-preserving ones", spec: (s) => s, fault: 'garbled-augmentation', methods: ['oversample'], pool: 'full' },
];

export interface CalibrationOptions {
  out: string;
  /** Seeds 1…pool per condition. */
  pool: number;
  /** Seeds of the rerun condition (1…rerun). */
  rerun: number;
  /** Seeds per side of each simulated CI comparison. */
  sizes: number[];
  /** Comparisons per condition and size (fewer when the pool has fewer distinct subsets). */
  draws: number;
  workers: number;
  backend: BackendPreference;
  /** Bootstrap resamples per interval in each comparison. */
  resamples: number;
  /** The gate's level (default: compare's default). */
  level?: number;
  onProgress?: (message: string) => void;
}

function workerPath(): string {
  return fileURLToPath(import.meta.url).replace(/calibrate\.(ts|js)$/, (_m, ext: string) => `calibrate-worker.${ext}`);
}

/** Runs trials on `workers` processes, grouped by data so each group's data is built once. */
function runTrials(trials: Trial[], fault: FaultName | null, workers: number, backend: BackendPreference, onRecord: (r: TrialRecord) => void): Promise<void> {
  const groups = new Map<string, Trial[]>();
  for (const t of trials) groups.set(t.dataKey, [...(groups.get(t.dataKey) ?? []), t]);
  const queue = [...groups.values()];
  const count = Math.max(1, Math.min(workers, queue.length));
  return new Promise((resolve, reject) => {
    const children: ChildProcess[] = [];
    let running = count;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      if (err) reject(err);
      else resolve();
    };
    for (let w = 0; w < count; w++) {
      const child = fork(workerPath(), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      child.on('message', (m: FromCalibrationWorker) => {
        if (m.type === 'ready' || m.type === 'idle') {
          const group = queue.shift();
          const msg: ToCalibrationWorker = group ? { type: 'run', trials: group, fault, backend } : { type: 'exit' };
          child.send(msg);
          if (!group && --running === 0) finish();
        } else if (m.type === 'record') onRecord(decodeRecord(m.record));
        else finish(new Error(`a calibration worker failed: ${m.message}`));
      });
      child.on('exit', (code, signal) => {
        if (!settled && (code !== 0 || signal)) finish(new Error(`a calibration worker exited unexpectedly (${signal ?? `code ${code}`})`));
      });
    }
  });
}

function poolDir(out: string, condition: string): string {
  return join(out, 'pools', condition);
}

function poolSeeds(c: CalibrationCondition, o: Pick<CalibrationOptions, 'pool' | 'rerun'>): number[] {
  return Array.from({ length: c.pool === 'rerun' ? o.rerun : o.pool }, (_, i) => i + 1);
}

/** Trains every condition's pool not already on disk (a pool is kept once complete, so a stopped run resumes by condition). */
export async function trainPools(reference: ResolvedSpec, o: CalibrationOptions): Promise<void> {
  for (const c of CONDITIONS) {
    const dir = poolDir(o.out, c.name);
    const spec = { ...c.spec(reference), seeds: poolSeeds(c, o) };
    const trials = expandGrid(spec).filter((t) => !c.methods || c.methods.includes(t.method.name));
    const trialsFile = join(dir, 'trials.csv');
    if (existsSync(trialsFile)) {
      const have = readFileSync(trialsFile, 'utf8');
      if (trials.every((t) => have.includes(`\n${t.id},`))) {
        o.onProgress?.(`${c.name}: ${trials.length} trials already trained`);
        continue;
      }
    }
    o.onProgress?.(`${c.name}: training ${trials.length} trials (${c.description})`);
    const started = performance.now();
    const records: TrialRecord[] = [];
    await runTrials(trials, c.fault, o.workers, o.backend, (r) => {
      records.push(r);
      if (r.status !== 'ok') o.onProgress?.(`  ${r.method} seed ${r.seed} failed: ${r.reason}`);
    });
    records.sort((a, b) => a.index - b.index);
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(join(dir, 'per_label.csv'), perLabelCsv(records));
    writeFileAtomic(join(dir, 'trials.csv'), trialsCsv(records));
    o.onProgress?.(`${c.name}: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
}

export interface ConditionResult {
  condition: string;
  kind: ConditionKind;
  description: string;
  seeds: number;
  /** Distinct seed subsets compared. */
  draws: number;
  pass: number;
  regression: number;
  inconclusive: number;
  /** Share of comparisons that failed the gate (exit ≠ 0): the false-alarm rate of a neutral change or a rerun, the power for a regression. */
  failRate: number;
  /** Mean rows flagged as regression per comparison, by family. */
  meanFlagged: { summary: number; perLabel: number };
  /** Per comparison: the seeds, the outcome, the flagged rows. */
  raw: Array<{ seeds: number[]; outcome: GateOutcome; flagged: string[] }>;
}

export interface CalibrationFile {
  suite: string;
  design: {
    pool: number;
    rerun: number;
    sizes: number[];
    drawsPerCell: number;
    resamples: number;
    gate: string;
    note: string;
  };
  results: ConditionResult[];
}

function restrict(side: ComparisonSide, seeds: ReadonlySet<number>): ComparisonSide {
  return { file: side.file, rows: side.rows.filter((r) => seeds.has(r.seed)) };
}

/** Up to `draws` distinct k-subsets of `pool`, seeded; all of them when there are no more than `draws`. */
export function seedSubsets(pool: readonly number[], k: number, draws: number, seed: number): number[][] {
  const all: number[][] = [];
  let total = 1;
  for (let i = 0; i < k; i++) total = (total * (pool.length - i)) / (i + 1);
  if (total <= draws) {
    const walk = (start: number, chosen: number[]) => {
      if (chosen.length === k) return void all.push([...chosen]);
      for (let i = start; i < pool.length; i++) walk(i + 1, [...chosen, pool[i]]);
    };
    walk(0, []);
    return all;
  }
  const rng = createRng(seed).fork(`subsets:${k}`);
  const seen = new Set<string>();
  while (all.length < draws) {
    const s = rng.shuffle([...pool]).slice(0, k).sort((a, b) => a - b);
    const id = s.join(',');
    if (!seen.has(id)) {
      seen.add(id);
      all.push(s);
    }
  }
  return all;
}

function readPool(out: string, name: string): ComparisonSide {
  const file = join(poolDir(out, name), 'per_label.csv');
  return { file, rows: parsePerLabelCsv(readFileSync(file, 'utf8'), file) };
}

/** The gate on many seed subsets of every condition against the reference pool, with the default rule. */
export function analyzePools(suite: string, o: Omit<CalibrationOptions, 'workers' | 'backend'>): CalibrationFile {
  const reference = readPool(o.out, 'reference');
  const results: ConditionResult[] = [];
  for (const c of CONDITIONS) {
    if (c.kind === 'reference') continue;
    let current = readPool(o.out, c.name);
    if (c.methods) {
      // Untouched methods: their rows are the reference's (same code path, same seeds).
      const kept: PerLabelRow[] = reference.rows.filter((r) => !c.methods!.includes(r.method));
      current = { file: current.file, rows: [...current.rows, ...kept] };
    }
    const seeds = poolSeeds(c, o);
    for (const k of o.sizes) {
      if (k > seeds.length) continue;
      const raw: ConditionResult['raw'] = [];
      for (const subset of seedSubsets(seeds, k, o.draws, k)) {
        const set = new Set(subset);
        const cmp = compareRuns(restrict(reference, set), restrict(current, set), { resamples: o.resamples, level: o.level });
        raw.push({ seeds: subset, outcome: cmp.outcome, flagged: cmp.rows.filter((r) => r.verdict === 'regression').map((r) => `${r.family}:${r.method}:${r.label}`) });
      }
      const count = (x: GateOutcome) => raw.filter((r) => r.outcome === x).length;
      const flagged = (family: string) => raw.reduce((n, r) => n + r.flagged.filter((f) => f.startsWith(family + ':')).length, 0) / raw.length;
      results.push({
        condition: c.name,
        kind: c.kind,
        description: c.description,
        seeds: k,
        draws: raw.length,
        pass: count('pass'),
        regression: count('regression'),
        inconclusive: count('inconclusive'),
        failRate: (raw.length - count('pass')) / raw.length,
        meanFlagged: { summary: flagged('summary'), perLabel: flagged('per-label') },
        raw,
      });
    }
  }
  return {
    suite,
    design: {
      pool: o.pool,
      rerun: o.rerun,
      sizes: o.sizes,
      drawsPerCell: o.draws,
      resamples: o.resamples,
      gate: 'skewbench compare defaults: paired by seed, per-label AP, Holm per family at α = 0.025, max drop 0.02, min seeds 5',
      note: `each condition trained once over seeds 1…${o.pool} (the rerun over 1…${o.rerun}); each comparison restricts both sides to the same k seeds; subsets overlap, so the draws are not independent`,
    },
    results,
  };
}

export function calibrationFilePath(out: string): string {
  return join(out, 'verdicts.json');
}
