import { statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { DEFAULT_LEVEL, pairedDifference, summarizeSeeds, welchInterval, type Interval } from '../eval/seed-stats.js';
import type { LabelGroup } from '../labels/stats.js';
import { readText } from './csv.js';
import { num, table, useColor } from './format.js';
import { parsePerLabelCsv, RESULT_FILES, verifyResultsFolder, type PerLabelRow } from './results.js';

/*
 * The regression gate: per-label metrics of a current run against a baseline run, matched by
 * (dataset, skew, method, label). A label regresses when its metric drops by more than a tolerance
 * and, when both sides ran at least two seeds, the drop is also beyond seed noise. Pure apart from
 * reading the two files; the formatters return strings and the command prints them.
 */

export const COMPARE_METRICS = ['f1', 'f1_tuned', 'ap'] as const;
export type CompareMetric = (typeof COMPARE_METRICS)[number];

export const LABEL_FILTERS = ['all', 'head', 'medium', 'tail'] as const;
export type LabelFilter = (typeof LABEL_FILTERS)[number];

export const COMPARE_FORMATS = ['table', 'md', 'json'] as const;
export type CompareFormat = (typeof COMPARE_FORMATS)[number];

export const DEFAULT_MAX_DROP = 0.02;

export interface CompareOptions {
  /** Per-label metric to compare (default f1). */
  metric?: CompareMetric;
  /** A drop of at most this much is tolerated (default 0.02). */
  maxDrop?: number;
  /** Compare only labels of this group, as the baseline grouped them (default all). */
  labels?: LabelFilter;
  /** Confidence level of the Δ intervals (default 0.95). */
  level?: number;
}

/** One side of a comparison: the per-label rows of one run and the file they came from. */
export interface ComparisonSide {
  file: string;
  rows: readonly PerLabelRow[];
}

export interface ComparisonKey {
  dataset: string;
  skew: string;
  method: string;
  label: string;
}

/**
 * How Δ's interval was obtained: `paired` over the seeds both sides ran (≥ 2), `welch` for two
 * independent samples of ≥ 2 seeds each, `none` when a side has a single seed.
 */
export type DeltaTest = 'paired' | 'welch' | 'none';

export interface SideSummary {
  /** Seeds with a value, ascending. */
  seeds: number[];
  /** Mean over those seeds. */
  mean: number;
}

export interface ComparisonRow extends ComparisonKey, DeltaDecision {
  /** The label's group in most baseline seeds (a tie goes to the rarer group). */
  group: LabelGroup;
  baseline: SideSummary;
  current: SideSummary;
}

export interface Comparison {
  metric: CompareMetric;
  maxDrop: number;
  labels: LabelFilter;
  level: number;
  baselineFile: string;
  currentFile: string;
  /** Regressions first, then by Δ ascending (the largest drop first). */
  rows: ComparisonRow[];
  regressions: number;
  /** Keys (after the label filter) with a value on one side only. */
  onlyBaseline: ComparisonKey[];
  onlyCurrent: ComparisonKey[];
}

/**
 * Differences of metrics in [0, 1] carry round-off of about 1e-16; without this slack a drop of
 * exactly `maxDrop` (0.50 → 0.48) would count as larger than it, depending on the binary digits.
 */
const ROUND_OFF = 1e-12;

const GROUP_RARITY: Record<LabelGroup, number> = { head: 0, medium: 1, tail: 2 };

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

/**
 * Group one side's rows by key. Rows whose metric is empty (f1_tuned without a validation split)
 * carry no value; a key and seed twice would make pairing ambiguous, so it is an error naming both lines.
 */
function collect(side: ComparisonSide, metric: CompareMetric): Map<string, KeyValues> {
  const out = new Map<string, KeyValues>();
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
    const value = row[metric];
    if (value === null) continue;
    let entry = out.get(id);
    if (!entry) out.set(id, (entry = { key, values: new Map(), groups: [] }));
    entry.values.set(row.seed, value);
    entry.groups.push(row.group);
  }
  return out;
}

function majorityGroup(groups: readonly LabelGroup[]): LabelGroup {
  const tally = new Map<LabelGroup, number>();
  for (const g of groups) tally.set(g, (tally.get(g) ?? 0) + 1);
  let best = groups[0];
  for (const [g, n] of tally) {
    const bestN = tally.get(best)!;
    if (n > bestN || (n === bestN && GROUP_RARITY[g] > GROUP_RARITY[best])) best = g;
  }
  return best;
}

