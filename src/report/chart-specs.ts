import type { TopLevelSpec } from 'vega-lite';
import type { Aggregate, StatisticKey } from './aggregate.js';
import { levelText } from './format.js';

/*
 * Vega-Lite specs of the two result charts, built from an aggregate. Pure: same aggregate, same
 * JSON. Every size is fixed and every list is in a defined order, so the rendered SVG depends on
 * nothing but the numbers.
 */

/** One label of one run: its mean F1 over seeds against its training images. */
export interface PerLabelF1Point {
  /** "dataset · skew": one facet per value. */
  panel: string;
  dataset: string;
  skew: string;
  method: string;
  label: string;
  group: string;
  /** Mean training images of the label over the seeds (the skewed data, before any resampling). */
  trainCount: number;
  /** Mean test F1 over seeds. */
  f1: number;
  ciLow: number | null;
  ciHigh: number | null;
  seeds: number;
  /**
   * Where the point is drawn: the training count moved sideways by a few pixels per method (in log
   * space), so methods with equal values stay side by side instead of hiding one another.
   */
  x: number;
  /** On one point per panel and training count: the names of the labels there; null on the others. */
  names: string | null;
}

export type DeltaMetric = 'macro_f1' | 'tail_f1';

/** The paired difference of one method from the baseline in one metric, dataset and skew. */
export interface DeltaPoint {
  dataset: string;
  skew: string;
  method: string;
  metric: DeltaMetric;
  /** The facet header, e.g. "Δ macro-F1". */
  metricTitle: string;
  delta: number;
  ciLow: number | null;
  ciHigh: number | null;
  /** Seeds both the method and the baseline finished. */
  pairs: number;
  significant: boolean;
  /** 0 or 1, alternating from method to method: every other method's row is shaded, to follow a row across. */
  band: number;
}

export const DELTA_METRICS: ReadonlyArray<{ metric: DeltaMetric; title: string }> = [
  { metric: 'macro_f1', title: 'Δ macro-F1' },
  { metric: 'tail_f1', title: 'Δ tail-F1' },
];

const PANEL_WIDTH = 360;
const PANEL_HEIGHT = 260;
/** Pixels between the dodged positions of two neighbouring methods at one training count. */
const DODGE_PX = 2.5;
/** At most this many pixels of dodge in all, however many methods there are. */
const DODGE_MAX_PX = 26;
/** Space kept at either end of the log axis, so the extreme points are not cut by the frame. */
const X_PADDING_PX = 12;
/** Height of one rotated line of label names; names closer than this share a text. */
const NAME_LINE_PX = 11;
/** The y axis runs past F1 = 1 to this value; the band above 1 holds the label names. */
const Y_TOP = 1.75;
/** Where the names start: far enough above F1 = 1 that a point or bar at 1 does not touch them. */
const NAME_BASE = 1.09;
const NAME_FONT_PX = 9;
/** Methods up to which the per-label chart joins each method's points by a line. */
const LINES_UP_TO = 6;
/**
 * Characters of label names that fit the band above F1 = 1. Vega's own `limit` would cut them at
 * its headless width estimate (0.8 em a character), far wider than a sans-serif's ~0.6 em.
 */
