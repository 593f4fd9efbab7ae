import { statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { bootstrapMeanInterval, DEFAULT_BOOTSTRAP_RESAMPLES } from '../eval/bootstrap.js';
import { bhAdjust, holmAdjust } from '../eval/multiplicity.js';
import { minimumDetectableDrop, pairedDropTest, type Degenerate, type Interval } from '../eval/seed-stats.js';
import { createRng, hash32 } from '../labels/rng.js';
import { majorityGroup, type LabelGroup } from '../labels/stats.js';
import { readText } from './csv.js';
import { levelText, num, signed, table, useColor } from './format.js';
import { parsePerLabelCsv, RESULT_FILES, verifyResultsFolder, type PerLabelRow } from './results.js';

/*
 * The regression gate: a current run against a baseline run, paired by seed. Two families of
 * one-sided tests, each under Holm's correction: the summary family (per method: Δ macro-F1, Δ mAP,
 * Δ the per-label metric averaged over the baseline's tail labels) and the per-label family (per
 * method × label: Δ of the per-label metric, AP by default). A row regresses when its Holm-adjusted
 * p-value is at most α = 1 − level *and* its mean drop exceeds the family's --max-drop. Pure apart
 * from reading the two files; the formatters return strings and the command prints them.
 */

export const COMPARE_METRICS = ['ap', 'f1', 'f1_tuned'] as const;
export type CompareMetric = (typeof COMPARE_METRICS)[number];

export const LABEL_FILTERS = ['all', 'head', 'medium', 'tail'] as const;
export type LabelFilter = (typeof LABEL_FILTERS)[number];

export const COMPARE_FORMATS = ['table', 'md', 'json'] as const;
export type CompareFormat = (typeof COMPARE_FORMATS)[number];

export const DEFAULT_MAX_DROP = 0.02;
/**
 * 1 − α of each family: α = 0.025 per family, so the gate as a whole (two families, either can fail
 * it) wrongly fails an unchanged-quality run with probability at most 5 % (Bonferroni over the families).
 */
export const DEFAULT_GATE_LEVEL = 0.975;

/** Fewer shared seeds than this and the gate cannot decide: inconclusive. */
export const DEFAULT_MIN_SEEDS = 5;

export const FAMILIES = ['summary', 'per-label'] as const;
export type Family = (typeof FAMILIES)[number];

export type Verdict = 'regression' | 'no regression' | 'inconclusive';

/** The gate's outcome, and the exit code `skewbench compare` ends with. */
export type GateOutcome = 'pass' | 'regression' | 'inconclusive';
export const EXIT_CODES = { pass: 0, regression: 1, unusable: 2, inconclusive: 3 } as const;

export interface CompareOptions {
  /** Per-label metric of the per-label family and of the summary's tail row (default ap). */
  metric?: CompareMetric;
  /** Largest tolerated mean drop, both families (default 0.02). */
  maxDrop?: number;
  /** Overrides `maxDrop` for the summary family. */
  maxDropSummary?: number;
  /** Overrides `maxDrop` for the per-label family. */
  maxDropLabel?: number;
  /** Per-label rows only of this group, as the baseline grouped them (default all). */
  labels?: LabelFilter;
  /** 1 − α of each family's Holm-corrected tests, and the level of the intervals (default 0.975). */
  level?: number;
  /** Fewest shared seeds the gate decides on (default 5). */
  minSeeds?: number;
  /** Inconclusive rows fail the gate too. */
  strict?: boolean;
  /** Baseline rows without a current counterpart do not fail the gate. */
  allowMissing?: boolean;
  /** Bootstrap resamples per interval (default 2000). */
  resamples?: number;
}

export type ResolvedCompareOptions = Required<Omit<CompareOptions, 'maxDrop'>>;

/** One side of a comparison: the per-label rows of one run and the file they came from. */
export interface ComparisonSide {
  file: string;
  rows: readonly PerLabelRow[];
}

export interface ComparisonKey {
  dataset: string;
  skew: string;
  method: string;
  /** The label (or rarity rank) of a per-label row; the metric name (macro_f1, map, tail_ap …) of a summary row. */
  label: string;
}

export interface SideSummary {
  /** Seeds with a value, ascending. */
  seeds: number[];
  /** Mean over those seeds. */
  mean: number;
}

/**
 * One tested row, plain data: what the formatters (table, md, json and others) read. `verdict` is
 * `regression` (adjusted test rejects and the drop exceeds maxDrop), `no regression` (the interval
 * rules out a drop larger than maxDrop) or `inconclusive` (neither).
 */
export interface GateRow extends ComparisonKey {
  family: Family;
  /** The metric this row compares: macro_f1, map, tail_<metric> (summary) or the per-label metric. */
  metric: string;
  /** The label's group in most baseline seeds; null for summary rows. */
  group: LabelGroup | null;
  baseline: SideSummary;
  current: SideSummary;
  /** Seeds both sides have, ascending: the pairs Δ is taken over. */
  pairedSeeds: number[];
  /** Mean of current − baseline over the paired seeds; null without a pair. */
  delta: number | null;
  /** Percentile-bootstrap interval of Δ over the paired seeds (stays within the data's range); null for < 2 pairs. */
  interval: Interval | null;
  /** One-sided paired t-test for a drop. */
  p: number;
  /** Holm-adjusted p within the row's family. */
  pAdjusted: number;
  /** Benjamini–Hochberg q-value within the row's family (for browsing; not used by the gate). */
  q: number;
  /** Smallest true drop the paired seeds detect with 80 % power at the family's strictest Holm step (α / m). */
  minDetectableDrop: number | null;
  degenerate: Degenerate;
  maxDrop: number;
  verdict: Verdict;
}

/** A baseline row the current run lacks: a whole key, or some of its seeds. */
export interface MissingRow extends ComparisonKey {
  seeds: number[];
}

export interface Comparison {
  options: ResolvedCompareOptions;
  baselineFile: string;
  currentFile: string;
  /** Seeds both runs have for every compared row. */
  sharedSeeds: number[];
  outcome: GateOutcome;
  exitCode: number;
  /** Why the outcome is what it is, one sentence. */
  reason: string;
  /** Summary family first, then per-label; regressions first, then by Δ ascending. */
  rows: GateRow[];
  regressions: number;
  inconclusive: number;
  missing: MissingRow[];
  /** Keys of the current run the baseline lacks (shown, never a failure). */
  onlyCurrent: ComparisonKey[];
}

/**
 * Differences of metrics in [0, 1] carry round-off of about 1e-16; without this slack a drop of
 * exactly `maxDrop` (0.50 → 0.48) would count as larger than it, depending on the binary digits.
 */
const ROUND_OFF = 1e-12;
/** Power at which the minimum detectable drop is stated. */
const MDD_POWER = 0.8;


/** A results folder means its per_label.csv; any other path is read as a per-label CSV itself. */
export function perLabelFileOf(path: string): string {
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // A missing path is reported by the read, with the name of what was expected.
  }
  return isDirectory ? join(path, RESULT_FILES.perLabel) : path;
}

