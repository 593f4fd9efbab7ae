import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/report/aggregate.js';
import { deltaPoints, deltaSpec, methodOrder, perLabelF1Points, perLabelF1Spec } from '../../src/report/chart-specs.js';
import { chartRecords, SKEW_A, SKEW_B } from './charts-fixtures.js';
import { okRecord } from './fixtures.js';

// Student-t quantile for 2 degrees of freedom at 0.975, in closed form.
const T2 = 0.95 * Math.sqrt(2 / (4 * 0.975 * 0.025));
const PANEL_A = `shapes · ${SKEW_A}`;
const PANEL_B = `shapes · ${SKEW_B}`;

// biome-ignore lint/suspicious/noExplicitAny: chart specs are read as untyped JSON
type Json = Record<string, any>;
const asJson = (spec: unknown): Json => spec as Json;
const sd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

describe('perLabelF1Points', () => {
  const agg = aggregate(chartRecords());
  const points = perLabelF1Points(agg);

  it('has one point per run and label with training images, F1 the mean over seeds', () => {
    // 2 skews × 2 methods × 4 labels; yak has no training images and no place on a log axis
    expect(points).toHaveLength(16);
    expect(points.some((p) => p.label === 'yak')).toBe(false);
    const eel = points.find((p) => p.panel === PANEL_A && p.method === 'weighted' && p.label === 'eel')!;
    expect(eel).toMatchObject({ dataset: 'shapes', skew: SKEW_A, group: 'tail', trainCount: 8, seeds: 3 });
    expect(eel.f1).toBeCloseTo((0.4 + 0.5 + 0.35) / 3, 14);
    const half = (T2 * sd([0.4, 0.5, 0.35])) / Math.sqrt(3);
    expect(eel.ciLow).toBeCloseTo(eel.f1 - half, 12);
    expect(eel.ciHigh).toBeCloseTo(eel.f1 + half, 12);
    const catB = points.find((p) => p.panel === PANEL_B && p.method === 'weighted' && p.label === 'cat')!;
    expect(catB.f1).toBe(0.8);
    expect(catB.seeds).toBe(1);
    expect(catB.ciLow).toBeNull();
  });

  it('is ordered by panel (grid order), method (baseline first), then training count, commonest first', () => {
    expect(points.slice(0, 4).map((p) => [p.panel, p.method, p.label])).toEqual([
      [PANEL_A, 'baseline', 'cat'],
      [PANEL_A, 'baseline', 'fox'],
      [PANEL_A, 'baseline', 'dog'],
      [PANEL_A, 'baseline', 'eel'],
    ]);
    expect([...new Set(points.map((p) => `${p.panel}/${p.method}`))]).toEqual([`${PANEL_A}/baseline`, `${PANEL_A}/weighted`, `${PANEL_B}/baseline`, `${PANEL_B}/weighted`]);
    // the builder sorts for itself: the same points from statistics listed in any order
    expect(perLabelF1Points({ ...agg, perLabel: [...agg.perLabel].reverse() })).toEqual(points);
  });

  it('names every label once per panel; labels too close to print apart share one text at the smaller count', () => {
    for (const panel of [PANEL_A, PANEL_B]) {
      const named = points.filter((p) => p.panel === panel && p.names !== null);
      expect(named.map((p) => [p.trainCount, p.names])).toEqual([
        [120, 'cat'],
        [40, 'dog, fox'],
        [8, 'eel'],
      ]);
      // carried by the baseline's point, the first one drawn at that position
      expect(named.every((p) => p.method === 'baseline')).toBe(true);
    }
  });
});

describe('label names', () => {
  it('are cut with an ellipsis when they would not fit above the plot', () => {
    const long = 'a label whose name goes on and on well past the band above F1 = 1';
    const records = chartRecords().map((r) => ({ ...r, perLabel: r.perLabel.map((m) => (m.label === 'cat' ? { ...m, label: long } : m)) }));
    const named = perLabelF1Points(aggregate(records)).find((p) => p.names?.startsWith('a label'))!;
    expect(named.names!.endsWith('…')).toBe(true);
    expect(long.startsWith(named.names!.slice(0, -1))).toBe(true);
    expect(named.names!.length).toBeLessThan(long.length);
  });
});

