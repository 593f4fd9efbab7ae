import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { aggregate, findStatistic, LABEL_METRICS } from '../../src/report/aggregate.js';
import { failedRecord, labelRow, okRecord } from './fixtures.js';

// Student-t quantiles in closed form: with 1 degree of freedom t(p) = tan(π(p − ½)), with 2
// t(p) = (2p − 1)·√(2 / (4p(1 − p))).
const T1 = Math.tan(Math.PI * 0.475);
const T2 = 0.95 * Math.sqrt(2 / (4 * 0.975 * 0.025));

/** Three seeds of baseline and weighted on one skew, macro-F1 chosen by hand. */
function threeSeeds() {
  const base = [0.5, 0.6, 0.7];
  const weighted = [0.56, 0.67, 0.75];
  return [
    ...base.map((v, k) => okRecord({ method: 'baseline', seed: k + 1 }, { macro_f1: v })),
    ...weighted.map((v, k) => okRecord({ method: 'weighted', seed: k + 1 }, { macro_f1: v })),
  ];
}

describe('aggregate', () => {
  it('gives mean, sd and t-interval over three seeds (hand-checked)', () => {
    const agg = aggregate(threeSeeds());
    const base = findStatistic(agg, { dataset: 'shapes', skew: 'exponential:10', method: 'baseline' }, 'macro_f1')!;
    // mean 0.6, sd = sqrt((0.01 + 0 + 0.01) / 2) = 0.1, half width = T2 · 0.1 / √3
    expect(base.stats.n).toBe(3);
    expect(base.stats.mean).toBeCloseTo(0.6, 15);
    expect(base.stats.sd).toBeCloseTo(0.1, 15);
    expect(base.stats.ci!.low).toBeCloseTo(0.6 - (T2 * 0.1) / Math.sqrt(3), 12);
    expect(base.stats.ci!.high).toBeCloseTo(0.6 + (T2 * 0.1) / Math.sqrt(3), 12);
    expect(base.vsBaseline).toBeNull();
  });

  it('keeps the intervals of quality metrics inside [0, 1] (Δ inside [−1, 1]); counts and times are not cut', () => {
    const timings = (train: number) => ({ data: 0.1, plan: 0, train, predict: 0.2, evaluate: 0.01, total: train + 0.31 });
    const records = [
      ...[0.05, 0.95].map((v, k) => okRecord({ method: 'baseline', seed: k + 1, timings: timings(k === 0 ? 0.5 : 20) }, { macro_f1: v, map: v })),
      ...[0.95, 0.05].map((v, k) => okRecord({ method: 'weighted', seed: k + 1 }, { macro_f1: v, map: v })),
    ];
    const agg = aggregate(records);
    const key = { dataset: 'shapes', skew: 'exponential:10' };
    for (const metric of ['macro_f1', 'map'] as const) {
      expect(findStatistic(agg, { ...key, method: 'baseline' }, metric)!.stats.ci).toEqual({ low: 0, high: 1 });
      expect(findStatistic(agg, { ...key, method: 'weighted' }, metric)!.vsBaseline!.ci).toEqual({ low: -1, high: 1 });
    }
    // Seconds have no upper bound and a t-interval over two far-apart values keeps its negative end.
    expect(findStatistic(agg, { ...key, method: 'baseline' }, 'train_seconds')!.stats.ci!.low).toBeLessThan(0);
  });

  it('takes the paired Δ seed by seed (hand-checked)', () => {
    const agg = aggregate(threeSeeds());
    const d = findStatistic(agg, { dataset: 'shapes', skew: 'exponential:10', method: 'weighted' }, 'macro_f1')!.vsBaseline!;
    // differences 0.06, 0.07, 0.05: mean 0.06, sd 0.01, half width T2 · 0.01 / √3 = 0.02484 → [0.0352, 0.0848]
    expect(d.seeds).toEqual([1, 2, 3]);
    expect(d.n).toBe(3);
    expect(d.mean).toBeCloseTo(0.06, 14);
    expect(d.sd).toBeCloseTo(0.01, 14);
    expect(d.ci!.low).toBeCloseTo(0.06 - (T2 * 0.01) / Math.sqrt(3), 12);
    expect(d.ci!.high).toBeCloseTo(0.06 + (T2 * 0.01) / Math.sqrt(3), 12);
    expect(d.significant).toBe(true);
    // The method's own interval still holds the baseline's mean 0.6: only the pairing shows the gain.
    const w = findStatistic(agg, { dataset: 'shapes', skew: 'exponential:10', method: 'weighted' }, 'macro_f1')!;
    expect(w.stats.ci!.low).toBeLessThan(0.6);
  });

  it('pairs only matching seeds of the same dataset and skew', () => {
    const records = [
      okRecord({ method: 'baseline', seed: 1 }, { macro_f1: 0.5 }),
      okRecord({ method: 'baseline', seed: 2 }, { macro_f1: 0.6 }),
      okRecord({ method: 'baseline', seed: 3 }, { macro_f1: 0.9 }),
      // the other skew's baseline must not be used for this skew's method
      okRecord({ method: 'baseline', seed: 4, skew: 'exponential:100' }, { macro_f1: 0.1 }),
      okRecord({ method: 'weighted', seed: 2 }, { macro_f1: 0.7 }),
      okRecord({ method: 'weighted', seed: 3 }, { macro_f1: 0.8 }),
      okRecord({ method: 'weighted', seed: 4 }, { macro_f1: 0.2 }),
    ];
    const agg = aggregate(records);
    const d = findStatistic(agg, { dataset: 'shapes', skew: 'exponential:10', method: 'weighted' }, 'macro_f1')!.vsBaseline!;
    // seeds 2 and 3 only: 0.7 − 0.6 = 0.1 and 0.8 − 0.9 = −0.1
    expect(d.seeds).toEqual([2, 3]);
    expect(d.mean).toBeCloseTo(0, 15);
    expect(d.sd).toBeCloseTo(Math.SQRT2 / 10, 15);
    // The t half-width T1 · 0.1 = 1.27 reaches past what a difference of F1 values can be: cut at 1.
    expect((T1 * (Math.SQRT2 / 10)) / Math.SQRT2).toBeGreaterThan(1);
    expect(d.ci).toEqual({ low: -1, high: 1 });
    expect(d.significant).toBe(false);
    // The method's own statistics use all its seeds.
    expect(findStatistic(agg, { dataset: 'shapes', skew: 'exponential:10', method: 'weighted' }, 'macro_f1')!.stats.n).toBe(3);
    // The other skew has no weighted run, and its baseline is its own group.
    expect(agg.runs.map((r) => `${r.skew}/${r.method}:${r.seeds.join(',')}`)).toEqual([
      'exponential:10/baseline:1,2,3',
      'exponential:100/baseline:4',
      'exponential:10/weighted:2,3,4',
    ]);
  });

  it('excludes failed trials from every statistic and counts them', () => {
    const records = [
      ...threeSeeds(),
      failedRecord({ method: 'weighted', seed: 4 }),
    ];
    const agg = aggregate(records);
    expect(agg.trials).toBe(7);
    expect(agg.failed).toEqual([{ dataset: 'shapes', skew: 'exponential:10', method: 'weighted', trial: records[6].trial, seed: 4, reason: 'loss became NaN at epoch 2, step 7' }]);
    const run = agg.runs.find((r) => r.method === 'weighted')!;
    expect(run).toMatchObject({ seeds: [1, 2, 3], failed: 1 });
    expect(findStatistic(agg, run, 'macro_f1')!.stats.n).toBe(3);
  });

  it('summarises training time and images, and leaves out metrics no trial had', () => {
    const records = [1, 2].map((seed) =>
      okRecord({ method: 'baseline', seed, timings: { data: 0, plan: 0, train: seed * 2, predict: 0, evaluate: 0, total: seed * 3 } }, { head_f1: null }),
    );
    const agg = aggregate(records);
    const key = { dataset: 'shapes', skew: 'exponential:10', method: 'baseline' };
    expect(findStatistic(agg, key, 'train_seconds')!.stats.mean).toBe(3);
    expect(findStatistic(agg, key, 'total_seconds')!.stats.mean).toBe(4.5);
    expect(findStatistic(agg, key, 'train_images')!.stats.mean).toBe(300);
    expect(findStatistic(agg, key, 'head_f1')).toBeUndefined();
  });

  it('summarises each label over seeds, matched by name, with its Δ', () => {
    const rows = (f1: number, order: 'ab' | 'ba') => {
      const a = labelRow('a', { f1, train_count: 100, group: 'head' });
      const b = labelRow('b', { f1: 0.2, train_count: 10, group: 'tail', f1_tuned: null });
      return order === 'ab' ? [a, b] : [b, a];
    };
    const records = [
      okRecord({ method: 'baseline', seed: 1, perLabel: rows(0.4, 'ab') }),
      okRecord({ method: 'baseline', seed: 2, perLabel: rows(0.5, 'ab') }),
      okRecord({ method: 'weighted', seed: 1, perLabel: rows(0.45, 'ba') }),
      okRecord({ method: 'weighted', seed: 2, perLabel: rows(0.65, 'ba') }),
    ];
    const agg = aggregate(records);
    const a = agg.perLabel.find((s) => s.method === 'weighted' && s.label === 'a' && s.metric === 'f1')!;
    expect(a.stats.mean).toBeCloseTo(0.55, 15);
    expect(a.trainCount).toBe(100);
    expect(a.group).toBe('head');
    // differences 0.05 and 0.15
    expect(a.vsBaseline!.mean).toBeCloseTo(0.1, 15);
    expect(a.vsBaseline!.sd).toBeCloseTo(Math.SQRT2 * 0.05, 15);
    // f1_tuned of b is null everywhere: no statistic rather than a fake 0
    expect(agg.perLabel.filter((s) => s.label === 'b' && s.metric === 'f1_tuned')).toEqual([]);
    // every label metric of label a, for both methods
    expect(agg.perLabel.filter((s) => s.label === 'a').map((s) => `${s.method}:${s.metric}`)).toEqual([
      ...LABEL_METRICS.map((m) => `baseline:${m}`),
      ...LABEL_METRICS.map((m) => `weighted:${m}`),
    ]);
    // labels keep the first trial's order
    expect([...new Set(agg.perLabel.filter((s) => s.method === 'baseline').map((s) => s.label))]).toEqual(['a', 'b']);
  });

  it('takes the group a label has in most seeds, ties to the rarer one', () => {
    const recs = (groups: Array<'head' | 'medium' | 'tail'>) =>
      groups.map((group, k) => okRecord({ method: 'baseline', seed: k + 1, perLabel: [labelRow('x', { group })] }));
    expect(aggregate(recs(['medium', 'tail', 'medium']).slice()).perLabel[0].group).toBe('medium');
    expect(aggregate(recs(['medium', 'tail'])).perLabel[0].group).toBe('tail');
  });

  it('compares with another method when asked, and has no Δ without a baseline run', () => {
    const agg = aggregate(threeSeeds(), { baseline: 'weighted' });
    const d = findStatistic(agg, { dataset: 'shapes', skew: 'exponential:10', method: 'baseline' }, 'macro_f1')!.vsBaseline!;
    expect(d.mean).toBeCloseTo(-0.06, 14);
    const none = aggregate(threeSeeds(), { baseline: 'absent' });
    expect(none.summary.every((s) => s.vsBaseline === null)).toBe(true);
  });

  it('rejects two finished trials of one method and seed', () => {
    const records = [okRecord({ method: 'baseline', seed: 1 }), okRecord({ method: 'baseline', seed: 1 })];
    expect(() => aggregate(records)).toThrow(InputError);
    expect(() => aggregate(records)).toThrow(/two finished trials of baseline on shapes exponential:10 with seed 1/);
  });

  it('does not depend on the order of the records', () => {
    const records = threeSeeds();
    expect(aggregate([...records].reverse())).toEqual(aggregate(records));
  });
});
