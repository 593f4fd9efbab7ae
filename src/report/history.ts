import { statSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import { InputError } from '../errors.js';
import { DEFAULT_LEVEL, pairedDifference, welchInterval, type Interval } from '../eval/seed-stats.js';
import { num, table } from './format.js';
import { esc, htmlPage, htmlTable } from './html-page.js';
import { readManifest, type Manifest } from './manifest.js';
import type { TrialRecord } from '../records/records.js';
import { readResults } from './results.js';

/*
 * Metrics across runs of one suite (e.g. one results folder per commit): the runs in the order they
 * started, every summary metric and every label's metric of every method as a series over them,
 * and the steps where a series moved beyond its seed noise.
 *
 * The step rule, in the spirit of asv's step detection but over seeds rather than repeated timings:
 * consecutive runs k−1 → k of one series make a step when
 *   1. |Δ| ≥ minStep (default 0.02, the gate's tolerance), and
 *   2. Δ's interval at `level` (95 %) excludes 0 — paired over the seeds both runs share when there
 *      are ≥ 2 (same seed, same data and initial weights), else Welch when each run has ≥ 2 seeds.
 * A change of at least minStep that has no interval (a run with a single seed) is reported as
 * "unsure", never as a step. Pure apart from `readHistoryRuns`.
 */

export const HISTORY_SUMMARY_METRICS = ['macro_f1', 'tail_f1', 'medium_f1', 'head_f1', 'map'] as const;
export const HISTORY_LABEL_METRICS = ['f1', 'f1_tuned', 'ap'] as const;
export type HistoryLabelMetric = (typeof HISTORY_LABEL_METRICS)[number];
export const DEFAULT_MIN_STEP = 0.02;

export interface HistoryRun {
  dir: string;
  manifest: Manifest;
  records: TrialRecord[];
}

export interface RunInfo {
  /** 1-based position in the history. */
  index: number;
  dir: string;
  commit: string | null;
  startedAt: string;
  trials: number;
}

export type StepKind = 'up' | 'down';

export interface SeriesPoint {
  run: number;
  /** Values by seed. */
  n: number;
  mean: number | null;
  /** Compared with the previous run that has a value; null for the first. */
  delta: number | null;
  interval: Interval | null;
  /** A step beyond noise, 'unsure' for a big change without an interval, null otherwise. */
  step: StepKind | 'unsure' | null;
}

export interface Series {
  kind: 'summary' | 'label';
  dataset: string;
  skew: string;
  method: string;
  /** For labels: the label's name; for summary series: empty. */
  label: string;
  group: string;
  metric: string;
  points: SeriesPoint[];
}

export interface History {
  suite: string;
  level: number;
  minStep: number;
  runs: RunInfo[];
  series: Series[];
}

export interface HistoryOptions {
  labelMetric?: HistoryLabelMetric;
  minStep?: number;
  level?: number;
}

function requireFolder(dir: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${dir}: cannot open the results folder (${code === 'ENOENT' ? 'no such directory' : (code ?? String(err))})`);
  }
  if (!isDirectory) throw new InputError(`${dir}: expected a results folder (with manifest.json, trials.csv and per_label.csv), got a file`);
}

/**
 * Read the results folders of a history: each must be a folder with a manifest and tables, all of
 * one suite. Errors are InputErrors naming the folder.
 */
export function readHistoryRuns(dirs: readonly string[]): HistoryRun[] {
  if (dirs.length === 0) throw new InputError('history: name at least one results folder');
  const runs = dirs.map((dir) => {
    requireFolder(dir);
    const manifest = readManifest(dir);
    if (typeof manifest.suite !== 'string' || typeof manifest.startedAt !== 'string' || Number.isNaN(Date.parse(manifest.startedAt))) {
      throw new InputError(`${dir}/manifest.json: expected "suite" and an ISO "startedAt"`);
    }
    return { dir, manifest, records: readResults(dir) };
  });
  const first = runs[0];
  for (const r of runs.slice(1)) {
    if (r.manifest.suite !== first.manifest.suite) {
      throw new InputError(`${r.dir}: a run of suite "${r.manifest.suite}", but ${first.dir} is of suite "${first.manifest.suite}"; a history follows one suite`);
    }
  }
  return runs;
}

interface Cell {
  dataset: string;
  skew: string;
  method: string;
  label: string;
  group: string;
  metric: string;
  kind: Series['kind'];
  /** run → seed → value */
  values: Map<number, Map<number, number>>;
}

function compareStart(a: HistoryRun, b: HistoryRun): number {
  const t = Date.parse(a.manifest.startedAt) - Date.parse(b.manifest.startedAt);
  if (t !== 0) return t;
  const ca = a.manifest.skewbench?.commit ?? '';
  const cb = b.manifest.skewbench?.commit ?? '';
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

/** Decide a step between two runs' values by seed. */
export function stepBetween(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
  minStep: number,
  level = DEFAULT_LEVEL,
): Pick<SeriesPoint, 'delta' | 'interval' | 'step'> {
  const paired = pairedDifference(after, before, level);
  let delta: number;
  let interval: Interval | null = null;
  if (paired.seeds.length >= 2) {
    delta = paired.mean!;
    interval = paired.ci;
  } else {
    const w = welchInterval([...after.values()], [...before.values()], level);
    delta = w.diff!;
    interval = w.ci;
  }
  const big = Math.abs(delta) >= minStep - 1e-12;
  let step: SeriesPoint['step'] = null;
  if (big && interval === null) step = 'unsure';
  else if (big && interval && (interval.low > 0 || interval.high < 0)) step = delta > 0 ? 'up' : 'down';
  return { delta, interval, step };
}

/** The history of runs, ordered by start time (the commit breaks a tie). */
export function buildHistory(input: readonly HistoryRun[], options: HistoryOptions = {}): History {
  const labelMetric = options.labelMetric ?? 'f1';
  const minStep = options.minStep ?? DEFAULT_MIN_STEP;
  const level = options.level ?? DEFAULT_LEVEL;
  const runs = [...input].sort(compareStart);
  const cells = new Map<string, Cell>();
  const cell = (k: Omit<Cell, 'values'>): Cell => {
    const id = JSON.stringify([k.kind, k.dataset, k.skew, k.method, k.label, k.metric]);
    let c = cells.get(id);
    if (!c) cells.set(id, (c = { ...k, values: new Map() }));
    return c;
  };
  runs.forEach((run, i) => {
    for (const r of run.records) {
      if (r.status !== 'ok' || !r.summary) continue;
      const key = { dataset: r.dataset, skew: r.skew, method: r.method };
      for (const metric of HISTORY_SUMMARY_METRICS) {
        const v = r.summary[metric];
        if (v === null) continue;
        const c = cell({ ...key, label: '', group: '', metric, kind: 'summary' });
        if (!c.values.has(i)) c.values.set(i, new Map());
        c.values.get(i)!.set(r.seed, v);
      }
      for (const m of r.perLabel) {
        const v = m[labelMetric];
        if (v === null) continue;
        const c = cell({ ...key, label: m.label, group: m.group, metric: labelMetric, kind: 'label' });
        if (!c.values.has(i)) c.values.set(i, new Map());
        c.values.get(i)!.set(r.seed, v);
      }
    }
  });
  const series: Series[] = [...cells.values()].map((c) => {
    let previous: Map<number, number> | undefined;
    const points = runs.map((_, i): SeriesPoint => {
      const values = c.values.get(i);
      if (!values || values.size === 0) return { run: i + 1, n: 0, mean: null, delta: null, interval: null, step: null };
      const mean = [...values.values()].reduce((a, b) => a + b, 0) / values.size;
      const decided = previous ? stepBetween(previous, values, minStep, level) : { delta: null, interval: null, step: null };
      previous = values;
      return { run: i + 1, n: values.size, mean, ...decided };
    });
    return { kind: c.kind, dataset: c.dataset, skew: c.skew, method: c.method, label: c.label, group: c.group, metric: c.metric, points };
  });
  return {
    suite: runs[0].manifest.suite,
    level,
    minStep,
    runs: runs.map((r, i) => ({ index: i + 1, dir: r.dir, commit: r.manifest.skewbench?.commit ?? null, startedAt: r.manifest.startedAt, trials: r.records.length })),
    series,
  };
}

function mark(p: SeriesPoint): string {
  return p.step === 'up' ? ' ▲' : p.step === 'down' ? ' ▼' : p.step === 'unsure' ? ' ?' : '';
}

function runLabel(r: RunInfo): string {
  return `#${r.index} ${r.commit ? r.commit.slice(0, 8) : 'no commit'}`;
}

function seriesName(s: Series): string {
  return s.kind === 'label' ? `${s.method} · ${s.label} (${s.group})` : `${s.method} · ${s.metric}`;
}

export interface StepRow {
  series: Series;
  point: SeriesPoint;
  from: RunInfo;
  to: RunInfo;
}

/** Every step (and unsure change), in run order. */
export function historySteps(h: History): StepRow[] {
  const rows: StepRow[] = [];
  for (const s of h.series) {
    for (const p of s.points) {
      if (!p.step) continue;
      const before = [...s.points].reverse().find((q) => q.run < p.run && q.mean !== null)!;
      rows.push({ series: s, point: p, from: h.runs[before.run - 1], to: h.runs[p.run - 1] });
    }
  }
  return rows.sort((a, b) => a.to.index - b.to.index || (a.point.step === 'down' ? -1 : 1) - (b.point.step === 'down' ? -1 : 1));
}

function panels(h: History): string[] {
  return [...new Set(h.series.map((s) => `${s.dataset} · ${s.skew}`))];
}

/** The terminal view: the runs, the summary metrics over them, labels that stepped, and the steps. */
export function formatHistory(h: History): string {
  const parts: string[] = [];
  parts.push(`history of suite ${h.suite}: ${h.runs.length} runs in order of start time`);
  parts.push(table(['run', 'commit', 'started', 'trials', 'folder'], h.runs.map((r) => [`#${r.index}`, r.commit?.slice(0, 12) ?? '—', r.startedAt, r.trials, r.dir])));
  const runHead = h.runs.map(runLabel);
  for (const panel of panels(h)) {
    const inPanel = h.series.filter((s) => `${s.dataset} · ${s.skew}` === panel);
    const summary = inPanel.filter((s) => s.kind === 'summary' && (s.metric === 'macro_f1' || s.metric === 'tail_f1'));
    parts.push(`${panel}: summary metrics (mean over seeds)`);
    parts.push(table(['method · metric', ...runHead], summary.map((s) => [seriesName(s), ...s.points.map((p) => num(p.mean) + mark(p))])));
    const labels = inPanel.filter((s) => s.kind === 'label');
    const stepped = labels.filter((s) => s.points.some((p) => p.step));
    if (labels.length > 0) {
      parts.push(`${panel}: per-label ${labels[0].metric} of the ${stepped.length} of ${labels.length} labels with a step or an unsure change`);
      if (stepped.length > 0) parts.push(table(['method · label', ...runHead], stepped.map((s) => [seriesName(s), ...s.points.map((p) => num(p.mean) + mark(p))])));
    }
  }
  const steps = historySteps(h);
  const sure = steps.filter((s) => s.point.step !== 'unsure');
  parts.push(
    sure.length === 0
      ? `no step beyond noise (|Δ| ≥ ${h.minStep} with its ${Math.round(h.level * 100)} % interval excluding 0)`
      : `steps beyond noise (|Δ| ≥ ${h.minStep} with its ${Math.round(h.level * 100)} % interval excluding 0):\n` +
          sure
            .map((s) => `  ${s.point.step === 'down' ? '▼' : '▲'} ${s.series.dataset} · ${s.series.skew} · ${seriesName(s.series)}: ${num(s.point.delta === null || s.point.mean === null ? null : s.point.mean - s.point.delta)} → ${num(s.point.mean)} between ${runLabel(s.from)} and ${runLabel(s.to)} (Δ ${num(s.point.delta)} [${num(s.point.interval?.low)}, ${num(s.point.interval?.high)}])`)
            .join('\n'),
  );
  const unsure = steps.length - sure.length;
  if (unsure > 0) parts.push(`${unsure} change(s) of at least ${h.minStep} without an interval (a run with one seed), marked ?`);
  parts.push('▲ / ▼ step up / down beyond noise; ? a large change that one seed cannot tell from noise');
  return parts.join('\n');
}

interface ChartPoint {
  panel: string;
  method: string;
  name: string;
  run: number;
  runLabel: string;
  commit: string;
  mean: number;
  n: number;
  delta: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  step: string;
}

function chartPoints(h: History, filter: (s: Series) => boolean): ChartPoint[] {
  const out: ChartPoint[] = [];
  // With several dataset · skew panels, each gets its own facets: their series would otherwise share a colour.
  const several = panels(h).length > 1;
  for (const s of h.series.filter(filter)) {
    for (const p of s.points) {
      if (p.mean === null) continue;
      const r = h.runs[p.run - 1];
      out.push({ panel: `${s.dataset} · ${s.skew}`, method: s.method, name: `${several ? `${s.dataset} · ${s.skew} · ` : ''}${s.kind === 'label' ? s.label : s.metric}`, run: p.run, runLabel: runLabel(r), commit: r.commit ?? '', mean: p.mean, n: p.n, delta: p.delta, ciLow: p.interval?.low ?? null, ciHigh: p.interval?.high ?? null, step: p.step ?? 'none' });
    }
  }
  return out;
}

function overTimeSpec(title: string, points: ChartPoint[], h: History, facetBy: 'name', columns: number): TopLevelSpec {
  const methods = [...new Set(points.map((p) => p.method))];
  const names = [...new Set(points.map((p) => p.name))];
  const x = { field: 'run', type: 'ordinal', title: 'run (in order of start time)', axis: { labelExpr: `[${h.runs.map((r) => JSON.stringify(runLabel(r))).join(',')}][datum.value - 1]`, labelAngle: -30 } };
  const tooltip = [
    { field: 'method', type: 'nominal' },
    { field: 'name', type: 'nominal', title: facetBy === 'name' ? 'series' : 'label' },
    { field: 'runLabel', type: 'nominal', title: 'run' },
    { field: 'commit', type: 'nominal' },
    { field: 'mean', type: 'quantitative', format: '.3f', title: 'mean over seeds' },
    { field: 'n', type: 'quantitative', title: 'seeds' },
    { field: 'delta', type: 'quantitative', format: '+.3f', title: 'Δ from previous run' },
    { field: 'ciLow', type: 'quantitative', format: '+.3f', title: 'Δ CI low' },
    { field: 'ciHigh', type: 'quantitative', format: '+.3f', title: 'Δ CI high' },
    { field: 'step', type: 'nominal' },
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: `mean over seeds per run; large marks: a step beyond noise (|Δ| ≥ ${h.minStep}, ${Math.round(h.level * 100)} % interval excluding 0)`, anchor: 'start' },
    data: { values: points },
    facet: { field: 'name', type: 'nominal', sort: names, title: null },
    columns,
    spec: {
      width: 260,
      height: 160,
      layer: [
        { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: null }, color: { field: 'method', type: 'nominal', sort: methods, scale: { domain: methods, scheme: methods.length <= 10 ? 'tableau10' : 'tableau20' } } } },
        {
          mark: { type: 'point', filled: true },
          encoding: {
            x,
            y: { field: 'mean', type: 'quantitative' },
            color: { field: 'method', type: 'nominal', sort: methods },
            size: { condition: { test: "datum.step === 'up' || datum.step === 'down'", value: 160 }, value: 30 },
            shape: { field: 'step', type: 'nominal', scale: { domain: ['none', 'up', 'down', 'unsure'], range: ['circle', 'triangle-up', 'triangle-down', 'diamond'] }, legend: { title: 'step' } },
            tooltip,
          },
        },
      ],
    },
    config: { background: 'white', font: 'DejaVu Sans, Helvetica, Arial, sans-serif' },
  } as unknown as TopLevelSpec;
}

