import { InputError } from '../errors.js';
import { DEFAULT_LEVEL, pairedDifference, summarizeSeeds, type Interval, type PairedDifference, type SeedSummary } from '../eval/seed-stats.js';
import type { LabelMetrics } from '../eval/evaluate.js';
import { majorityGroup, type LabelGroup } from '../labels/stats.js';
import { compareRecords, type TrialRecord } from '../records/records.js';

/*
 * Seed statistics of a set of trial records: for every (dataset, skew, method) and metric — and
 * every label — the mean, sd and t-interval over seeds, and the paired difference from the
 * baseline method over the seeds both ran on the same dataset and skew. Pure.
 */

/** Per-trial metrics summarised over seeds, in the order tables and summary.csv show them. */
export const SUMMARY_METRICS = [
  'macro_f1',
  'micro_f1',
  'map',
  'head_f1',
  'medium_f1',
  'tail_f1',
  'macro_f1_tuned',
  'macro_precision',
  'macro_recall',
  'micro_precision',
  'micro_recall',
  'train_images',
  'train_seconds',
  'total_seconds',
  'images_per_second',
] as const;
export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

/** Per-label metrics summarised over seeds. */
export const LABEL_METRICS = ['f1', 'f1_tuned', 'ap', 'precision', 'recall'] as const;
export type LabelMetric = (typeof LABEL_METRICS)[number];

/** A metric's value in one trial; null when the trial has none (no head label, no validation set). */
export function summaryMetricValue(record: TrialRecord, metric: SummaryMetric): number | null {
  switch (metric) {
    case 'train_images':
      return record.trainImages;
    case 'train_seconds':
      return record.timings.train;
    case 'total_seconds':
      return record.timings.total;
    case 'images_per_second':
      return record.imagesPerSecond;
    default:
      return record.summary ? record.summary[metric] : null;
  }
}

export interface StatisticKey {
  dataset: string;
  skew: string;
  method: string;
}

export interface MetricStatistic extends StatisticKey {
  metric: string;
  /** Over the seeds with a value for this metric. */
  stats: SeedSummary;
  /** method − baseline, paired by seed; null for the baseline itself or when the baseline did not run here. */
  vsBaseline: PairedDifference | null;
}

export interface LabelStatistic extends MetricStatistic {
  label: string;
  /** Mean training images of the label over this method's seeds. */
  trainCount: number;
  /** The label's group in most seeds (a tie goes to the rarer group). */
  group: LabelGroup;
}

/** One (dataset, skew, method) cell of the grid and the trials it ran. */
export interface MethodRuns extends StatisticKey {
  /** Seeds of the trials that finished, ascending. */
  seeds: number[];
  failed: number;
}

export interface FailedTrial extends StatisticKey {
  trial: string;
  seed: number;
  reason: string | null;
}

export interface Aggregate {
  baseline: string;
  level: number;
  /** Every (dataset, skew, method) in grid order. */
  runs: MethodRuns[];
  /** runs × SUMMARY_METRICS, in that order; metrics no trial had are left out. */
  summary: MetricStatistic[];
  /** runs × labels × LABEL_METRICS; labels in the dataset's order; metrics no trial had are left out. */
  perLabel: LabelStatistic[];
  trials: number;
  failed: FailedTrial[];
}

export interface AggregateOptions {
  /** The method every other one is compared with (default `baseline`). */
  baseline?: string;
  level?: number;
}


function keyOf(k: StatisticKey): string {
  return JSON.stringify([k.dataset, k.skew, k.method]);
}

function bySeed<T>(records: readonly TrialRecord[], value: (r: TrialRecord) => T | null): Map<number, T> {
  const out = new Map<number, T>();
  for (const r of records) {
    const v = value(r);
    if (v !== null) out.set(r.seed, v);
  }
  return out;
}

/** Counts, seconds and rates are unbounded above; every quality metric is a share in [0, 1]. */
const UNBOUNDED: ReadonlySet<string> = new Set<SummaryMetric>(['train_images', 'train_seconds', 'total_seconds', 'images_per_second']);
const UNIT_RANGE: Interval = { low: 0, high: 1 };

function statistic(metric: string, values: Map<number, number>, baseline: Map<number, number> | null, level: number): Pick<MetricStatistic, 'stats' | 'vsBaseline'> {
  const seeds = [...values.keys()].sort((a, b) => a - b);
  const range = UNBOUNDED.has(metric) ? undefined : UNIT_RANGE;
  return {
    stats: summarizeSeeds(seeds.map((s) => values.get(s)!), level, range),
    vsBaseline: baseline ? pairedDifference(values, baseline, level, range) : null,
  };
}