const NAME_MAX_CHARS = Math.floor((((Y_TOP - NAME_BASE) / Y_TOP) * PANEL_HEIGHT - 4) / (0.6 * NAME_FONT_PX));
const DELTA_WIDTH = 300;
/** Height of one skew's row within a method's band (Vega-Lite counts the step per offset). */
const DELTA_SKEW_STEP = 14;
const FACET_COLUMNS = 3;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Shared look. The font list serves SVG viewers and librsvg (behind sharp), which draws the PNG with the first one installed. */
const CONFIG = {
  background: 'white',
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  title: { fontSize: 15, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start', offset: 12 },
  axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal', labelLimit: 320 },
  header: { labelFontSize: 12, labelFontWeight: 'bold', titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'right', labelLimit: 320 },
  view: { stroke: '#ccc' },
} as const;

function panelOf(k: StatisticKey): string {
  return `${k.dataset} · ${k.skew}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Ten well-separated colours while they last; past ten, twenty paired ones rather than repeats. */
function methodScheme(methods: number): string {
  return methods <= 10 ? 'tableau10' : 'tableau20';
}

/** Methods in grid order with the baseline first, so colours keep their meaning from chart to chart. */
export function methodOrder(agg: Aggregate): string[] {
  const methods = [...new Set(agg.runs.map((r) => r.method))];
  return [...methods.filter((m) => m === agg.baseline), ...methods.filter((m) => m !== agg.baseline)];
}

function firstAppearance<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function orderIndex(order: readonly string[]): (value: string) => number {
  const index = new Map(order.map((v, i) => [v, i]));
  return (value) => index.get(value) ?? order.length;
}

function seedsText(counts: readonly number[]): string {
  const distinct = [...new Set(counts)].sort((a, b) => a - b);
  if (distinct.length === 0) return 'no finished trials';
  const range = distinct.length === 1 ? String(distinct[0]) : `${distinct[0]}–${distinct[distinct.length - 1]}`;
  return `${range} seed${distinct.length === 1 && distinct[0] === 1 ? '' : 's'}`;
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…';
}

/** A chart that says why there is nothing to draw, so a results folder never keeps a stale chart. */
function emptySpec(title: string, reason: string): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title: { text: title },
    width: PANEL_WIDTH,
    height: 60,
    data: { values: [{ reason }] },
    mark: { type: 'text', fontSize: 12, color: '#555' },
    encoding: { text: { field: 'reason', type: 'nominal' } },
    config: CONFIG,
  } as TopLevelSpec;
}

/**
 * Mean per-label F1 of every run, ordered by panel (grid order), method (baseline first), then
 * training count (commonest first) and label name. Labels without training images are left out:
 * they have no place on a log axis.
 */
export function perLabelF1Points(agg: Aggregate): PerLabelF1Point[] {
  const panelIndex = orderIndex(firstAppearance(agg.runs.map(panelOf)));
  const methodIndex = orderIndex(methodOrder(agg));
  const points: PerLabelF1Point[] = [];
  for (const s of agg.perLabel) {
    if (s.metric !== 'f1' || s.stats.mean === null || !(s.trainCount > 0)) continue;
    points.push({
      panel: panelOf(s),
      dataset: s.dataset,
      skew: s.skew,
      method: s.method,
      label: s.label,
      group: s.group,
      trainCount: s.trainCount,
      f1: s.stats.mean,
      ciLow: s.stats.ci?.low ?? null,
      ciHigh: s.stats.ci?.high ?? null,
      seeds: s.stats.n,
      x: s.trainCount,
      names: null,
    });
  }
  points.sort(
    (a, b) =>
      panelIndex(a.panel) - panelIndex(b.panel) ||
      methodIndex(a.method) - methodIndex(b.method) ||
      b.trainCount - a.trainCount ||
      compareText(a.label, b.label),
  );
  return dodge(tagNames(points), methodOrder(agg));
}

/** The log-scale span of a panel's training counts (at least a tenth of a decade, so one count still has a scale). */
function logSpan(points: readonly PerLabelF1Point[]): number {
  const logs = points.map((p) => Math.log(p.trainCount));
  return Math.max(Math.max(...logs) - Math.min(...logs), Math.log(10) / 10);
}

/** Moves each method's points sideways by its own few pixels (log space), centred on the true count. */
function dodge(points: PerLabelF1Point[], order: readonly string[]): PerLabelF1Point[] {
  const methods = order.filter((m) => points.some((p) => p.method === m));
  const step = methods.length > 1 ? Math.min(DODGE_PX, DODGE_MAX_PX / (methods.length - 1)) : 0;
  for (const panel of firstAppearance(points.map((p) => p.panel))) {
    const inPanel = points.filter((p) => p.panel === panel);
    const perPx = logSpan(inPanel) / (PANEL_WIDTH - 2 * X_PADDING_PX);
    for (const p of inPanel) p.x = p.trainCount * Math.exp((methods.indexOf(p.method) - (methods.length - 1) / 2) * step * perPx);
  }
  return points;
}

/**
 * Puts the label names into the top band of each panel: labels closer on the x axis than a rotated
 * line of text is tall share one text, placed at the smallest count among them and carried on the
 * first point there (`names`), so that no two texts overprint.
 */
function tagNames(points: PerLabelF1Point[]): PerLabelF1Point[] {
  if (points.length === 0) return points;
  const panels = firstAppearance(points.map((p) => p.panel));
  for (const panel of panels) {
    const inPanel = points.filter((p) => p.panel === panel);
    // Each panel has an x scale of its own (it uses its whole width), so names crowd by its own span.
    const minGap = (logSpan(inPanel) * NAME_LINE_PX) / (PANEL_WIDTH - 2 * X_PADDING_PX);
    const counts = [...new Set(inPanel.map((p) => p.trainCount))].sort((a, b) => a - b);
    const clusters: number[][] = [];
    for (const c of counts) {
      const last = clusters[clusters.length - 1];
      if (last && Math.log(c) - Math.log(last[0]) <= minGap) last.push(c);
      else clusters.push([c]);
    }
    for (const cluster of clusters) {
      const members = inPanel.filter((p) => cluster.includes(p.trainCount));
      const names = [...new Map(members.map((p) => [p.label, p.trainCount])).entries()]
        .sort((a, b) => a[1] - b[1] || compareText(a[0], b[0]))
        .map(([label]) => label);
      members.find((p) => p.trainCount === cluster[0])!.names = truncate(names.join(', '), NAME_MAX_CHARS);
    }
  }
  return points;
}

/**
 * Per-label F1 (mean over seeds) against the label's training images on a log axis: one colour per
 * method, one point shape per label group, one panel per dataset × skew, each label named along the
 * top of its panel.
 */
export function perLabelF1Spec(agg: Aggregate): TopLevelSpec {
  const title = 'Per-label F1 against training images';
  const points = perLabelF1Points(agg);
  if (points.length === 0) return emptySpec(title, 'no finished trial has per-label F1 for a label with training images');
  const panels = firstAppearance(points.map((p) => p.panel));
  const methods = methodOrder(agg).filter((m) => points.some((p) => p.method === m));
  const dropped = agg.perLabel.filter((s) => s.metric === 'f1' && s.stats.mean !== null && !(s.trainCount > 0));
  const subtitle = [
    `test F1, mean over ${seedsText(points.map((p) => p.seeds))} with its ${levelText(agg.level)} interval; x: training images of the label in the skewed data (log scale), methods side by side`,
    ...(dropped.length > 0 ? [`${new Set(dropped.map((s) => s.label)).size} label(s) without training images not shown`] : []),
  ];
  const axis = { title: 'training images (log scale)', grid: true, tickCount: 6, format: '~s' };
  const scale = { type: 'log', nice: false, padding: X_PADDING_PX };
  // Points, bars and lines sit at their dodged position; the names at the true count.
  const x = { field: 'x', type: 'quantitative', scale, axis };
  const xName = { field: 'trainCount', type: 'quantitative', scale, axis };
  const color = { field: 'method', type: 'nominal', sort: methods, scale: { domain: methods, scheme: methodScheme(methods.length) }, legend: { title: 'method', columns: methods.length > 12 ? 2 : 1 } };
  return {
    $schema: SCHEMA,
    title: { text: title, subtitle },
    data: { values: points },
    facet: { field: 'panel', type: 'nominal', sort: panels, header: { title: null, labelAnchor: 'start' } },
    columns: Math.min(FACET_COLUMNS, panels.length),
    // Each panel spans its own training counts, so every plot uses its whole width.
    resolve: { scale: { x: 'independent', y: 'shared' } },
    spec: {
      width: PANEL_WIDTH,
      height: PANEL_HEIGHT,
      layer: [
        {
          // A line at F1 = 1 separates the plot from the band of names above it.
          mark: { type: 'rule', color: '#bbb', strokeWidth: 1 },
          encoding: { y: { datum: 1 } },
        },
        {
          // The names sit in the upper band, above any F1 (the y axis stops at 1).
          transform: [{ filter: 'datum.names != null' }],
          mark: { type: 'text', angle: 270, align: 'left', baseline: 'middle', fontSize: NAME_FONT_PX, color: '#666', clip: true },
          encoding: { x: xName, y: { datum: NAME_BASE }, text: { field: 'names', type: 'nominal' } },
        },
        {
          // The interval over seeds, cut to [0, 1].
          transform: [{ filter: 'datum.ciLow != null && datum.ciHigh != null' }],
          mark: { type: 'rule', strokeWidth: 1.2, opacity: 0.5 },
          encoding: { x, y: { field: 'ciLow', type: 'quantitative' }, y2: { field: 'ciHigh' }, color },
        },
        // A line per method helps follow a few methods across labels; past LINES_UP_TO they only tangle.
        ...(methods.length <= LINES_UP_TO
          ? [
              {
                mark: { type: 'line', strokeWidth: 1.2, opacity: 0.55, interpolate: 'linear' },
                encoding: {
                  x,
                  y: { field: 'f1', type: 'quantitative' },
                  color,
                  order: { field: 'trainCount', type: 'quantitative' },
                },
              },
            ]
          : []),
        {
          mark: { type: 'point', filled: true, size: 40, opacity: 0.9, stroke: 'white', strokeWidth: 0.5 },
          encoding: {
            x,
            y: {
              field: 'f1',
              type: 'quantitative',
              scale: { domain: [0, Y_TOP], nice: false },
              axis: { title: 'test F1 (mean over seeds)', values: [0, 0.2, 0.4, 0.6, 0.8, 1], grid: true },
            },
            color,
            shape: { field: 'group', type: 'nominal', scale: { domain: ['head', 'medium', 'tail'], range: ['square', 'circle', 'triangle-up'] }, legend: { title: 'label group' } },
            tooltip: [
              { field: 'label', type: 'nominal', title: 'label' },
              { field: 'method', type: 'nominal', title: 'method' },
              { field: 'group', type: 'nominal', title: 'group' },
              { field: 'trainCount', type: 'quantitative', title: 'training images', format: ',.4~f' },
              { field: 'f1', type: 'quantitative', title: 'F1 (mean)', format: '.3f' },
              { field: 'ciLow', type: 'quantitative', title: `${levelText(agg.level)} CI low`, format: '.3f' },
              { field: 'ciHigh', type: 'quantitative', title: `${levelText(agg.level)} CI high`, format: '.3f' },
              { field: 'seeds', type: 'quantitative', title: 'seeds' },
            ],
          },
        },
      ],
    },
    config: CONFIG,
  } as unknown as TopLevelSpec;
}

/**
 * Δ macro-F1 and Δ tail-F1 of every method but the baseline, in grid order (dataset, skew) then
 * method order then metric. A difference without a value (no paired seed, no tail label) is left out.
 */
export function deltaPoints(agg: Aggregate): DeltaPoint[] {
  const runIndex = orderIndex(firstAppearance(agg.runs.map(panelOf)));
  const methodIndex = orderIndex(methodOrder(agg));
  const metricIndex = orderIndex(DELTA_METRICS.map((m) => m.metric));
  const points: DeltaPoint[] = [];
  for (const s of agg.summary) {
    const spec = DELTA_METRICS.find((m) => m.metric === s.metric);
    const d = s.vsBaseline;
    if (!spec || s.method === agg.baseline || !d || d.mean === null) continue;
    points.push({
      dataset: s.dataset,
      skew: s.skew,
      method: s.method,
      metric: spec.metric,
      metricTitle: spec.title,
      delta: d.mean,
      ciLow: d.ci?.low ?? null,
      ciHigh: d.ci?.high ?? null,
      pairs: d.n,
      significant: d.significant,
      band: 0,
    });
  }
  const methodsShown = methodOrder(agg).filter((m) => points.some((p) => p.method === m));
  for (const p of points) p.band = methodsShown.indexOf(p.method) % 2;
  return points.sort(
    (a, b) =>
      runIndex(panelOf(a)) - runIndex(panelOf(b)) ||
      methodIndex(a.method) - methodIndex(b.method) ||
      metricIndex(a.metric) - metricIndex(b.metric),
  );
}

/**
 * Paired Δ from the baseline with its interval bar: one row per method, one colour per skew, one
 * column per metric (macro-F1, tail-F1), one row of panels per dataset, and a rule at zero. A filled
 * point marks an interval that excludes zero.
 */
export function deltaSpec(agg: Aggregate): TopLevelSpec {
  const title = `Paired Δ against ${agg.baseline} with ${levelText(agg.level)} intervals`;
  const points = deltaPoints(agg);
  if (points.length === 0) return emptySpec(title, `no method has a paired difference from "${agg.baseline}" (it needs the baseline and the method on the same seeds)`);
  const methods = methodOrder(agg).filter((m) => points.some((p) => p.method === m));
  const skews = firstAppearance(points.map((p) => p.skew));
  const datasets = firstAppearance(points.map((p) => p.dataset));
  const metricTitles = DELTA_METRICS.map((m) => m.title).filter((t) => points.some((p) => p.metricTitle === t));
  const color = { field: 'skew', type: 'nominal', sort: skews, scale: { domain: skews, scheme: 'dark2' }, legend: { title: 'skew' } };
  const y = { field: 'method', type: 'nominal', sort: methods, axis: { title: null, labelFontSize: 11 } };
  const yOffset = { field: 'skew', type: 'nominal', sort: skews, scale: { domain: skews, paddingOuter: 0.3 } };
  const x = { field: 'delta', type: 'quantitative', axis: { title: `method − ${agg.baseline} (paired by seed)`, grid: true, tickCount: 5, format: '+.2~f' } };
  const noInterval = points.some((p) => p.ciLow === null);
  return {
    $schema: SCHEMA,
    title: {
      text: title,
      subtitle: [
        `bars: ${levelText(agg.level)} t-interval of the mean paired difference over ${seedsText(points.map((p) => p.pairs))}; filled point: the interval excludes 0`,
        ...(noInterval ? ['no bar: one paired seed gives no interval'] : []),
      ],
    },
    data: { values: points },
    facet: {
      // The dataset's name above its panels, not beside them, where it would take a column of its own.
      row: { field: 'dataset', type: 'nominal', sort: datasets, header: { title: null, labelAngle: 0, labelOrient: 'top', labelAnchor: 'start' } },
      column: { field: 'metricTitle', type: 'nominal', sort: metricTitles, header: { title: null } },
    },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: DELTA_WIDTH,
      // A fixed height per method and skew: the shading layer has no skew offset, so a step would count per method.
      height: Math.round(methods.length * (skews.length + 0.6) * DELTA_SKEW_STEP),
      layer: [
        {
          // Every other method's row shaded, so a row can be followed across both columns even with 20 methods.
          transform: [{ filter: 'datum.band == 1' }],
          mark: { type: 'rect', color: '#f2f2f2' },
          encoding: { y: { field: 'method', type: 'nominal', sort: methods } },
        },
        { mark: { type: 'rule', color: '#333', strokeDash: [4, 3] }, encoding: { x: { datum: 0, type: 'quantitative' } } },
        {
          transform: [{ filter: 'datum.ciLow != null && datum.ciHigh != null' }],
          mark: { type: 'rule', strokeWidth: 2 },
          encoding: { y, yOffset, x: { field: 'ciLow', type: 'quantitative' }, x2: { field: 'ciHigh' }, color },
        },
        {
          mark: { type: 'point', size: 60, strokeWidth: 2, opacity: 1 },
          encoding: {
            y,
            yOffset,
            x,
            color,
            fill: { condition: { test: 'datum.significant', field: 'skew', type: 'nominal', sort: skews, scale: { domain: skews, scheme: 'dark2' } }, value: 'white' },
            tooltip: [
              { field: 'method', type: 'nominal', title: 'method' },
              { field: 'skew', type: 'nominal', title: 'skew' },
              { field: 'metricTitle', type: 'nominal', title: 'metric' },
              { field: 'delta', type: 'quantitative', title: 'Δ (mean)', format: '+.3f' },
              { field: 'ciLow', type: 'quantitative', title: 'CI low', format: '+.3f' },
              { field: 'ciHigh', type: 'quantitative', title: 'CI high', format: '+.3f' },
              { field: 'pairs', type: 'quantitative', title: 'paired seeds' },
              { field: 'significant', type: 'nominal', title: 'interval excludes 0' },
            ],
          },
        },
      ],
    },
    config: CONFIG,
  } as unknown as TopLevelSpec;
}
