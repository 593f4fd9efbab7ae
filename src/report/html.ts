import { join } from 'node:path';
import type { SeedSummary } from '../eval/seed-stats.js';
import { writeFileAtomic } from '../fs-atomic.js';
import { irlbl } from '../labels/stats.js';
import type { Aggregate, LabelStatistic, MetricStatistic } from './aggregate.js';
import { deltaSpec, methodOrder, perLabelF1Spec } from './chart-specs.js';
import { HISTORY_FILE, learningCurveSpec, readLearningCurves, type CurvePoint } from './html-curves.js';
import { esc, htmlPage, htmlTable, type Cell, type PageChart } from './html-page.js';
import type { Manifest } from './manifest.js';
import type { TrialRecord } from '../records/records.js';
import { num, signed } from './format.js';

/*
 * report.html: everything a results folder holds, for a person in a browser — summary and per-label
 * tables (sortable, filterable by label group), the charts with tooltips, learning curves when the
 * folder has a history.csv, the label statistics of the data, and the manifest. One file, no network.
 */

export const REPORT_FILE = 'report.html';

export interface ReportInput {
  aggregate: Aggregate;
  records: readonly TrialRecord[];
  manifest: Manifest;
  /** Points of history.csv; null when the folder has none. */
  curves: CurvePoint[] | null;
}

function meanCell(s: SeedSummary, digits = 3): Cell {
  return { text: num(s.mean, digits), sort: s.mean, title: s.ci ? `${Math.round(s.level * 100)} % CI [${num(s.ci.low, digits)}, ${num(s.ci.high, digits)}], ${s.n} seeds` : `${s.n} seed(s), no interval` };
}

function intervalCell(s: SeedSummary | null): Cell {
  return s?.ci ? { text: `[${num(s.ci.low)}, ${num(s.ci.high)}]`, sort: s.ci.low } : { text: '—', sort: null };
}

function deltaCell(s: MetricStatistic | undefined): Cell {
  const d = s?.vsBaseline;
  if (!d || d.mean === null) return { text: '—', sort: null };
  const ci = d.ci ? ` [${signed(d.ci.low)}, ${signed(d.ci.high)}]` : '';
  return { text: `${signed(d.mean)}${ci}${d.significant ? ' *' : ''}`, sort: d.mean, cls: d.significant ? (d.mean < 0 ? 'bad' : 'good') : '' };
}

function panelOf(k: { dataset: string; skew: string }): string {
  return `${k.dataset} · ${k.skew}`;
}

function summaryTable(agg: Aggregate): string {
  const find = (run: { dataset: string; skew: string; method: string }, metric: string) =>
    agg.summary.find((s) => s.dataset === run.dataset && s.skew === run.skew && s.method === run.method && s.metric === metric);
  const metrics = ['macro_f1', 'tail_f1', 'medium_f1', 'head_f1', 'map', 'micro_f1'] as const;
  const rows = agg.runs.map((run) => {
    const cells: Array<Cell | string> = [panelOf(run), run.method, { text: String(run.seeds.length), sort: run.seeds.length }];
    for (const m of metrics) {
      const s = find(run, m);
      cells.push(s ? meanCell(s.stats) : { text: '—', sort: null });
      if (m === 'macro_f1' || m === 'tail_f1') cells.push(run.method === agg.baseline ? { text: 'baseline', sort: null, cls: 'muted' } : deltaCell(s));
    }
    const images = find(run, 'train_images');
    const seconds = find(run, 'train_seconds');
    cells.push(images ? meanCell(images.stats, 0) : '—', seconds ? meanCell(seconds.stats, 2) : '—');
    return { cells, cls: run.failed > 0 ? 'bad' : undefined };
  });
  return htmlTable({
    id: 'summary-table',
    caption: `mean over seeds (hover for the interval); Δ: paired difference from ${agg.baseline} with its ${Math.round(agg.level * 100)} % interval, * where it excludes 0`,
    head: ['dataset · skew', 'method', 'seeds', 'macro-F1', 'Δ macro-F1', 'tail-F1', 'Δ tail-F1', 'medium-F1', 'head-F1', 'mAP', 'micro-F1', 'train images', 'train s'],
    numeric: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    rows,
  });
}