/** history.html: the runs, the metrics over them as charts, and sortable tables of steps and series. */
export function historyHtml(h: History): string {
  const steps = historySteps(h);
  const runs = htmlTable({
    id: 'runs-table',
    head: ['run', 'commit', 'started', 'trials', 'folder'],
    numeric: [0, 3],
    rows: h.runs.map((r) => ({ cells: [{ text: `#${r.index}`, sort: r.index }, r.commit ?? '—', r.startedAt, { text: String(r.trials), sort: r.trials }, r.dir] })),
  });
  const stepTable = htmlTable({
    id: 'steps-table',
    caption: `steps: consecutive runs whose difference is at least ${h.minStep} and whose ${Math.round(h.level * 100)} % interval (paired over shared seeds, else Welch) excludes 0; "unsure": as large, but no interval`,
    head: ['between', 'dataset · skew', 'method', 'series', 'group', 'step', 'before', 'after', 'Δ', 'interval'],
    numeric: [6, 7, 8],
    groupFilter: true,
    rows: steps.map((s) => ({
      group: s.series.group || undefined,
      cls: s.point.step === 'down' ? 'step' : undefined,
      cells: [
        { text: `${runLabel(s.from)} → ${runLabel(s.to)}`, sort: s.to.index },
        `${s.series.dataset} · ${s.series.skew}`,
        s.series.method,
        s.series.kind === 'label' ? `${s.series.label} (${s.series.metric})` : s.series.metric,
        s.series.group || '—',
        { text: s.point.step!, cls: s.point.step === 'down' ? 'bad' : s.point.step === 'up' ? 'good' : 'muted' },
        { text: num(s.point.mean !== null && s.point.delta !== null ? s.point.mean - s.point.delta : null), sort: s.point.mean },
        { text: num(s.point.mean), sort: s.point.mean },
        { text: num(s.point.delta), sort: s.point.delta },
        s.point.interval ? `[${num(s.point.interval.low)}, ${num(s.point.interval.high)}]` : '—',
      ],
    })),
  });
  const labelSeries = h.series.filter((s) => s.kind === 'label');
  const seriesTable = htmlTable({
    id: 'label-series-table',
    caption: `per-label ${labelSeries[0]?.metric ?? 'f1'} by run (mean over seeds); ▲ ▼ steps beyond noise, ? unsure`,
    head: ['dataset · skew', 'method', 'label', 'group', ...h.runs.map(runLabel)],
    numeric: h.runs.map((_, i) => 4 + i),
    groupFilter: true,
    rows: labelSeries.map((s) => ({
      group: s.group,
      cells: [`${s.dataset} · ${s.skew}`, s.method, s.label, s.group, ...s.points.map((p) => ({ text: num(p.mean) + mark(p), sort: p.mean, cls: p.step === 'down' ? 'bad' : p.step === 'up' ? 'good' : '' }))],
    })),
  });
  const charts = [
    { id: 'chart-summary-history', spec: overTimeSpec('Summary metrics over runs', chartPoints(h, (s) => s.kind === 'summary'), h, 'name', 3) },
    { id: 'chart-label-history', spec: overTimeSpec(`Per-label ${labelSeries[0]?.metric ?? 'f1'} over runs`, chartPoints(h, (s) => s.kind === 'label'), h, 'name', 4) },
  ];
  const body = `
<h1>skewbench history · ${esc(h.suite)}</h1>
<p class="meta">${h.runs.length} runs in order of start time · ${steps.filter((s) => s.point.step !== 'unsure').length} steps beyond noise</p>
<h2 id="runs">Runs</h2>
${runs}
<h2 id="steps">Steps</h2>
${stepTable}
<h2 id="charts">Over time</h2>
<div class="chart" id="chart-summary-history"></div>
<div class="chart" id="chart-label-history"></div>
<h2 id="labels">Per label</h2>
${seriesTable}
`;
  return htmlPage({ title: `skewbench history · ${h.suite}`, body, charts });
}
