import type { PairedDifference } from '../eval/seed-stats.js';
import type { Aggregate, LabelMetric, LabelStatistic, MethodRuns, StatisticKey, SummaryMetric } from './aggregate.js';
import { levelText, num, signed, table, useColor } from './format.js';

/*
 * Terminal tables of an aggregate, one block per dataset × skew. Pure: they return strings and the
 * command prints them.
 */

export interface TableOptions {
  /** ANSI colours for gains and losses; by default only on a terminal without NO_COLOR. */
  color?: boolean;
}

const GREEN = '\x1b[32m';
const RED = '\x1b[31m';
const DEFAULT_FG = '\x1b[39m';

function paint(text: string, delta: number | null, color: boolean): string {
  if (!color || delta === null || Number(num(delta)) === 0) return text;
  return (delta > 0 ? GREEN : RED) + text + DEFAULT_FG;
}

/** "+0.034*" with its interval when asked: the paired Δ and whether its interval excludes 0. */
function deltaText(d: PairedDifference | null, withInterval: boolean, color: boolean): string {
  if (!d || d.mean === null) return '—';
  let text = signed(d.mean) + (d.significant ? '*' : '');
  if (withInterval) text += d.ci ? ` [${signed(d.ci.low)}, ${signed(d.ci.high)}]` : ' [—]';
  return paint(text, d.mean, color);
}

/** Runs grouped by dataset and skew, each group keeping grid order with the baseline first. */
function blocks(agg: Aggregate): Array<{ title: string; runs: MethodRuns[] }> {
  const out = new Map<string, { title: string; runs: MethodRuns[] }>();
  for (const run of agg.runs) {
    const id = JSON.stringify([run.dataset, run.skew]);
    let block = out.get(id);
    if (!block) out.set(id, (block = { title: `${run.dataset} · ${run.skew}`, runs: [] }));
    block.runs.push(run);
  }
  for (const block of out.values()) {
    block.runs.sort((a, b) => Number(b.method === agg.baseline) - Number(a.method === agg.baseline));
  }
  return [...out.values()];
}

function sameRun(a: StatisticKey, b: StatisticKey): boolean {
  return a.dataset === b.dataset && a.skew === b.skew && a.method === b.method;
}

function seedsText(run: MethodRuns): string {
  return run.failed > 0 ? `${run.seeds.length} (${run.failed} failed)` : String(run.seeds.length);
}

/**
 * The summary by method: macro-F1 (mean ± sd over seeds), micro-F1, mAP, head / medium / tail F1,
 * the paired Δ macro-F1 against the baseline with its interval, and training seconds.
 */
export function formatSummaryTable(agg: Aggregate, options: TableOptions = {}): string {
  const color = options.color ?? useColor();
  const parts: string[] = [];
  for (const { title, runs } of blocks(agg)) {
    const rows = runs.map((run) => {
      const stat = (metric: SummaryMetric) => agg.summary.find((s) => sameRun(s, run) && s.metric === metric);
      const mean = (metric: SummaryMetric, digits = 3) => num(stat(metric)?.stats.mean, digits);
      const macro = stat('macro_f1');
      const macroText = macro && macro.stats.sd !== null ? `${num(macro.stats.mean)} ± ${num(macro.stats.sd)}` : mean('macro_f1');
      return [
        run.method,
        seedsText(run),
        macroText,
        mean('micro_f1'),
        mean('map'),
        mean('head_f1'),
        mean('medium_f1'),
        mean('tail_f1'),
        run.method === agg.baseline ? '' : deltaText(macro?.vsBaseline ?? null, true, color),
        mean('train_seconds', 1),
      ];
    });
    parts.push(
      title,
      table(['method', 'seeds', 'macro-F1 ± sd', 'micro-F1', 'mAP', 'head F1', 'medium F1', 'tail F1', `Δ macro-F1 [${levelText(agg.level)} CI]`, 'train s'], rows),
    );
  }
  if (parts.length === 0) return 'no finished trials';
  parts.push(`Δ: paired difference from ${agg.baseline} over the same seeds; * its interval excludes 0.`);
  return parts.join('\n');
}

export interface PerLabelTableOptions extends TableOptions {
  /** Which per-label metric to show (default f1). */
  metric?: LabelMetric;
}

/**
 * Per-label values by method, labels sorted by training count with the rarest last; every method
 * but the baseline shows its Δ from the baseline, green for a gain and red for a loss, `*` when the
 * interval excludes 0.
 */
export function formatPerLabelTable(agg: Aggregate, options: PerLabelTableOptions = {}): string {
  const color = options.color ?? useColor();
  const metric = options.metric ?? 'f1';
  const parts: string[] = [];
  for (const { title, runs } of blocks(agg)) {
    const statsOf = (run: MethodRuns) => new Map(agg.perLabel.filter((s) => sameRun(s, run) && s.metric === metric).map((s) => [s.label, s]));
    const columns = runs.map((run) => ({ run, stats: statsOf(run) }));
    // The baseline's counts are the data as skewed, before any method resampled it.
    const reference = columns.find((c) => c.run.method === agg.baseline) ?? columns[0];
    const labels = new Map<string, LabelStatistic>();
    for (const c of [reference, ...columns]) for (const [label, s] of c.stats) if (!labels.has(label)) labels.set(label, s);
    if (labels.size === 0) continue;
    const order = [...labels.values()].sort((a, b) => b.trainCount - a.trainCount || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    const rows = order.map((s) => [
      s.label,
      s.group,
      num(s.trainCount, Number.isInteger(s.trainCount) ? 0 : 1),
      ...columns.map(({ run, stats }) => {
        const cell = stats.get(s.label);
        if (!cell) return '—';
        if (run.method === agg.baseline) return num(cell.stats.mean);
        return `${num(cell.stats.mean)} ${deltaText(cell.vsBaseline, false, color)}`;
      }),
    ]);
    const head = ['label', 'group', 'train', ...columns.map(({ run }) => (run.method === agg.baseline ? run.method : `${run.method} (Δ)`))];
    parts.push(`${title} · per-label ${metric.replace('_', ' ')}`, table(head, rows));
  }
  if (parts.length === 0) return 'no per-label results';
  parts.push(`labels by training count, rarest last; Δ against ${agg.baseline} over the same seeds; * interval excludes 0.`);
  return parts.join('\n');
}

/** One line per failed trial, for the end of a run. */
export function formatFailures(agg: Aggregate): string {
  return agg.failed.map((f) => `failed: trial ${f.trial} (${f.method}, ${f.skew}, seed ${f.seed}): ${f.reason ?? 'no reason recorded'}`).join('\n');
}
