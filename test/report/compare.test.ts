import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { studentTQuantile } from '../../src/eval/student-t.js';
import type { LabelGroup } from '../../src/labels/stats.js';
import {
  compareRuns,
  comparisonJson,
  decideDelta,
  formatComparison,
  formatComparisonMarkdown,
  formatComparisonTable,
  type ComparisonSide,
} from '../../src/report/compare.js';
import type { PerLabelRow } from '../../src/report/results.js';
import { labelRow } from './fixtures.js';

const seeds = (values: Record<number, number>): Map<number, number> => new Map(Object.entries(values).map(([s, v]) => [Number(s), v]));

/** t(0.975, 2), from tables: the paired interval of three seeds at 95 %. */
const T_975_2 = 4.302652729911275;

describe('decideDelta: the decision rule', () => {
  const base = seeds({ 1: 0.5, 2: 0.6, 3: 0.7 });

  it('pairs by seed when ≥ 2 seeds match: a consistent drop is significant', () => {
    // Differences −0.10, −0.08, −0.12: mean −0.10, sd 0.02.
    const d = decideDelta(base, seeds({ 1: 0.4, 2: 0.52, 3: 0.58 }), 0.02);
    expect(d.test).toBe('paired');
    expect(d.pairedSeeds).toEqual([1, 2, 3]);
    expect(d.delta).toBeCloseTo(-0.1, 12);
    const half = (T_975_2 * 0.02) / Math.sqrt(3);
    expect(d.interval!.low).toBeCloseTo(-0.1 - half, 10);
    expect(d.interval!.high).toBeCloseTo(-0.1 + half, 10);
    expect(d.significantDrop).toBe(true);
    expect(d.regression).toBe(true);
  });

  it('uses Welch when the seeds differ: the same values are then within noise', () => {
    const current = seeds({ 4: 0.4, 5: 0.52, 6: 0.58 });
    const d = decideDelta(base, current, 0.02);
    expect(d.test).toBe('welch');
    expect(d.pairedSeeds).toEqual([]);
    expect(d.delta).toBeCloseTo(-0.1, 12);
    // Sample variances 0.01 (baseline) and 0.0084 (current), three seeds each.
    const va = 0.0084 / 3;
    const vb = 0.01 / 3;
    const se = Math.sqrt(va + vb);
    const df = (va + vb) ** 2 / (va ** 2 / 2 + vb ** 2 / 2);
    const half = studentTQuantile(0.975, df) * se;
    expect(d.interval!.low).toBeCloseTo(-0.1 - half, 10);
    expect(d.interval!.high).toBeCloseTo(-0.1 + half, 10);
    expect(d.interval!.high).toBeGreaterThan(0);
    expect(d.significantDrop).toBe(false);
    expect(d.regression).toBe(false);
  });

  it('pairs over the shared seeds only, even when each side has others', () => {
    const d = decideDelta(seeds({ 1: 0.9, 2: 0.5, 3: 0.6 }), seeds({ 2: 0.3, 3: 0.4, 4: 0.1 }), 0.02);
    expect(d.test).toBe('paired');
    expect(d.pairedSeeds).toEqual([2, 3]);
    expect(d.delta).toBeCloseTo(-0.2, 12);
    expect(d.interval!.low).toBeCloseTo(-0.2, 10);
    expect(d.interval!.high).toBeCloseTo(-0.2, 10);
    expect(d.regression).toBe(true);
  });

  it('falls back to Welch when only one seed matches and both sides have two', () => {
    const d = decideDelta(seeds({ 1: 0.6, 2: 0.7 }), seeds({ 2: 0.3, 3: 0.4 }), 0.02);
    expect(d.test).toBe('welch');
    expect(d.delta).toBeCloseTo(-0.3, 12);
  });

  it('with one seed on a side: no interval, and any drop beyond max-drop is a regression', () => {
    const one = decideDelta(seeds({ 1: 0.5 }), seeds({ 1: 0.47 }), 0.02);
    expect(one).toMatchObject({ test: 'none', interval: null, significantDrop: null, regression: true });
    expect(one.delta).toBeCloseTo(-0.03, 12);
    // Three baseline seeds against one current seed: Δ from the baseline's mean 0.6.
    const mixed = decideDelta(base, seeds({ 1: 0.45 }), 0.02);
    expect(mixed.test).toBe('none');
    expect(mixed.delta).toBeCloseTo(-0.15, 12);
    expect(mixed.regression).toBe(true);
    const small = decideDelta(base, seeds({ 5: 0.59 }), 0.02);
    expect(small.regression).toBe(false);
  });

  it('a drop of exactly max-drop is tolerated, a hair more is not', () => {
    expect(decideDelta(seeds({ 1: 0.5 }), seeds({ 1: 0.48 }), 0.02).regression).toBe(false);
    expect(decideDelta(seeds({ 1: 0.5 }), seeds({ 1: 0.4799 }), 0.02).regression).toBe(true);
    // Paired, zero spread: significant in both cases, so max-drop alone decides.
    const exact = decideDelta(seeds({ 1: 0.5, 2: 0.7 }), seeds({ 1: 0.48, 2: 0.68 }), 0.02);
    expect(exact.test).toBe('paired');
    expect(exact.significantDrop).toBe(true);
    expect(exact.regression).toBe(false);
    expect(decideDelta(seeds({ 1: 0.5, 2: 0.7 }), seeds({ 1: 0.4799, 2: 0.6799 }), 0.02).regression).toBe(true);
    expect(decideDelta(seeds({ 1: 0.5 }), seeds({ 1: 0.45 }), 0.05).regression).toBe(false);
    expect(decideDelta(seeds({ 1: 0.5 }), seeds({ 1: 0.45 }), 0.049).regression).toBe(true);
  });

  it('a large but noisy drop is not significant, so not a regression', () => {
    // Differences −0.3 and +0.1: mean −0.1, but the interval spans 0.
    const d = decideDelta(seeds({ 1: 0.6, 2: 0.4 }), seeds({ 1: 0.3, 2: 0.5 }), 0.02);
    expect(d.test).toBe('paired');
    expect(d.delta).toBeCloseTo(-0.1, 12);
    expect(d.interval!.low).toBeLessThan(0);
    expect(d.interval!.high).toBeGreaterThan(0);
    expect(d.regression).toBe(false);
  });

  it('a significant gain is never a regression, and max-drop 0 flags any significant drop', () => {
    expect(decideDelta(base, seeds({ 1: 0.8, 2: 0.9, 3: 1 }), 0).regression).toBe(false);
    expect(decideDelta(base, seeds({ 1: 0.499, 2: 0.599, 3: 0.699 }), 0).regression).toBe(true);
  });

  it('the level widens the interval and can turn a significant drop into noise', () => {
    const current = seeds({ 1: 0.4, 2: 0.52, 3: 0.58 });
    const at95 = decideDelta(base, current, 0.02, 0.95);
    const at999 = decideDelta(base, current, 0.02, 0.999);
    expect(at999.interval!.high - at999.interval!.low).toBeGreaterThan(at95.interval!.high - at95.interval!.low);
    expect(at95.regression).toBe(true);
    expect(at999.regression).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------

interface RowSpec {
  method?: string;
  label: string;
  seed: number;
  f1: number;
  group?: LabelGroup;
  ap?: number;
  f1_tuned?: number | null;
  skew?: string;
}

function side(file: string, specs: RowSpec[]): ComparisonSide {
  const rows: PerLabelRow[] = specs.map((s, i) => ({
    ...labelRow(s.label, { f1: s.f1, group: s.group ?? 'medium', ap: s.ap ?? s.f1, f1_tuned: s.f1_tuned === undefined ? s.f1 : s.f1_tuned }),
    trial: `${s.method ?? 'baseline'}-${s.seed}`,
    dataset: 'shapes',
    skew: s.skew ?? 'exponential:10',
    method: s.method ?? 'baseline',
    seed: s.seed,
    line: i + 2,
  }));
  return { file, rows };
}

/** Rows for labels × seeds 1..3 with f1 = value(label, seed). */
function grid(labels: Array<[string, LabelGroup]>, value: (label: string, seed: number) => number, method = 'weighted'): RowSpec[] {
  return labels.flatMap(([label, group]) => [1, 2, 3].map((seed) => ({ method, label, seed, group, f1: value(label, seed) })));
}

const LABELS: Array<[string, LabelGroup]> = [
  ['cat', 'head'],
  ['dog', 'medium'],
  ['eel', 'tail'],
  ['fox', 'tail'],
];
const BASE_F1 = (label: string, seed: number) => 0.3 + 0.1 * LABELS.findIndex(([l]) => l === label) + 0.01 * seed;

describe('compareRuns', () => {
  const baseline = side('base.csv', grid(LABELS, BASE_F1));

  it('identical runs: every Δ 0, no regression', () => {
    const c = compareRuns(baseline, side('cur.csv', grid(LABELS, BASE_F1)));
    expect(c.regressions).toBe(0);
    expect(c.rows).toHaveLength(4);
    for (const r of c.rows) {
      expect(r.delta).toBe(0);
      expect(r.test).toBe('paired');
      expect(r.interval).toEqual({ low: 0, high: 0 });
    }
    expect(c).toMatchObject({ metric: 'f1', maxDrop: 0.02, labels: 'all', level: 0.95, onlyBaseline: [], onlyCurrent: [] });
  });

  it('lists regressions first, then by Δ ascending', () => {
    // fox: −0.05 in every seed (a regression); dog: −0.35, +0.2, −0.3 (mean −0.15, within noise);
    // cat −0.01; eel +0.04. The larger but noisy drop of dog comes after the regression of fox.
    const dog: Record<number, number> = { 1: -0.35, 2: 0.2, 3: -0.3 };
    const shift = (label: string, seed: number) => ({ cat: -0.01, dog: dog[seed], eel: 0.04, fox: -0.05 })[label]!;
    const c = compareRuns(baseline, side('cur.csv', grid(LABELS, (label, seed) => BASE_F1(label, seed) + shift(label, seed))));
    expect(c.rows.map((r) => [r.label, r.regression])).toEqual([
      ['fox', true],
      ['dog', false],
      ['cat', false],
      ['eel', false],
    ]);
    expect(c.regressions).toBe(1);
    expect(c.rows[1].delta).toBeCloseTo(-0.15, 12);
    expect(c.rows[1].significantDrop).toBe(false);
    expect(formatComparisonTable(c, { color: false })).toMatch(/dog .* drop within noise/);
  });

  it('matches by (dataset, skew, method, label) and counts keys on one side only', () => {
    const current = side('cur.csv', [
      ...grid(LABELS.slice(1), BASE_F1),
      ...grid([['gnu', 'tail']], () => 0.5),
      ...grid([['cat', 'head']], BASE_F1, 'oversample'),
    ]);
    const c = compareRuns(baseline, current);
    expect(c.rows.map((r) => r.label).sort()).toEqual(['dog', 'eel', 'fox']);
    expect(c.onlyBaseline).toEqual([{ dataset: 'shapes', skew: 'exponential:10', method: 'weighted', label: 'cat' }]);
    expect(c.onlyCurrent.map((k) => `${k.method}/${k.label}`)).toEqual(['oversample/cat', 'weighted/gnu']);
    expect(formatComparisonTable(c, { color: false })).toMatch(/not compared: 1 only in the baseline, 2 only in the current run/);
  });

  it('filters by the baseline group of a label', () => {
    // In the current run eel is grouped "medium"; the baseline's grouping decides.
    const current = side(
      'cur.csv',
      grid(LABELS, (label, seed) => BASE_F1(label, seed) - (label === 'cat' ? 0.2 : 0)).map((r) => (r.label === 'eel' ? { ...r, group: 'medium' as const } : r)),
    );
    const tail = compareRuns(baseline, current, { labels: 'tail' });
    expect(tail.rows.map((r) => r.label).sort()).toEqual(['eel', 'fox']);
    expect(tail.regressions).toBe(0);
    const head = compareRuns(baseline, current, { labels: 'head' });
    expect(head.rows.map((r) => r.label)).toEqual(['cat']);
    expect(head.regressions).toBe(1);
    expect(compareRuns(baseline, current).regressions).toBe(1);
  });

  it('takes the majority group over the baseline seeds, a tie going to the rarer group', () => {
    const mixed = side('base.csv', [
      { label: 'x', seed: 1, f1: 0.5, group: 'tail' },
      { label: 'x', seed: 2, f1: 0.5, group: 'medium' },
      { label: 'y', seed: 1, f1: 0.5, group: 'head' },
      { label: 'y', seed: 2, f1: 0.5, group: 'medium' },
      { label: 'y', seed: 3, f1: 0.5, group: 'medium' },
    ]);
    const c = compareRuns(mixed, mixed);
    expect(Object.fromEntries(c.rows.map((r) => [r.label, r.group]))).toEqual({ x: 'tail', y: 'medium' });
  });

  it('no label of the requested group is an input error', () => {
    const noTail = side('base.csv', grid(LABELS.slice(0, 2), BASE_F1));
    expect(() => compareRuns(noTail, noTail, { labels: 'tail' })).toThrow(/none of the 2 labels in both base\.csv and base\.csv is a tail label/);
  });

  it('compares the chosen metric', () => {
    // f1 drops by 0.2 in every seed; AP rises by 0.1; f1_tuned is unchanged.
    const make = (f1: number, ap: number) =>
      [1, 2, 3].map((seed) => ({ method: 'weighted', label: 'cat', seed, f1: f1 + seed / 100, ap: ap + seed / 100, f1_tuned: 0.5 + seed / 100 }));
    const b = side('b.csv', make(0.6, 0.5));
    const cur = side('c.csv', make(0.4, 0.6));
    expect(compareRuns(b, cur, { metric: 'f1' }).rows[0].delta).toBeCloseTo(-0.2, 12);
    expect(compareRuns(b, cur, { metric: 'f1' }).regressions).toBe(1);
    expect(compareRuns(b, cur, { metric: 'ap' }).rows[0].delta).toBeCloseTo(0.1, 12);
    expect(compareRuns(b, cur, { metric: 'ap' }).regressions).toBe(0);
    expect(compareRuns(b, cur, { metric: 'f1_tuned' }).rows[0].delta).toBe(0);
    expect(compareRuns(b, cur, { metric: 'ap' }).rows[0].baseline.mean).toBeCloseTo(0.52, 12);
  });

  it('leaves out seeds whose metric is empty (f1_tuned without a validation split)', () => {
    const b = side('b.csv', [
      { label: 'cat', seed: 1, f1: 0.5, f1_tuned: 0.6 },
      { label: 'cat', seed: 2, f1: 0.5, f1_tuned: null },
    ]);
    const c = compareRuns(b, b, { metric: 'f1_tuned' });
    expect(c.rows[0].baseline.seeds).toEqual([1]);
    expect(c.rows[0].test).toBe('none');
    const none = side('n.csv', [{ label: 'cat', seed: 1, f1: 0.5, f1_tuned: null }]);
    expect(() => compareRuns(none, b, { metric: 'f1_tuned' })).toThrow(/^n\.csv: no per-label f1_tuned values \(the column is empty in every row\)/);
  });

  it('no overlapping key is an input error naming both files', () => {
    const other = side('other.csv', grid(LABELS, BASE_F1).map((r) => ({ ...r, skew: 'uniform' })));
    const err = (() => {
      try {
        compareRuns(baseline, other);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).exitCode).toBe(2);
    expect((err as InputError).message).toBe('no (dataset, skew, method, label) of base.csv is also in other.csv (4 and 4 keys with f1); nothing to compare');
  });

  it('an empty table is an input error', () => {
    expect(() => compareRuns(side('empty.csv', []), baseline)).toThrow(/^empty\.csv: no per-label f1 values \(the table has no rows\)/);
  });

  it('the same key and seed twice in one file is an input error naming both lines', () => {
    const twice = side('twice.csv', [
      { label: 'cat', seed: 1, f1: 0.5 },
      { label: 'dog', seed: 1, f1: 0.5 },
      { label: 'cat', seed: 1, f1: 0.4 },
    ]);
    expect(() => compareRuns(twice, baseline)).toThrow(/^twice\.csv:4: label "cat" of baseline on shapes exponential:10 seed 1 appears twice \(first on line 2\)/);
  });

  it('rejects options out of range', () => {
    expect(() => compareRuns(baseline, baseline, { maxDrop: -0.1 })).toThrow(InputError);
    expect(() => compareRuns(baseline, baseline, { level: 1 })).toThrow(InputError);
    expect(() => compareRuns(baseline, baseline, { metric: 'precision' as 'f1' })).toThrow(InputError);
  });
});

describe('comparison reports', () => {
  const baseline = side('base.csv', grid(LABELS, BASE_F1));
  const dropped = side('cur.csv', grid(LABELS, (label, seed) => BASE_F1(label, seed) - (label === 'eel' ? 0.2 : 0)));
  const regression = compareRuns(baseline, dropped);
  const clean = compareRuns(baseline, baseline);

  it('table: verdict first, the regression as the first row, both files named', () => {
    const text = formatComparisonTable(regression, { color: false });
    const lines = text.split('\n');
    expect(lines[0]).toBe('regression: 1 of 4 labels dropped in F1 by more than 0.02 (significant at 95 % where both sides have ≥ 2 seeds)');
    expect(lines[1]).toBe('shapes · exponential:10');
    const body = lines.filter((l) => l.startsWith('│') && !l.includes('method'));
    expect(body).toHaveLength(4);
    expect(body[0]).toMatch(/weighted.*eel.*tail.*0\.520.*0\.320.*-0\.200.*\[-0\.200, -0\.200\].*paired, 3 seeds.*REGRESSION/);
    expect(body.slice(1).every((l) => /±0\.000.* ok /.test(l))).toBe(true);
    expect(text).toMatch(/baseline: base\.csv\ncurrent: cur\.csv$/);
    expect(text).not.toMatch(/\x1b\[/);
    expect(formatComparisonTable(regression, { color: true })).toContain('\x1b[31mREGRESSION\x1b[39m');
    expect(formatComparisonTable(clean, { color: false }).split('\n')[0]).toMatch(/^no regression: none of 4 labels dropped in F1 by more than 0\.02/);
  });

  it('table: a dataset · skew column only when the comparison spans several', () => {
    const two = side('two.csv', [...grid(LABELS, BASE_F1), ...grid(LABELS, BASE_F1).map((r) => ({ ...r, skew: 'uniform' }))]);
    const text = formatComparisonTable(compareRuns(two, two), { color: false });
    expect(text).toMatch(/dataset · skew/);
    expect(text).toMatch(/shapes · uniform/);
    expect(formatComparisonTable(clean, { color: false })).not.toMatch(/dataset · skew/);
  });

  it('markdown: one-line verdict, a GitHub table, regressions bold, pipes escaped', () => {
    const lines = formatComparisonMarkdown(regression).split('\n');
    expect(lines[0]).toBe('❌ **regression: 1 of 4 labels dropped in F1 by more than 0.02 (significant at 95 % where both sides have ≥ 2 seeds)** · shapes · exponential:10');
    expect(lines[1]).toBe('');
    expect(lines[2]).toBe('| method | label | group | baseline F1 | current F1 | Δ | 95 % interval | test | verdict |');
    expect(lines[3]).toBe('|---|---|---|---:|---:|---:|---:|---|---|');
    expect(lines[4]).toBe('| **weighted** | **eel** | **tail** | **0.520** | **0.320** | **-0.200** | **[-0.200, -0.200]** | **paired, 3 seeds** | **REGRESSION** |');
    expect(lines.slice(5)).toHaveLength(3);
    for (const l of lines.slice(5)) {
      expect(l).not.toContain('**');
      expect(l.split(' | ')).toHaveLength(9);
    }
    expect(formatComparisonMarkdown(clean).split('\n')[0]).toMatch(/^✅ \*\*no regression/);
    const piped = side('p.csv', [{ label: 'a|b', seed: 1, f1: 0.5 }]);
    expect(formatComparisonMarkdown(compareRuns(piped, piped))).toContain('| baseline | a\\|b | medium |');
  });

  it('json: the options, the counts and every row, parseable', () => {
    const json = JSON.parse(formatComparison(regression, 'json'));
    expect(json).toMatchObject({ metric: 'f1', maxDrop: 0.02, labels: 'all', level: 0.95, baseline: 'base.csv', current: 'cur.csv', compared: 4, regressions: 1, onlyBaseline: [], onlyCurrent: [] });
    expect(json.rows[0]).toMatchObject({ method: 'weighted', label: 'eel', group: 'tail', test: 'paired', pairedSeeds: [1, 2, 3], regression: true, significantDrop: true });
    expect(json.rows[0].delta).toBeCloseTo(-0.2, 12);
    expect(json.rows[0].baseline.seeds).toEqual([1, 2, 3]);
    expect(json).toEqual(JSON.parse(JSON.stringify(comparisonJson(regression))));
  });
});