function perLabelTable(agg: Aggregate): string {
  const byKey = new Map<string, Map<string, LabelStatistic>>();
  for (const s of agg.perLabel) {
    const id = JSON.stringify([s.dataset, s.skew, s.method, s.label]);
    let m = byKey.get(id);
    if (!m) byKey.set(id, (m = new Map()));
    m.set(s.metric, s);
  }
  const rows = [...byKey.values()].map((m) => {
    const f1 = m.get('f1') ?? [...m.values()][0];
    const value = (metric: string): Cell => {
      const s = m.get(metric);
      return s ? meanCell(s.stats) : { text: '—', sort: null };
    };
    return {
      group: f1.group,
      cells: [
        panelOf(f1),
        f1.method,
        f1.label,
        { text: f1.group, sort: { head: 0, medium: 1, tail: 2 }[f1.group] },
        { text: num(f1.trainCount, f1.trainCount % 1 === 0 ? 0 : 1), sort: f1.trainCount },
        value('f1'),
        intervalCell(m.get('f1')?.stats ?? null),
        f1.method === agg.baseline ? { text: 'baseline', sort: null, cls: 'muted' } : deltaCell(m.get('f1')),
        value('f1_tuned'),
        value('ap'),
        value('precision'),
        value('recall'),
        { text: String(f1.stats.n), sort: f1.stats.n },
      ],
    };
  });
  return htmlTable({
    id: 'per-label-table',
    caption: 'one row per dataset · skew · method · label; click a header to sort',
    head: ['dataset · skew', 'method', 'label', 'group', 'train images', 'F1', 'F1 interval', `Δ F1 vs ${agg.baseline}`, 'tuned F1', 'AP', 'precision', 'recall', 'seeds'],
    numeric: [4, 5, 6, 7, 8, 9, 10, 11, 12],
    rows,
    groupFilter: true,
  });
}

/**
 * The labels of the data each method trained on, as the baseline saw them (before any resampling):
 * training images, share of label occurrences, IRLbl = max count / count, group, test support.
 */
function labelStatsSection(agg: Aggregate, records: readonly TrialRecord[]): string {
  const parts: string[] = [];
  const panels = [...new Set(agg.runs.map(panelOf))];
  for (const panel of panels) {
    const stats = agg.perLabel.filter((s) => panelOf(s) === panel && s.metric === 'f1');
    const method = stats.some((s) => s.method === agg.baseline) ? agg.baseline : stats[0]?.method;
    const labels = stats.filter((s) => s.method === method);
    if (labels.length === 0) continue;
    const counts = labels.map((s) => s.trainCount);
    const ir = irlbl(counts);
    const total = counts.reduce((a, b) => a + b, 0);
    const defined = ir.filter((x): x is number => x !== null);
    const meanIR = defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : null;
    const maxIR = defined.length ? Math.max(...defined) : null;
    const trials = records.filter((r) => r.status === 'ok' && panelOf(r) === panel && r.method === method);
    const support = (label: string): number | null => {
      const values = trials.map((r) => r.perLabel.find((m) => m.label === label)?.support).filter((x): x is number => x !== undefined);
      return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
    };
    parts.push(
      htmlTable({
        id: `label-stats-${parts.length + 1}`,
        caption: `${panel}: ${labels.length} labels, MeanIR ${num(meanIR, 2)}, MaxIR ${num(maxIR, 2)} (training images of ${method}'s trials before resampling, mean over seeds)`,
        head: ['label', 'group', 'train images', 'share', 'IRLbl', 'test support'],
        numeric: [2, 3, 4, 5],
        groupFilter: false,
        rows: labels.map((s, i) => {
          const sup = support(s.label);
          return {
            group: s.group,
            cells: [
              s.label,
              { text: s.group, sort: { head: 0, medium: 1, tail: 2 }[s.group] },
              { text: num(s.trainCount, s.trainCount % 1 === 0 ? 0 : 1), sort: s.trainCount },
              { text: total > 0 ? `${((100 * s.trainCount) / total).toFixed(1)} %` : '—', sort: total > 0 ? s.trainCount / total : null },
              { text: num(ir[i], 2), sort: ir[i] },
              { text: num(sup, sup !== null && sup % 1 === 0 ? 0 : 1), sort: sup },
            ],
          };
        }),
      }),
    );
  }
  return parts.join('\n') || '<p class="muted">no finished trial, so no label statistics</p>';
}

