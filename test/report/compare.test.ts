import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { compareRuns, type comparisonJson, EXIT_CODES, formatComparison, formatComparisonMarkdown, formatComparisonTable } from '../../src/report/compare.js';
import { jitter, LABELS, noisy, run, side } from './compare-fixtures.js';

const baseline = side('base.csv', run(noisy));

describe('compareRuns: the gate rule', () => {
  it('identical runs pass: every Δ 0, named identical, p = 1, verdict no regression', () => {
    const c = compareRuns(baseline, side('cur.csv', run(noisy)));
    expect(c.outcome).toBe('pass');
    expect(c.exitCode).toBe(0);
    expect(c.sharedSeeds).toEqual([1, 2, 3, 4, 5, 6]);
    // 2 methods × (3 summary + 4 labels)
    expect(c.rows).toHaveLength(14);
    for (const r of c.rows) {
      expect(r.delta).toBe(0);
      expect(r.degenerate).toBe('identical');
      expect(r.p).toBe(1);
      expect(r.pAdjusted).toBe(1);
      expect(r.interval).toEqual({ low: 0, high: 0 });
      expect(r.verdict).toBe('no regression');
    }
    expect(c.rows.slice(0, 6).every((r) => r.family === 'summary')).toBe(true);
    expect(c.rows.filter((r) => r.family === 'summary').map((r) => r.label).sort()).toEqual(['macro_f1', 'macro_f1', 'map', 'map', 'tail_ap', 'tail_ap']);
  });

  it('a clear drop of one label is a regression with its Holm-adjusted p, and the gate exits 1', () => {
    const cur = run((m, l, s) => noisy(m, l, s) + (m === 'oversample' && l === 'fox' ? -0.1 + jitter(l, s, 0.01) : 0));
    const c = compareRuns(baseline, side('cur.csv', cur));
    expect(c.outcome).toBe('regression');
    expect(c.exitCode).toBe(EXIT_CODES.regression);
    const fox = c.rows.find((r) => r.family === 'per-label' && r.method === 'oversample' && r.label === 'fox')!;
    expect(fox.verdict).toBe('regression');
    expect(fox.delta).toBeCloseTo(-0.1, 1);
    // The smallest p of 8 per-label rows: Holm multiplies it by 8 (the others are 1).
    expect(fox.pAdjusted).toBeCloseTo(Math.min(1, 8 * fox.p), 12);
    expect(fox.interval!.high).toBeLessThan(0);
    expect(fox.minDetectableDrop).toBeGreaterThan(0);
    // The tail summary of oversample (fox is a tail label) drops by 0.05: also flagged.
    const tail = c.rows.find((r) => r.family === 'summary' && r.method === 'oversample' && r.label === 'tail_ap')!;
    expect(tail.delta).toBeCloseTo(-0.05, 1);
    expect(tail.verdict).toBe('regression');
    // Regressions are listed first within each family.
    expect(c.rows.find((r) => r.family === 'per-label')).toBe(fox);
  });

  it('a significant drop within --max-drop is not a regression', () => {
    const cur = run((m, l, s) => noisy(m, l, s) + (l === 'cat' ? -0.01 + jitter(l, s, 0.001) : 0));
    const c = compareRuns(baseline, side('cur.csv', cur), { maxDrop: 0.02 });
    const cat = c.rows.find((r) => r.family === 'per-label' && r.label === 'cat')!;
    expect(cat.pAdjusted).toBeLessThan(0.025);
    expect(cat.verdict).toBe('no regression');
    expect(c.outcome).toBe('pass');
    // With max drop 0 it is one.
    expect(compareRuns(baseline, side('cur.csv', cur), { maxDrop: 0 }).outcome).toBe('regression');
    // The families have their own max drop.
    expect(compareRuns(baseline, side('cur.csv', cur), { maxDropLabel: 0 }).rows.filter((r) => r.verdict === 'regression').every((r) => r.family === 'per-label')).toBe(true);
  });

  it('a noisy large drop is inconclusive: shown, not failing, unless --strict', () => {
    const cur = run((m, l, s) => noisy(m, l, s) + (l === 'dog' ? -0.05 + jitter(l, s, 0.3) : 0));
    const c = compareRuns(baseline, side('cur.csv', cur));
    const dog = c.rows.filter((r) => r.family === 'per-label' && r.label === 'dog');
    expect(dog.every((r) => r.verdict === 'inconclusive')).toBe(true);
    expect(c.outcome).toBe('pass');
    expect(c.inconclusive).toBeGreaterThan(0);
    const strict = compareRuns(baseline, side('cur.csv', cur), { strict: true });
    expect(strict.outcome).toBe('regression');
    expect(strict.reason).toMatch(/--strict/);
  });

  it('fewer shared seeds than --min-seeds: inconclusive, exit 3, every row inconclusive', () => {
    const cur = run((m, l, s) => noisy(m, l, s) - 0.2 + jitter(l, s, 0.01), { seeds: [1, 2, 3, 4] });
    const c = compareRuns(baseline, side('cur.csv', cur), { allowMissing: true });
    expect(c.outcome).toBe('inconclusive');
    expect(c.exitCode).toBe(3);
    expect(c.rows.every((r) => r.verdict === 'inconclusive')).toBe(true);
    expect(compareRuns(baseline, side('cur.csv', cur), { allowMissing: true, minSeeds: 4 }).outcome).toBe('regression');
  });

  it('different seeds on the two sides are never compared unpaired: inconclusive', () => {
    const b = side('b.csv', run(noisy, { seeds: [1, 2, 3, 4, 5] }));
    const cur = side('c.csv', run((m, l, s) => noisy(m, l, s) - 0.3, { seeds: [6, 7, 8, 9, 10] }));
    const c = compareRuns(b, cur, { allowMissing: true });
    expect(c.outcome).toBe('inconclusive');
    expect(c.rows.every((r) => r.pairedSeeds.length === 0 && r.delta === null)).toBe(true);
  });

  it('a single seed per side is reported, never gated', () => {
    const b = side('b.csv', run(noisy, { seeds: [1] }));
    const c = compareRuns(b, side('c.csv', run((m, l, s) => noisy(m, l, s) - 0.3, { seeds: [1] })));
    expect(c.outcome).toBe('inconclusive');
    expect(c.reason).toMatch(/one seed per side/);
    expect(c.regressions).toBe(0);
  });

  it('baseline rows missing from the current run fail the gate unless --allow-missing', () => {
    const noFox = run(noisy, { labels: LABELS.slice(0, 3) });
    const c = compareRuns(baseline, side('cur.csv', noFox));
    expect(c.outcome).toBe('regression');
    expect(c.missing.map((m) => `${m.method}/${m.label}`)).toEqual(['baseline/fox', 'oversample/fox']);
    expect(compareRuns(baseline, side('cur.csv', noFox), { allowMissing: true }).outcome).toBe('pass');
    const noMethod = compareRuns(baseline, side('cur.csv', run(noisy, { methods: ['baseline'] })));
    expect(noMethod.outcome).toBe('regression');
    expect(noMethod.missing).toHaveLength(4);
    const noSeed = compareRuns(baseline, side('cur.csv', run(noisy, { seeds: [1, 2, 3, 4, 5] })));
    expect(noSeed.outcome).toBe('regression');
    expect(noSeed.missing.every((m) => m.seeds.join() === '6')).toBe(true);
  });

  it('a constant non-zero difference is named and gets the sign test p = 0.5ⁿ', () => {
    const cur = run((m, l, s) => noisy(m, l, s) + (l === 'eel' && m === 'baseline' ? -0.1 : 0));
    const c = compareRuns(baseline, side('cur.csv', cur));
    const eel = c.rows.find((r) => r.family === 'per-label' && r.label === 'eel' && r.method === 'baseline')!;
    expect(eel.degenerate).toBe('constant');
    expect(eel.p).toBeCloseTo(0.5 ** 6, 15);
  });

  it('the tail row averages the per-label metric over the baseline tail labels; macro rows over all labels', () => {
    const cur = run((m, l, s) => noisy(m, l, s) + (l === 'eel' ? 0.08 : l === 'cat' ? -0.04 : 0));
    const c = compareRuns(baseline, side('cur.csv', cur));
    const of = (label: string) => c.rows.find((r) => r.family === 'summary' && r.method === 'baseline' && r.label === label)!;
    expect(of('tail_ap').delta).toBeCloseTo(0.04, 12);
    expect(of('map').delta).toBeCloseTo(0.01, 12);
    expect(of('macro_f1').delta).toBeCloseTo(0.01, 12);
  });

  it('input errors: no overlap, empty side, duplicated key and seed, options out of range', () => {
    const elsewhere = side('other.csv', run(noisy).map((r) => ({ ...r, dataset: 'digits' })));
    expect(() => compareRuns(baseline, elsewhere)).toThrow(InputError);
    expect(() => compareRuns(baseline, side('e.csv', []))).toThrow(/no row has a value of ap/);
    const rows = run(noisy);
    expect(() => compareRuns(baseline, side('d.csv', [...rows, { ...rows[0], line: 99 }]))).toThrow(/d\.csv:99: .* appears twice \(first on line 2\)/);
    expect(() => compareRuns(baseline, baseline, { minSeeds: 1 })).toThrow(InputError);
    expect(() => compareRuns(baseline, baseline, { maxDrop: -1 })).toThrow(InputError);
    expect(() => compareRuns(baseline, baseline, { level: 1 })).toThrow(InputError);
  });
});