function sideSummary(values: ReadonlyMap<number, number>, level: number): SideSummary {
  const seeds = [...values.keys()].sort((a, b) => a - b);
  return { seeds, mean: summarizeSeeds(seeds.map((s) => values.get(s)!), level).mean! };
}

function valuesOf(values: ReadonlyMap<number, number>): number[] {
  return [...values.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** The verdict on one label: Δ = current − baseline, its interval and which test gave it. */
export interface DeltaDecision {
  /**
   * current − baseline: the mean paired difference over the shared seeds for a paired test,
   * otherwise the difference of the two means.
   */
  delta: number;
  interval: Interval | null;
  test: DeltaTest;
  /** The seeds the paired differences were taken over (empty unless `test` is paired). */
  pairedSeeds: number[];
  /** The interval lies entirely below 0; null without an interval. */
  significantDrop: boolean | null;
  regression: boolean;
}

/**
 * The decision rule for one key, from its values by seed on each side. Paired over the shared
 * seeds when there are at least two (the shared data and initialisation cancel out); otherwise
 * Welch when both sides have at least two seeds; otherwise no interval, and any drop beyond
 * `maxDrop` counts because there is nothing to tell noise from change with.
 */
export function decideDelta(
  baseline: ReadonlyMap<number, number>,
  current: ReadonlyMap<number, number>,
  maxDrop: number,
  level = DEFAULT_LEVEL,
): DeltaDecision {
  if (baseline.size === 0 || current.size === 0) throw new RangeError('decideDelta: both sides need at least one value');
  const paired = pairedDifference(current, baseline, level);
  let delta: number;
  let interval: Interval | null = null;
  let test: DeltaTest = 'none';
  if (paired.seeds.length >= 2) {
    delta = paired.mean!;
    interval = paired.ci;
    test = 'paired';
  } else {
    const welch = welchInterval(valuesOf(current), valuesOf(baseline), level);
    delta = welch.diff!;
    if (welch.ci) {
      interval = welch.ci;
      test = 'welch';
    }
  }
  const dropsTooMuch = delta < -maxDrop - ROUND_OFF;
  const significantDrop = interval ? interval.high < 0 : null;
  return {
    delta,
    interval,
    test,
    pairedSeeds: test === 'paired' ? paired.seeds : [],
    significantDrop,
    regression: dropsTooMuch && significantDrop !== false,
  };
}

function compareKeys(a: ComparisonKey, b: ComparisonKey): number {
  for (const k of ['dataset', 'skew', 'method', 'label'] as const) {
    if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  }
  return 0;
}

function checkOptions(options: CompareOptions): Required<CompareOptions> {
  const metric = options.metric ?? 'f1';
  const maxDrop = options.maxDrop ?? DEFAULT_MAX_DROP;
  const labels = options.labels ?? 'all';
  const level = options.level ?? DEFAULT_LEVEL;
  if (!COMPARE_METRICS.includes(metric)) throw new InputError(`metric: expected one of ${COMPARE_METRICS.join(', ')}, got "${metric}"`);
  if (!LABEL_FILTERS.includes(labels)) throw new InputError(`labels: expected one of ${LABEL_FILTERS.join(', ')}, got "${labels}"`);
  if (!(Number.isFinite(maxDrop) && maxDrop >= 0)) throw new InputError(`max drop: expected a number ≥ 0, got ${maxDrop}`);
  if (!(level > 0 && level < 1)) throw new InputError(`level: expected a number between 0 and 1 (exclusive), got ${level}`);
  return { metric, maxDrop, labels, level };
}

/**
 * Compare `current` with `baseline` label by label. An InputError (exit code 2) when nothing can be
 * compared: a side without a value of the metric, no key on both sides, or none left after the
 * label filter.
 */
export function compareRuns(baseline: ComparisonSide, current: ComparisonSide, options: CompareOptions = {}): Comparison {
  const { metric, maxDrop, labels, level } = checkOptions(options);
  const base = collect(baseline, metric);
  const cur = collect(current, metric);
  for (const [side, values] of [
    [baseline, base],
    [current, cur],
  ] as const) {
    if (values.size === 0) {
      throw new InputError(`${side.file}: no per-label ${metric} values${side.rows.length === 0 ? ' (the table has no rows)' : ' (the column is empty in every row)'}; nothing to compare`);
    }
  }
  const keep = (entry: KeyValues): boolean => labels === 'all' || majorityGroup(entry.groups) === labels;

  const rows: ComparisonRow[] = [];
  const onlyBaseline: ComparisonKey[] = [];
  let overlapping = 0;
  for (const [id, b] of base) {
    const c = cur.get(id);
    if (c) overlapping++;
    if (!keep(b)) continue;
    if (!c) {
      onlyBaseline.push(b.key);
      continue;
    }
    rows.push({
      ...b.key,
      group: majorityGroup(b.groups),
      baseline: sideSummary(b.values, level),
      current: sideSummary(c.values, level),
      ...decideDelta(b.values, c.values, maxDrop, level),
    });
  }
  const onlyCurrent = [...cur].filter(([id, c]) => !base.has(id) && keep(c)).map(([, c]) => c.key);

  if (overlapping === 0) {
    throw new InputError(
      `no (dataset, skew, method, label) of ${baseline.file} is also in ${current.file} (${base.size} and ${cur.size} keys with ${metric}); nothing to compare`,
    );
  }
  if (rows.length === 0) {
    throw new InputError(`none of the ${overlapping} labels in both ${baseline.file} and ${current.file} is a ${labels} label in the baseline; nothing to compare`);
  }

  rows.sort((a, b) => Number(b.regression) - Number(a.regression) || a.delta - b.delta || compareKeys(a, b));
  return {
    metric,
    maxDrop,
    labels,
    level,
    baselineFile: baseline.file,
    currentFile: current.file,
    rows,
    regressions: rows.filter((r) => r.regression).length,
    onlyBaseline: onlyBaseline.sort(compareKeys),
    onlyCurrent: onlyCurrent.sort(compareKeys),
  };
}

/** Read both sides (results folders or per_label.csv files) and compare them. */
export function compareResults(baselinePath: string, currentPath: string, options: CompareOptions = {}): Comparison {
  checkOptions(options);
  return compareRuns(readComparisonSide(baselinePath), readComparisonSide(currentPath), options);
}

// ---------------------------------------------------------------------------------------------
// Formatting

function levelText(level: number): string {
  return `${Math.round(level * 1000) / 10} %`;
}

/** A difference with its sign; one that rounds to zero is "±0.000". */
function signed(x: number, digits = 3): string {
  const text = num(Math.abs(x), digits);
  if (Number(text) === 0) return `±${text}`;
  return (x > 0 ? '+' : '-') + text;
}

function intervalText(interval: Interval | null): string {
  return interval ? `[${signed(interval.low)}, ${signed(interval.high)}]` : '—';
}

function testText(row: ComparisonRow): string {
  if (row.test === 'paired') return `paired, ${row.pairedSeeds.length} seeds`;
  if (row.test === 'welch') return `Welch, ${row.baseline.seeds.length} vs ${row.current.seeds.length} seeds`;
  return `${row.baseline.seeds.length} vs ${row.current.seeds.length} seed${row.baseline.seeds.length + row.current.seeds.length > 2 ? 's' : ''}`;
}

function metricText(metric: CompareMetric): string {
  return metric === 'f1' ? 'F1' : metric === 'f1_tuned' ? 'tuned F1' : 'AP';
}

/** One line: whether the gate passes, and by what rule. */
export function comparisonVerdict(c: Comparison): string {
  const what = `${c.labels === 'all' ? '' : c.labels + ' '}label${c.rows.length === 1 ? '' : 's'}`;
  const rule = `by more than ${c.maxDrop} (significant at ${levelText(c.level)} where both sides have ≥ 2 seeds)`;
  if (c.regressions > 0) return `regression: ${c.regressions} of ${c.rows.length} ${what} dropped in ${metricText(c.metric)} ${rule}`;
  return `no regression: none of ${c.rows.length} ${what} dropped in ${metricText(c.metric)} ${rule}`;
}

/** The keys compared on one side only, as a count; empty when every key matched. */
function unmatchedText(c: Comparison): string {
  const parts: string[] = [];
  if (c.onlyBaseline.length > 0) parts.push(`${c.onlyBaseline.length} only in the baseline`);
  if (c.onlyCurrent.length > 0) parts.push(`${c.onlyCurrent.length} only in the current run`);
  return parts.length > 0 ? `not compared: ${parts.join(', ')} (dataset, skew, method, label)` : '';
}

/** Dataset and skew get a column only when the comparison spans more than one of them. */
function runsOf(c: Comparison): string[] {
  return [...new Set(c.rows.map((r) => `${r.dataset} · ${r.skew}`))];
}

function cellsOf(c: Comparison, row: ComparisonRow, withRun: boolean): string[] {
  return [
    ...(withRun ? [`${row.dataset} · ${row.skew}`] : []),
    row.method,
    row.label,
    row.group,
    num(row.baseline.mean),
    num(row.current.mean),
    signed(row.delta),
    intervalText(row.interval),
    testText(row),
    row.regression ? 'REGRESSION' : row.delta < -c.maxDrop - ROUND_OFF ? 'drop within noise' : 'ok',
  ];
}

function headOf(c: Comparison, withRun: boolean): string[] {
  const m = metricText(c.metric);
  return [...(withRun ? ['dataset · skew'] : []), 'method', 'label', 'group', `baseline ${m}`, `current ${m}`, 'Δ', `${levelText(c.level)} interval`, 'test', 'verdict'];
}

export interface CompareTableOptions {
  /** Regressions in red; by default only on a terminal without NO_COLOR. */
  color?: boolean;
}

const RED = '\x1b[31m';
const DEFAULT_FG = '\x1b[39m';

/** The terminal report: verdict, one table row per label (regressions first), unmatched keys. */
export function formatComparisonTable(c: Comparison, options: CompareTableOptions = {}): string {
  const color = options.color ?? useColor();
  const runs = runsOf(c);
  const withRun = runs.length > 1;
  const rows = c.rows.map((row) => {
    const cells = cellsOf(c, row, withRun);
    return color && row.regression ? cells.map((x) => RED + x + DEFAULT_FG) : cells;
  });
  const parts = [comparisonVerdict(c)];
  if (!withRun) parts.push(runs[0]);
  parts.push(table(headOf(c, withRun), rows));
  const unmatched = unmatchedText(c);
  if (unmatched) parts.push(unmatched);
  parts.push(`baseline: ${c.baselineFile}`, `current: ${c.currentFile}`);
  return parts.join('\n');
}

/** GitHub's table syntax ends a cell at every unescaped pipe. */
function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}

/** GitHub-flavoured markdown for a CI comment: a one-line verdict, then the table, regressions bold. */
export function formatComparisonMarkdown(c: Comparison): string {
  const runs = runsOf(c);
  const withRun = runs.length > 1;
  const head = headOf(c, withRun);
  // baseline, current, Δ and interval are right-aligned so their digits line up.
  const firstNumeric = (withRun ? 1 : 0) + 3;
  const numeric = (i: number) => i >= firstNumeric && i < firstNumeric + 4;
  const lines = [
    `${c.regressions > 0 ? '❌' : '✅'} **${comparisonVerdict(c)}**${withRun ? '' : ` · ${mdCell(runs[0])}`}`,
    '',
    `| ${head.map(mdCell).join(' | ')} |`,
    `|${head.map((_, i) => (numeric(i) ? '---:' : '---')).join('|')}|`,
    ...c.rows.map((row) => {
      const cells = cellsOf(c, row, withRun).map(mdCell);
      return `| ${(row.regression ? cells.map((x) => `**${x}**`) : cells).join(' | ')} |`;
    }),
  ];
  const unmatched = unmatchedText(c);
  if (unmatched) lines.push('', unmatched);
  return lines.join('\n');
}

/** The comparison as plain JSON: options, verdict counts, every row and the unmatched keys. */
export function comparisonJson(c: Comparison): object {
  return {
    metric: c.metric,
    maxDrop: c.maxDrop,
    labels: c.labels,
    level: c.level,
    baseline: c.baselineFile,
    current: c.currentFile,
    compared: c.rows.length,
    regressions: c.regressions,
    rows: c.rows,
    onlyBaseline: c.onlyBaseline,
    onlyCurrent: c.onlyCurrent,
  };
}

/** The report in the requested format. */
export function formatComparison(c: Comparison, format: CompareFormat, options: CompareTableOptions = {}): string {
  if (format === 'json') return JSON.stringify(comparisonJson(c), null, 2);
  if (format === 'md') return formatComparisonMarkdown(c);
  return formatComparisonTable(c, options);
}