function manifestSection(m: Manifest, records: readonly TrialRecord[]): string {
  const kv = (pairs: Array<[string, string]>) => `<dl class="kv">${pairs.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
  const byId = new Map(records.map((r) => [r.trial, r]));
  const fingerprintKey = ['dataFingerprint', 'fingerprint'].find((k) => m.trials.some((t) => k in t)) ?? null;
  const trials = htmlTable({
    id: 'trials-table',
    caption: 'every trial of the run, with its phase timings (seconds)',
    head: ['trial', 'method', 'skew', 'seed', 'status', ...(fingerprintKey ? ['data fingerprint'] : []), 'train images', 'final loss', 'data s', 'train s', 'total s', 'images/s', 'backend'],
    numeric: fingerprintKey ? [3, 6, 7, 8, 9, 10, 11] : [3, 5, 6, 7, 8, 9, 10],
    rows: m.trials.map((t) => {
      const r = byId.get(t.trial);
      const fp = fingerprintKey ? [String((t as unknown as Record<string, unknown>)[fingerprintKey] ?? '—')] : [];
      return {
        cls: t.status === 'ok' ? undefined : 'bad',
        cells: [
          t.trial,
          t.method,
          t.skew,
          { text: String(t.seed), sort: t.seed },
          { text: t.status + (t.reason ? `: ${t.reason}` : ''), title: t.reason ?? undefined },
          ...fp,
          { text: r ? String(r.trainImages) : '—', sort: r?.trainImages ?? null },
          { text: num(r?.finalLoss, 4), sort: r?.finalLoss ?? null },
          { text: num(r?.timings.data, 2), sort: r?.timings.data ?? null },
          { text: num(r?.timings.train, 2), sort: r?.timings.train ?? null },
          { text: num(r?.timings.total, 2), sort: r?.timings.total ?? null },
          { text: num(r?.imagesPerSecond, 0), sort: r?.imagesPerSecond ?? null },
          r ? `${r.backend} ${r.backendVersion}` : '—',
        ],
      };
    }),
  });
  const deps = Object.entries(m.dependencies ?? {})
    .map(([k, v]) => `${k} ${v ?? '(not installed)'}`)
    .join(', ');
  return [
    kv([
      ['suite', m.suite],
      ['skewbench', `${m.skewbench?.version ?? '?'} · commit ${m.skewbench?.commit ?? 'unknown (not a git checkout)'}`],
      ['started', m.startedAt],
      ['finished', m.finishedAt],
      ['wall time', `${num(m.wallSeconds, 1)} s`],
      ['trials', `${m.counts?.trials ?? m.trials.length} (${m.counts?.ok ?? '?'} ok, ${m.counts?.failed ?? '?'} failed)`],
      ['runtime', m.runtime ? `Node ${m.runtime.node} · ${m.runtime.platform} ${m.runtime.arch} · ${m.runtime.cpus} × ${m.runtime.cpuModel}` : '—'],
      ['backends', (m.backends ?? []).map((b) => `${b.backend} ${b.version}`).join(', ') || '—'],
      ['dependencies', deps || '—'],
    ]),
    trials,
    `<details><summary>the resolved suite spec</summary><pre>${esc(JSON.stringify(m.spec, null, 2))}</pre></details>`,
  ].join('\n');
}

/** The report page of one results folder. */
export function reportHtml(input: ReportInput): string {
  const { aggregate: agg, records, manifest, curves } = input;
  const charts: PageChart[] = [
    { id: 'chart-per-label', spec: perLabelF1Spec(agg) },
    { id: 'chart-delta', spec: deltaSpec(agg) },
  ];
  if (curves && curves.length > 0) charts.push({ id: 'chart-curves', spec: learningCurveSpec(curves, methodOrder(agg)) });
  const curvesBody = curves === null
    ? `<p class="muted" id="no-curves">This folder has no ${HISTORY_FILE} (it was written before runs kept one), so there are no learning curves.</p>`
    : curves.length === 0
      ? `<p class="muted" id="no-curves">${HISTORY_FILE} has no values.</p>`
      : '<div class="chart" id="chart-curves"></div>';
  const failed = agg.failed.length > 0 ? `<p class="bad">${agg.failed.length} trial(s) failed and are left out of every statistic; see the manifest below.</p>` : '';
  const body = `
<h1>skewbench · ${esc(manifest.suite)}</h1>
<p class="meta">${esc(agg.trials)} trials · commit ${esc(manifest.skewbench?.commit?.slice(0, 12) ?? 'unknown')} · started ${esc(manifest.startedAt)} · skewbench ${esc(manifest.skewbench?.version ?? '?')}</p>
<nav><a href="#summary">summary</a><a href="#charts">charts</a><a href="#per-label">per label</a><a href="#curves">learning curves</a><a href="#labels">label statistics</a><a href="#manifest">manifest</a></nav>
${failed}
<h2 id="summary">Summary</h2>
${summaryTable(agg)}
<h2 id="charts">Charts</h2>
<p class="muted">hover a point for its label, method, value, interval, seeds and training images</p>
<div class="chart" id="chart-per-label"></div>
<div class="chart" id="chart-delta"></div>
<h2 id="per-label">Per label</h2>
${perLabelTable(agg)}
<h2 id="curves">Learning curves</h2>
${curvesBody}
<h2 id="labels">Label statistics</h2>
${labelStatsSection(agg, records)}
<h2 id="manifest">Manifest</h2>
${manifestSection(manifest, records)}
`;
  return htmlPage({ title: `skewbench report · ${manifest.suite}`, body, charts });
}

/**
 * Build report.html for a results folder (reading its history.csv when there is one) and write it
 * atomically; returns its path. The page is built completely before anything is written.
 */
export function writeHtmlReport(dir: string, input: Omit<ReportInput, 'curves'>): string {
  const curves = readLearningCurves(dir, input.records);
  const html = reportHtml({ ...input, curves });
  const path = join(dir, REPORT_FILE);
  writeFileAtomic(path, html);
  return path;
}