/**
 * Seed statistics of `records`. Failed trials are left out of every statistic and listed in
 * `failed`. Two finished trials of the same dataset, skew, method and seed are an InputError:
 * pairing by seed would be ambiguous (this happens when result folders are merged twice).
 */
export function aggregate(records: readonly TrialRecord[], options: AggregateOptions = {}): Aggregate {
  const baselineName = options.baseline ?? 'baseline';
  const level = options.level ?? DEFAULT_LEVEL;
  const sorted = [...records].sort(compareRecords);

  const cells = new Map<string, { key: StatisticKey; ok: TrialRecord[]; failed: number }>();
  const failed: FailedTrial[] = [];
  for (const r of sorted) {
    const key = { dataset: r.dataset, skew: r.skew, method: r.method };
    const id = keyOf(key);
    let cell = cells.get(id);
    if (!cell) cells.set(id, (cell = { key, ok: [], failed: 0 }));
    if (r.status !== 'ok' || r.summary === null) {
      cell.failed++;
      failed.push({ ...key, trial: r.trial, seed: r.seed, reason: r.reason });
      continue;
    }
    const twin = cell.ok.find((o) => o.seed === r.seed);
    if (twin) {
      throw new InputError(`two finished trials of ${r.method} on ${r.dataset} ${r.skew} with seed ${r.seed} (${twin.trial} and ${r.trial}); keep one of them`);
    }
    cell.ok.push(r);
  }

  const runs: MethodRuns[] = [];
  const summary: MetricStatistic[] = [];
  const perLabel: LabelStatistic[] = [];
  for (const { key, ok, failed: failedCount } of cells.values()) {
    runs.push({ ...key, seeds: ok.map((r) => r.seed).sort((a, b) => a - b), failed: failedCount });
    const baselineCell = key.method === baselineName ? undefined : cells.get(keyOf({ ...key, method: baselineName }));
    const baselineRuns = baselineCell ? baselineCell.ok : null;

    for (const metric of SUMMARY_METRICS) {
      const values = bySeed(ok, (r) => summaryMetricValue(r, metric));
      if (values.size === 0) continue;
      const base = baselineRuns ? bySeed(baselineRuns, (r) => summaryMetricValue(r, metric)) : null;
      summary.push({ ...key, metric, ...statistic(metric, values, base, level) });
    }

    // Labels are matched by name, so trials whose datasets order labels differently still pair up.
    const labelOrder: string[] = [];
    const labelRows = new Map<string, Map<number, LabelMetrics>>();
    for (const r of ok) {
      for (const m of r.perLabel) {
        let rows = labelRows.get(m.label);
        if (!rows) {
          labelRows.set(m.label, (rows = new Map()));
          labelOrder.push(m.label);
        }
        rows.set(r.seed, m);
      }
    }
    const baselineLabel = (label: string, metric: LabelMetric): Map<number, number> | null =>
      baselineRuns ? bySeed(baselineRuns, (r) => r.perLabel.find((m) => m.label === label)?.[metric] ?? null) : null;
    for (const label of labelOrder) {
      const rows = labelRows.get(label)!;
      const seeds = [...rows.keys()].sort((a, b) => a - b);
      const trainCount = seeds.reduce((sum, s) => sum + rows.get(s)!.train_count, 0) / seeds.length;
      const group = majorityGroup(seeds.map((s) => rows.get(s)!.group));
      for (const metric of LABEL_METRICS) {
        const values = new Map<number, number>();
        for (const s of seeds) {
          const v = rows.get(s)![metric];
          if (v !== null) values.set(s, v);
        }
        if (values.size === 0) continue;
        perLabel.push({ ...key, label, trainCount, group, metric, ...statistic(metric, values, baselineLabel(label, metric), level) });
      }
    }
  }
  return { baseline: baselineName, level, runs, summary, perLabel, trials: records.length, failed };
}

/** The statistic of one metric of one run, if it was computed. */
export function findStatistic(aggregate: Aggregate, key: StatisticKey, metric: SummaryMetric): MetricStatistic | undefined {
  return aggregate.summary.find((s) => s.dataset === key.dataset && s.skew === key.skew && s.method === key.method && s.metric === metric);
}