describe('perLabelF1Spec', () => {
  const agg = aggregate(chartRecords());
  const spec = asJson(perLabelF1Spec(agg));
  const layers: Json[] = spec.spec.layer;
  const byMark = (type: string) => layers.find((l) => l.mark.type === type)!;

  it('carries exactly the points, one panel per dataset × skew in grid order', () => {
    expect(spec.data.values).toEqual(perLabelF1Points(agg));
    expect(spec.facet).toMatchObject({ field: 'panel', sort: [PANEL_A, PANEL_B] });
    expect(spec.spec.width).toBeGreaterThan(0);
    expect(spec.spec.height).toBeGreaterThan(0);
  });

  it('draws F1 against training images on a log x axis, one colour per method, one shape per group', () => {
    for (const layer of layers.filter((l) => l.encoding.x)) {
      expect(layer.encoding.x).toMatchObject({ field: layer.mark.type === 'text' ? 'trainCount' : 'x', type: 'quantitative', scale: { type: 'log' } });
    }
    // every panel spans its own training counts, so it uses its whole width
    expect(spec.resolve.scale.x).toBe('independent');
    const point = byMark('point');
    expect(point.encoding.y).toMatchObject({ field: 'f1', type: 'quantitative' });
    expect(point.encoding.color).toMatchObject({ field: 'method', scale: { domain: ['baseline', 'weighted'] } });
    expect(point.encoding.shape).toMatchObject({ field: 'group', scale: { domain: ['head', 'medium', 'tail'] } });
    expect(point.encoding.tooltip.map((t: Json) => t.field)).toEqual(expect.arrayContaining(['label', 'method', 'trainCount', 'f1', 'ciLow', 'ciHigh', 'seeds']));
    // the F1 axis stops labelling at 1; the band above holds the label names
    expect(Math.max(...point.encoding.y.axis.values)).toBe(1);
    expect(point.encoding.y.scale.domain[1]).toBeGreaterThan(1);
    expect(byMark('line').encoding.color.field).toBe('method');
    const names = byMark('text');
    expect(names.transform).toEqual([{ filter: 'datum.names != null' }]);
    expect(names.encoding.text.field).toBe('names');
    expect(names.encoding.y.datum).toBeGreaterThan(1);
  });

  it('draws each point’s interval over seeds, cut to [0, 1] by the seed statistics', () => {
    const bars = layers.find((l) => l.mark.type === 'rule' && l.encoding.y2)!;
    expect(bars.encoding.y.field).toBe('ciLow');
    expect(bars.encoding.y2.field).toBe('ciHigh');
    expect(bars.encoding.color.field).toBe('method');
    const points = perLabelF1Points(agg);
    const withCi = points.filter((p) => p.ciLow !== null);
    expect(withCi.length).toBeGreaterThan(0);
    for (const p of withCi) expect([p.ciLow! >= 0, p.ciHigh! <= 1]).toEqual([true, true]);
    // The fixture has intervals whose t-interval would leave [0, 1]: they end at the bound.
    expect(withCi.some((p) => p.ciHigh === 1 || p.ciLow === 0)).toBe(true);
  });

  it('keeps the label names clear of a point at F1 = 1', () => {
    const height = spec.spec.height as number;
    const top = spec.spec.layer.find((l: Json) => l.mark.type === 'point').encoding.y.scale.domain[1] as number;
    const pxPerUnit = height / top;
    const gapPx = (byMark('text').encoding.y.datum - 1) * pxPerUnit;
    const pointRadiusPx = Math.sqrt(byMark('point').mark.size / Math.PI);
    expect(gapPx).toBeGreaterThan(pointRadiusPx + 4);
  });

  it('sets the methods at one training count side by side, a few pixels apart, centred on the count', () => {
    const points = perLabelF1Points(agg);
    for (const panel of [PANEL_A, PANEL_B]) {
      const cats = points.filter((p) => p.panel === panel && p.label === 'cat');
      expect(cats).toHaveLength(2);
      expect(cats[0].x).not.toBe(cats[1].x);
      // symmetric around the true count in log space
      expect(Math.log(cats[0].x) + Math.log(cats[1].x)).toBeCloseTo(2 * Math.log(cats[0].trainCount), 12);
      const logs = points.filter((p) => p.panel === panel).map((p) => Math.log(p.trainCount));
      const pxPerLog = (spec.spec.width - 24) / (Math.max(...logs) - Math.min(...logs));
      const apartPx = Math.abs(Math.log(cats[0].x) - Math.log(cats[1].x)) * pxPerLog;
      expect(apartPx).toBeGreaterThan(1.5);
      expect(apartPx).toBeLessThan(10);
    }
  });

  it('says which labels it leaves out and over how many seeds it averages', () => {
    expect(spec.title.text).toMatch(/per-label F1/i);
    expect(spec.title.subtitle.join(' ')).toMatch(/1–3 seeds/);
    expect(spec.title.subtitle.join(' ')).toMatch(/1 label\(s\) without training images not shown/);
    expect(asJson(perLabelF1Spec(aggregate(chartRecords().filter((r) => r.skew === SKEW_A)))).title.subtitle[0]).toMatch(/mean over 3 seeds/);
  });

  it('is the same JSON for the same aggregate', () => {
    expect(JSON.stringify(perLabelF1Spec(aggregate(chartRecords())))).toBe(JSON.stringify(spec));
  });
});