describe('comparison reports', () => {
  const cur = run((m, l, s) => noisy(m, l, s) + (m === 'oversample' && l === 'fox' ? -0.1 + jitter(l, s, 0.01) : 0));
  const c = compareRuns(baseline, side('cur|x.csv', cur));

  it('table: outcome line first with the rule, p, Holm p, q and the verdict per row', () => {
    const text = formatComparisonTable(c, { color: false });
    expect(text.split('\n')[0]).toMatch(/^regression: .*Holm per family at α = 0\.025/);
    expect(text).toMatch(/p Holm/);
    expect(text).toMatch(/q BH/);
    expect(text).toMatch(/REGRESSION/);
  });

  it('markdown: a marked verdict line and a table with pipes escaped', () => {
    const md = formatComparisonMarkdown(c);
    expect(md.startsWith('❌ **regression')).toBe(true);
    expect(md).toMatch(/\| \*\*per-label\*\* \| \*\*oversample\*\* \| \*\*fox\*\*/);
    expect(formatComparisonMarkdown(compareRuns(baseline, baseline)).startsWith('✅')).toBe(true);
  });

  it('json: plain rows with a verdict field, parseable', () => {
    const json = JSON.parse(formatComparison(c, 'json')) as ReturnType<typeof comparisonJson> & { rows: Array<{ verdict: string }>; outcome: string; exitCode: number };
    expect(json.outcome).toBe('regression');
    expect(json.exitCode).toBe(1);
    expect(json.rows.every((r) => ['regression', 'no regression', 'inconclusive'].includes(r.verdict))).toBe(true);
  });
});