/** Read one side of a comparison from a results folder or a per_label.csv. */
export function readComparisonSide(path: string): ComparisonSide {
  const file = perLabelFileOf(path);
  // A folder is gated only when its tables are those its manifest lists.
  if (file !== path) verifyResultsFolder(path);
  return { file, rows: parsePerLabelCsv(readText(file, 'the per-label results (a results folder or a per_label.csv)'), file) };
}

function keyId(k: ComparisonKey): string {
  return JSON.stringify([k.dataset, k.skew, k.method, k.label]);
}

interface KeyValues {
  key: ComparisonKey;
  /** seed → metric value */
  values: Map<number, number>;
  groups: LabelGroup[];
}

/** Per (dataset, skew, method, seed): the rows of that trial, for the summary metrics. */
type TrialRows = Map<string, { key: Omit<ComparisonKey, 'label'>; seeds: Map<number, PerLabelRow[]> }>;

/**
 * Group one side's rows by key. Rows whose metric is empty (f1_tuned without a validation split)
 * carry no value; a key and seed twice would make pairing ambiguous, so it is an error naming both lines.
 */
function collect(side: ComparisonSide, metric: CompareMetric): { perLabel: Map<string, KeyValues>; trials: TrialRows } {
  const out = new Map<string, KeyValues>();
  const trials: TrialRows = new Map();
  const lines = new Map<string, number>();
  for (const row of side.rows) {
    const key: ComparisonKey = { dataset: row.dataset, skew: row.skew, method: row.method, label: row.label };
    const id = keyId(key);
    const seedId = `${id}#${row.seed}`;
    const first = lines.get(seedId);
    if (first !== undefined) {
      throw new InputError(
        `${side.file}:${row.line}: label "${row.label}" of ${row.method} on ${row.dataset} ${row.skew} seed ${row.seed} appears twice (first on line ${first}); keep one of them`,
      );
    }
    lines.set(seedId, row.line);
    const runId = JSON.stringify([row.dataset, row.skew, row.method]);
    let run = trials.get(runId);
    if (!run) trials.set(runId, (run = { key: { dataset: row.dataset, skew: row.skew, method: row.method }, seeds: new Map() }));
    let rowsOfSeed = run.seeds.get(row.seed);
    if (!rowsOfSeed) run.seeds.set(row.seed, (rowsOfSeed = []));
    rowsOfSeed.push(row);
    const value = row[metric];
    if (value === null) continue;
    let entry = out.get(id);
    if (!entry) out.set(id, (entry = { key, values: new Map(), groups: [] }));
    entry.values.set(row.seed, value);
    entry.groups.push(row.group);
  }
  return { perLabel: out, trials };
}