describe('deltaPoints', () => {
  const agg = aggregate(chartRecords());
  const points = deltaPoints(agg);

  it('has Δ macro-F1 and Δ tail-F1 of every method but the baseline, paired by seed (hand-checked)', () => {
    expect(points.map((p) => [p.skew, p.method, p.metric])).toEqual([
      [SKEW_A, 'weighted', 'macro_f1'],
      [SKEW_A, 'weighted', 'tail_f1'],
      [SKEW_B, 'weighted', 'macro_f1'],
      [SKEW_B, 'weighted', 'tail_f1'],
    ]);
    // SKEW_A macro-F1 over 5 labels, per seed: (−.05 + .1 + .3)/5, (−.1 + .3)/5, (−.05 + .35)/5
    const macroA = [0.07, 0.04, 0.06];
    const half = (T2 * sd(macroA)) / Math.sqrt(3);
    expect(points[0].delta).toBeCloseTo(0.17 / 3, 14);
    expect(points[0].ciLow).toBeCloseTo(0.17 / 3 - half, 12);
    expect(points[0].ciHigh).toBeCloseTo(0.17 / 3 + half, 12);
    expect(points[0]).toMatchObject({ pairs: 3, significant: true, metricTitle: 'Δ macro-F1' });
    // tail-F1 is the mean of eel and yak (always 0): .3/2, .3/2, .35/2
    expect(points[1].delta).toBeCloseTo((0.15 + 0.15 + 0.175) / 3, 14);
    expect(points[1].metricTitle).toBe('Δ tail-F1');
    // SKEW_B: weighted ran seed 1 only, so one pair and no interval
    expect(points[2].delta).toBeCloseTo(0.4 / 5, 14);
    expect(points[3].delta).toBeCloseTo(0.25, 14);
    expect(points[2]).toMatchObject({ pairs: 1, ciLow: null, ciHigh: null, significant: false });
  });

  it('leaves out the baseline and runs without a paired seed', () => {
    const records = [...chartRecords(), okRecord({ method: 'oversample', seed: 9, skew: SKEW_A })];
    expect(deltaPoints(aggregate(records)).map((p) => p.method)).toEqual(['weighted', 'weighted', 'weighted', 'weighted']);
  });
});