function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function sideSummary(values: ReadonlyMap<number, number>): SideSummary {
  const seeds = [...values.keys()].sort((a, b) => a - b);
  return { seeds, mean: mean(seeds.map((s) => values.get(s)!)) };
}

/** The summary family's metrics of one trial, from its per-label rows (as evaluate averages them). */
function summaryValues(rows: readonly PerLabelRow[], metric: CompareMetric, tail: ReadonlySet<string>): Map<string, number | null> {
  const of = (pick: (r: PerLabelRow) => number | null, subset: readonly PerLabelRow[]): number | null => {
    const values = subset.map(pick);
    return values.length === 0 || values.some((v) => v === null) ? null : mean(values as number[]);
  };
  const tailRows = rows.filter((r) => tail.has(r.label));
  return new Map([
    ['macro_f1', of((r) => r.f1, rows)],
    ['map', of((r) => r.ap, rows)],
    [`tail_${metric}`, of((r) => r[metric], tailRows)],
  ]);
}

function compareKeys(a: ComparisonKey, b: ComparisonKey): number {
  for (const k of ['dataset', 'skew', 'method', 'label'] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  return 0;
}

function checkOptions(options: CompareOptions): ResolvedCompareOptions {
  const metric = options.metric ?? 'ap';
  const maxDrop = options.maxDrop ?? DEFAULT_MAX_DROP;
  const maxDropSummary = options.maxDropSummary ?? maxDrop;
  const maxDropLabel = options.maxDropLabel ?? maxDrop;
  const labels = options.labels ?? 'all';
  const level = options.level ?? DEFAULT_GATE_LEVEL;
  const minSeeds = options.minSeeds ?? DEFAULT_MIN_SEEDS;
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  if (!COMPARE_METRICS.includes(metric)) throw new InputError(`metric: expected one of ${COMPARE_METRICS.join(', ')}, got "${metric}"`);
  if (!LABEL_FILTERS.includes(labels)) throw new InputError(`labels: expected one of ${LABEL_FILTERS.join(', ')}, got "${labels}"`);
  for (const [name, v] of [['max drop', maxDrop], ['summary max drop', maxDropSummary], ['per-label max drop', maxDropLabel]] as const) {
    if (!(Number.isFinite(v) && v >= 0)) throw new InputError(`${name}: expected a number ≥ 0, got ${v}`);
  }
  if (!(level > 0 && level < 1)) throw new InputError(`level: expected a number between 0 and 1 (exclusive), got ${level}`);
  if (!(Number.isInteger(minSeeds) && minSeeds >= 2)) throw new InputError(`min seeds: expected an integer ≥ 2, got ${minSeeds}`);
  if (!(Number.isInteger(resamples) && resamples >= 1)) throw new InputError(`resamples: expected a positive integer, got ${resamples}`);
  return { metric, maxDropSummary, maxDropLabel, labels, level, minSeeds, strict: options.strict ?? false, allowMissing: options.allowMissing ?? false, resamples };
}

interface PendingRow {
  family: Family;
  key: ComparisonKey;
  metric: string;
  group: LabelGroup | null;
  baseline: ReadonlyMap<number, number>;
  current: ReadonlyMap<number, number>;
}

/** Tests every row of one family and applies Holm (and BH for display) across it. */
function testFamily(pending: readonly PendingRow[], o: ResolvedCompareOptions, gated: boolean): GateRow[] {
  const alpha = 1 - o.level;
  const maxDrop = pending[0]?.family === 'summary' ? o.maxDropSummary : o.maxDropLabel;
  const tested = pending.map((r) => {
    const pairedSeeds = [...r.current.keys()].filter((s) => r.baseline.has(s)).sort((a, b) => a - b);
    const d = pairedSeeds.map((s) => r.current.get(s)! - r.baseline.get(s)!);
    const test = pairedDropTest(d);
    const rng = createRng(hash32(`${r.family}|${keyId(r.key)}|${pairedSeeds.join(',')}`));
    return { r, pairedSeeds, d, test, interval: bootstrapMeanInterval(d, o.level, rng, o.resamples) };
  });
  const p = tested.map((t) => t.test.p);
  const adjusted = holmAdjust(p);
  const q = bhAdjust(p);
  const m = Math.max(1, tested.length);
  return tested.map((t, i): GateRow => {
    const delta = t.test.mean;
    const dropsTooMuch = delta !== null && delta < -maxDrop - ROUND_OFF;
    let verdict: Verdict = 'inconclusive';
    if (gated && t.pairedSeeds.length >= o.minSeeds) {
      if (adjusted[i] <= alpha && dropsTooMuch) verdict = 'regression';
      else if (t.interval !== null && t.interval.low >= -maxDrop - ROUND_OFF) verdict = 'no regression';
    }
    return {
      family: t.r.family,
      ...t.r.key,
      metric: t.r.metric,
      group: t.r.group,
      baseline: sideSummary(t.r.baseline),
      current: sideSummary(t.r.current),
      pairedSeeds: t.pairedSeeds,
      delta,
      interval: t.interval,
      p: p[i],
      pAdjusted: adjusted[i],
      q: q[i],
      minDetectableDrop: t.test.sd === null ? null : minimumDetectableDrop(t.test.sd, t.pairedSeeds.length, alpha / m, MDD_POWER),
      degenerate: t.test.degenerate,
      maxDrop,
      verdict,
    };
  });
}

/**
 * Compare `current` with `baseline`. An InputError (exit code 2) when nothing can be compared: a
 * side without a value of the metric, no key on both sides, or none left after the label filter.
 */
export function compareRuns(baseline: ComparisonSide, current: ComparisonSide, options: CompareOptions = {}): Comparison {
  const o = checkOptions(options);
  const base = collect(baseline, o.metric);
  const cur = collect(current, o.metric);
  for (const [side, values] of [
    [baseline, base.perLabel],
    [current, cur.perLabel],
  ] as const) {
    if (values.size === 0) throw new InputError(`${side.file}: no row has a value of ${o.metric}${o.metric === 'f1_tuned' ? ' (the run had no validation split)' : ''}; nothing to compare`);
  }

  // Per-label family, and what the baseline has that the current run lacks.
  const labelRows: PendingRow[] = [];
  const missing: MissingRow[] = [];
  const groupOf = new Map<string, LabelGroup>();
  let overlapping = 0;
  for (const [id, b] of base.perLabel) {
    const group = majorityGroup(b.groups);
    groupOf.set(id, group);
    const c = cur.perLabel.get(id);
    const lacking = [...b.values.keys()].filter((s) => !c?.values.has(s)).sort((x, y) => x - y);
    if (lacking.length > 0) missing.push({ ...b.key, seeds: lacking });
    if (!c) continue;
    overlapping++;
    if (o.labels !== 'all' && group !== o.labels) continue;
    labelRows.push({ family: 'per-label', key: b.key, metric: o.metric, group, baseline: b.values, current: c.values });
  }
  const onlyCurrent = [...cur.perLabel].filter(([id]) => !base.perLabel.has(id)).map(([, c]) => c.key);
  if (overlapping === 0) {
    throw new InputError(
      `no (dataset, skew, method, label) of ${baseline.file} is also in ${current.file} (${base.perLabel.size} and ${cur.perLabel.size} keys with ${o.metric}); nothing to compare`,
    );
  }
  if (labelRows.length === 0) {
    throw new InputError(`none of the ${overlapping} labels in both ${baseline.file} and ${current.file} is a ${o.labels} label in the baseline; nothing to compare`);
  }

  // Summary family: per (dataset, skew, method), the macro metrics of each trial.
  const summaryRows: PendingRow[] = [];
  for (const [runId, b] of base.trials) {
    const c = cur.trials.get(runId);
    if (!c) continue;
    // Over the labels both sides have, so a missing label (allowed) does not move the averages.
    const both = new Set([...base.perLabel.keys()].filter((id) => cur.perLabel.has(id)));
    const sharedRows = (rows: PerLabelRow[]) => rows.filter((r) => both.has(keyId({ dataset: r.dataset, skew: r.skew, method: r.method, label: r.label })));
    const tail = new Set(
      [...base.perLabel.entries()].filter(([id, kv]) => kv.key.dataset === b.key.dataset && kv.key.skew === b.key.skew && kv.key.method === b.key.method && groupOf.get(id) === 'tail').map(([, kv]) => kv.key.label),
    );
    const perSeed = (run: typeof b) => new Map([...run.seeds].map(([seed, rows]) => [seed, summaryValues(sharedRows(rows), o.metric, tail)]));
    const bs = perSeed(b);
    const cs = perSeed(c);
    for (const metric of ['macro_f1', 'map', `tail_${o.metric}`]) {
      const values = (m: Map<number, Map<string, number | null>>) => {
        const out = new Map<number, number>();
        for (const [seed, v] of m) if (v.get(metric) != null) out.set(seed, v.get(metric)!);
        return out;
      };
      const bv = values(bs);
      const cv = values(cs);
      if (bv.size === 0 || cv.size === 0) continue;
      summaryRows.push({ family: 'summary', key: { ...b.key, label: metric }, metric, group: null, baseline: bv, current: cv });
    }
  }

  const shared = (r: PendingRow) => [...r.current.keys()].filter((s) => r.baseline.has(s));
  const all = [...summaryRows, ...labelRows];
  let common = new Set(shared(all[0]));
  for (const r of all) {
    const s = new Set(shared(r));
    common = new Set([...common].filter((x) => s.has(x)));
  }
  const sharedSeeds = [...common].sort((a, b) => a - b);
  const fewest = Math.min(...all.map((r) => shared(r).length));
  const singleSeed = all.every((r) => r.baseline.size <= 1 && r.current.size <= 1);
  const gated = !singleSeed && fewest >= o.minSeeds;

  const order = (a: GateRow, b: GateRow) => Number(b.verdict === 'regression') - Number(a.verdict === 'regression') || (a.delta ?? 0) - (b.delta ?? 0) || compareKeys(a, b);
  const rows = [...testFamily(summaryRows, o, gated).sort(order), ...testFamily(labelRows, o, gated).sort(order)];
  const regressions = rows.filter((r) => r.verdict === 'regression').length;
  const inconclusive = rows.filter((r) => r.verdict === 'inconclusive').length;

  let outcome: GateOutcome;
  let reason: string;
  const missingText = `${missing.length} baseline row${missing.length === 1 ? '' : 's'} (method, label or seed) missing from the current run`;
  if (missing.length > 0 && !o.allowMissing) {
    outcome = 'regression';
    reason = `${missingText} (--allow-missing to compare what is there)`;
  } else if (singleSeed) {
    outcome = 'inconclusive';
    reason = 'one seed per side: reported, never gated (run ≥ ' + o.minSeeds + ' seeds on both sides)';
  } else if (!gated) {
    outcome = 'inconclusive';
    reason = `only ${fewest} shared seed${fewest === 1 ? '' : 's'} where the gate needs ≥ ${o.minSeeds}: cannot decide (seeds are paired; different seeds are never compared)`;
  } else if (regressions > 0) {
    outcome = 'regression';
    reason = `${regressions} of ${rows.length} rows regressed (Holm-adjusted one-sided p ≤ ${fmtP(1 - o.level)} and a drop beyond --max-drop)`;
  } else if (o.strict && inconclusive > 0) {
    outcome = 'regression';
    reason = `--strict: ${inconclusive} of ${rows.length} rows inconclusive (their interval cannot rule out a drop beyond --max-drop)`;
  } else {
    outcome = 'pass';
    reason = `no regression in ${rows.length} rows${inconclusive > 0 ? ` (${inconclusive} inconclusive, shown but not failing)` : ''}${missing.length > 0 ? `; ${missingText}, allowed` : ''}`;
  }
  return {
    options: o,
    baselineFile: baseline.file,
    currentFile: current.file,
    sharedSeeds,
    outcome,
    exitCode: EXIT_CODES[outcome],
    reason,
    rows,
    regressions,
    inconclusive,
    missing: missing.sort(compareKeys),
    onlyCurrent: onlyCurrent.sort(compareKeys),
  };
}

/** Read both sides (results folders or per_label.csv files) and compare them. */
export function compareResults(baselinePath: string, currentPath: string, options: CompareOptions = {}): Comparison {
  checkOptions(options);
  return compareRuns(readComparisonSide(baselinePath), readComparisonSide(currentPath), options);
}

function fmtP(p: number): string {
  if (p === 0) return '0';
  if (p < 0.001) return p.toExponential(1);
  return num(p, 3);
}

// ---------------------------------------------------------------------------------------------
// Formatting

function intervalText(interval: Interval | null): string {
  return interval ? `[${signed(interval.low)}, ${signed(interval.high)}]` : '—';
}

function metricText(metric: string): string {
  const names: Record<string, string> = { f1: 'F1', f1_tuned: 'tuned F1', ap: 'AP', macro_f1: 'macro-F1', map: 'mAP', tail_ap: 'tail AP', tail_f1: 'tail F1', tail_f1_tuned: 'tail tuned F1' };
  return names[metric] ?? metric;
}

/** One line: the outcome and why. */
export function comparisonVerdict(c: Comparison): string {
  const head = c.outcome === 'pass' ? 'no regression' : c.outcome;
  return `${head}: ${c.reason}; paired over ${c.sharedSeeds.length} shared seed${c.sharedSeeds.length === 1 ? '' : 's'}, Holm per family at α = ${fmtP(1 - c.options.level)}, max drop ${c.options.maxDropSummary} (summary) / ${c.options.maxDropLabel} (per-label ${metricText(c.options.metric)})`;
}

function missingText(c: Comparison): string {
  const parts: string[] = [];
  if (c.missing.length > 0) parts.push(`missing from the current run: ${c.missing.slice(0, 5).map((m) => `${m.method}/${m.label} seed${m.seeds.length === 1 ? '' : 's'} ${m.seeds.join(',')}`).join('; ')}${c.missing.length > 5 ? `; … ${c.missing.length - 5} more` : ''}`);
  if (c.onlyCurrent.length > 0) parts.push(`${c.onlyCurrent.length} (dataset, skew, method, label) only in the current run`);
  return parts.join('\n');
}

function runsOf(c: Comparison): string[] {
  return [...new Set(c.rows.map((r) => `${r.dataset} · ${r.skew}`))];
}

function cellsOf(row: GateRow, withRun: boolean): string[] {
  return [
    ...(withRun ? [`${row.dataset} · ${row.skew}`] : []),
    row.family,
    row.method,
    row.family === 'summary' ? metricText(row.metric) : row.label,
    row.group ?? '',
    num(row.baseline.mean),
    num(row.current.mean),
    row.delta === null ? '—' : signed(row.delta),
    intervalText(row.interval),
    String(row.pairedSeeds.length),
    fmtP(row.p),
    fmtP(row.pAdjusted),
    fmtP(row.q),
    row.minDetectableDrop === null ? '—' : Number.isFinite(row.minDetectableDrop) ? num(row.minDetectableDrop) : '∞',
    (row.verdict === 'regression' ? 'REGRESSION' : row.verdict) + (row.degenerate ? ` (${row.degenerate})` : ''),
  ];
}

function headOf(c: Comparison, withRun: boolean): string[] {
  return [...(withRun ? ['dataset · skew'] : []), 'family', 'method', 'label / metric', 'group', 'baseline', 'current', 'Δ', `${levelText(c.options.level)} interval`, 'pairs', 'p', 'p Holm', 'q BH', 'min. detectable drop', 'verdict'];
}

export interface CompareTableOptions {
  /** Regressions in red; by default only on a terminal without NO_COLOR. */
  color?: boolean;
}

const RED = '\x1b[31m';
const DEFAULT_FG = '\x1b[39m';

/** The terminal report: verdict, one table row per tested row (summary family first), missing keys. */
export function formatComparisonTable(c: Comparison, options: CompareTableOptions = {}): string {
  const color = options.color ?? useColor();
  const runs = runsOf(c);
  const withRun = runs.length > 1;
  const rows = c.rows.map((row) => {
    const cells = cellsOf(row, withRun);
    return color && row.verdict === 'regression' ? cells.map((x) => RED + x + DEFAULT_FG) : cells;
  });
  const parts = [comparisonVerdict(c)];
  if (!withRun) parts.push(runs[0]);
  parts.push(table(headOf(c, withRun), rows));
  const missing = missingText(c);
  if (missing) parts.push(missing);
  parts.push(`baseline: ${c.baselineFile}`, `current: ${c.currentFile}`);
  return parts.join('\n');
}

/** GitHub's table syntax ends a cell at every unescaped pipe. */
function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}

const OUTCOME_MARK: Record<GateOutcome, string> = { pass: '✅', regression: '❌', inconclusive: '⚠️' };

/** GitHub-flavoured markdown for a CI comment: a one-line verdict, then the table, regressions bold. */
export function formatComparisonMarkdown(c: Comparison): string {
  const runs = runsOf(c);
  const withRun = runs.length > 1;
  const head = headOf(c, withRun);
  const firstNumeric = (withRun ? 1 : 0) + 4;
  const numeric = (i: number) => i >= firstNumeric && i < firstNumeric + 10;
  const lines = [
    `${OUTCOME_MARK[c.outcome]} **${mdCell(comparisonVerdict(c))}**${withRun ? '' : ` · ${mdCell(runs[0])}`}`,
    '',
    `| ${head.map(mdCell).join(' | ')} |`,
    `|${head.map((_, i) => (numeric(i) ? '---:' : '---')).join('|')}|`,
    ...c.rows.map((row) => {
      const cells = cellsOf(row, withRun).map(mdCell);
      return `| ${(row.verdict === 'regression' ? cells.map((x) => `**${x}**`) : cells).join(' | ')} |`;
    }),
  ];
  const missing = missingText(c);
  if (missing) lines.push('', ...missing.split('\n').map(mdCell));
  return lines.join('\n');
}

/** The comparison as plain JSON: options, outcome, every row and the missing keys. */
export function comparisonJson(c: Comparison): object {
  return {
    outcome: c.outcome,
    exitCode: c.exitCode,
    reason: c.reason,
    options: c.options,
    baseline: c.baselineFile,
    current: c.currentFile,
    sharedSeeds: c.sharedSeeds,
    compared: c.rows.length,
    regressions: c.regressions,
    inconclusive: c.inconclusive,
    rows: c.rows,
    missing: c.missing,
    onlyCurrent: c.onlyCurrent,
  };
}

/** The report in the requested format. */
export function formatComparison(c: Comparison, format: CompareFormat, options: CompareTableOptions = {}): string {
  if (format === 'json') return JSON.stringify(comparisonJson(c), null, 2);
  if (format === 'md') return formatComparisonMarkdown(c);
  return formatComparisonTable(c, options);
}