describe('deltaSpec', () => {
  const agg = aggregate(chartRecords());
  const spec = asJson(deltaSpec(agg));
  const layers: Json[] = spec.spec.layer;

  it('plots Δ per method (y) and skew (colour), one column per metric, with interval bars and a zero rule', () => {
    expect(spec.data.values).toEqual(deltaPoints(agg));
    expect(spec.facet.column).toMatchObject({ field: 'metricTitle', sort: ['Δ macro-F1', 'Δ tail-F1'] });
    expect(spec.facet.row).toMatchObject({ field: 'dataset', sort: ['shapes'] });
    const [band, zero, bars, points] = layers;
    expect(band.mark.type).toBe('rect');
    expect(band.transform[0].filter).toBe('datum.band == 1');
    expect(zero.mark.type).toBe('rule');
    expect(zero.encoding.x.datum).toBe(0);
    expect(bars.mark.type).toBe('rule');
    expect(bars.encoding.x.field).toBe('ciLow');
    expect(bars.encoding.x2.field).toBe('ciHigh');
    expect(bars.transform[0].filter).toMatch(/ciLow != null/);
    expect(points.mark.type).toBe('point');
    expect(points.encoding.x.field).toBe('delta');
    expect(points.encoding.y).toMatchObject({ field: 'method', sort: ['weighted'] });
    expect(points.encoding.color).toMatchObject({ field: 'skew', scale: { domain: [SKEW_A, SKEW_B] } });
    expect(points.encoding.yOffset.field).toBe('skew');
    expect(points.encoding.fill.condition.test).toBe('datum.significant');
  });

  it('names the baseline and level, and explains a missing bar', () => {
    expect(spec.title.text).toBe('Paired Δ against baseline with 95 % intervals');
    expect(spec.title.subtitle.join(' ')).toMatch(/no bar: one paired seed/);
    const threeSeedsOnly = asJson(deltaSpec(aggregate(chartRecords().filter((r) => r.skew === SKEW_A))));
    expect(threeSeedsOnly.title.subtitle.join(' ')).not.toMatch(/no bar/);
  });
});

describe('charts without data', () => {
  it('say why instead of drawing empty axes', () => {
    const none = aggregate([]);
    expect(asJson(perLabelF1Spec(none))).toMatchObject({ mark: { type: 'text' }, data: { values: [{ reason: expect.stringMatching(/no finished trial/) }] } });
    const baselineOnly = aggregate(chartRecords().filter((r) => r.method === 'baseline'));
    expect(asJson(deltaSpec(baselineOnly))).toMatchObject({ mark: { type: 'text' }, data: { values: [{ reason: expect.stringMatching(/paired difference from "baseline"/) }] } });
  });
});

describe('methodOrder', () => {
  it('puts the baseline first, the rest in grid order', () => {
    expect(methodOrder(aggregate(chartRecords(), { baseline: 'weighted' }))).toEqual(['weighted', 'baseline']);
    expect(methodOrder(aggregate(chartRecords()))).toEqual(['baseline', 'weighted']);
  });
});

describe('deltaSpec with many methods', () => {
  /** The fixture's weighted method copied under `n` names: n methods besides the baseline. */
  function manyMethods(n: number) {
    const records = chartRecords();
    const copies = Array.from({ length: n - 1 }, (_, k) =>
      records.filter((r) => r.method === 'weighted').map((r) => ({ ...r, trial: `${r.trial}-${k}`, method: `method-${String(k).padStart(2, '0')}`, index: r.index + 1000 * (k + 1) })),
    );
    return aggregate([...records, ...copies.flat()]);
  }

  it('the per-label chart joins a method’s points by a line up to 6 methods, and draws points only past that', () => {
    // manyMethods(n) holds n + 1 methods: the baseline and n others.
    const marks = (methods: number) => (asJson(perLabelF1Spec(manyMethods(methods - 1))).spec.layer as Json[]).map((l: Json) => l.mark.type);
    expect(marks(6)).toContain('line');
    expect(marks(7)).not.toContain('line');
    expect(marks(7)).toContain('point');
  });

  it('shades every other method’s row and grows in height with the methods, so 20 stay readable', () => {
    const twenty = deltaPoints(manyMethods(20));
    const methods = [...new Set(twenty.map((p) => p.method))];
    expect(methods).toHaveLength(20);
    methods.forEach((m, i) => expect(new Set(twenty.filter((p) => p.method === m).map((p) => p.band))).toEqual(new Set([i % 2])));
    const h20 = asJson(deltaSpec(manyMethods(20))).spec.height as number;
    const h10 = asJson(deltaSpec(manyMethods(10))).spec.height as number;
    expect(h20).toBeCloseTo(2 * h10, -1);
    // at least 12 pixels per skew row: two skews' points of one method do not overlap
    expect(h20 / (20 * 2)).toBeGreaterThanOrEqual(12);
  });
});
