import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The README's reading of results/full ("What this says", "Against the published pattern") renders
// its figures from the tables; its words — "at every imbalance", "significantly", "among the three
// worst" — are checked here against the same tables, so a rerun that changed them fails a test.

function table(file: string): Array<Record<string, string>> {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const keys = head.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [keys[i], v])));
}

const summary = table('results/full/summary.csv');
const trials = table('results/full/trials.csv');
const skews = [...new Set(summary.map((r) => r.skew))];
const methods = [...new Set(summary.map((r) => r.method))];
const row = (method: string, metric: string, skew: string) => summary.find((r) => r.method === method && r.metric === metric && r.skew === skew);
const delta = (method: string, metric: string, skew: string) => Number(row(method, metric, skew)!.delta_mean);
const mean = (method: string, metric: string, skew: string) => Number(row(method, metric, skew)!.mean);
const significant = (method: string, metric: string, skew: string) => row(method, metric, skew)!.significant === 'true';
/** Significantly below (or above) the baseline. */
const lower = (method: string, metric: string, skew: string) => significant(method, metric, skew) && delta(method, metric, skew) < 0;
const higher = (method: string, metric: string, skew: string) => significant(method, metric, skew) && delta(method, metric, skew) > 0;
const highImbalance = skews.filter((s) => ['exponential:50', 'exponential:100'].includes(s));
const plans = ['targeted', 'ml-ros', 'lp-ros', 'rfs', 'seed-heuristic', 'targeted+inverse-frequency'];
const ranking = ['asymmetric', 'class-aware', 'distribution-balanced', 'square-root'];

describe("the README's reading of results/full says what its tables say", () => {
  it('covers three imbalances and every method it names', () => {
    expect(skews).toEqual(['exponential:10', 'exponential:50', 'exponential:100']);
    expect(highImbalance).toHaveLength(2);
    for (const m of [...plans, ...ranking, 'focal', 'repeat-factor-online', 'online-augment', 'crt', 'inverse-frequency', 'effective-number']) expect(methods).toContain(m);
  });

  it('ASL, class-aware, distribution-balanced and square-root raise mAP and tuned macro-F1 significantly at (almost) every imbalance', () => {
    const cells = ranking.flatMap((m) => skews.flatMap((s) => ['map', 'macro_f1_tuned'].map((metric) => ({ m, s, metric }))));
    expect(cells.every(({ m, s, metric }) => delta(m, metric, s) > 0)).toBe(true);
    expect(cells.filter(({ m, s, metric }) => higher(m, metric, s)).length).toBeGreaterThanOrEqual(cells.length - 2);
  });

  it('class-aware has the largest mAP gain at the highest imbalance and ASL the largest tuned macro-F1 gain; focal gains less, at every imbalance', () => {
    const top = skews[skews.length - 1];
    for (const m of methods.filter((x) => x !== 'baseline')) expect(delta(m, 'map', top)).toBeLessThanOrEqual(delta('class-aware', 'map', top));
    const best = Math.max(...skews.map((s) => delta('asymmetric', 'macro_f1_tuned', s)));
    for (const m of methods.filter((x) => x !== 'baseline')) for (const s of skews) expect(delta(m, 'macro_f1_tuned', s)).toBeLessThanOrEqual(best);
    for (const s of skews) {
      expect(higher('focal', 'map', s) && higher('focal', 'macro_f1_tuned', s)).toBe(true);
      expect(delta('focal', 'map', s)).toBeLessThan(Math.max(...ranking.map((m) => delta(m, 'map', s))));
    }
  });

  it('repeat-factor sampling online raises macro-F1 at IF 50 and 100; the rfs plan changes neither macro-F1 nor tail-F1 significantly', () => {
    for (const s of highImbalance) expect(higher('repeat-factor-online', 'macro_f1', s)).toBe(true);
    for (const s of skews) {
      expect(significant('rfs', 'macro_f1', s)).toBe(false);
      if (row('rfs', 'tail_f1', s)) expect(significant('rfs', 'tail_f1', s)).toBe(false);
    }
  });

  it('targeted lowers head-F1 and mAP at every imbalance; ml-ros and lp-ros lower mAP at two of three', () => {
    for (const s of skews) expect(lower('targeted', 'head_f1', s) && lower('targeted', 'map', s)).toBe(true);
    for (const m of ['ml-ros', 'lp-ros']) expect(skews.filter((s) => lower(m, 'map', s))).toHaveLength(2);
  });

  it('inverse-frequency and effective-number lower macro-F1, head-F1 and mAP at IF 50 and 100', () => {
    for (const m of ['inverse-frequency', 'effective-number']) for (const s of highImbalance) for (const metric of ['macro_f1', 'head_f1', 'map']) expect([m, s, metric, lower(m, metric, s)]).toEqual([m, s, metric, true]);
  });

  it('cRT gives lower macro-F1 and mAP than the baseline at every imbalance', () => {
    for (const s of skews) expect(delta('crt', 'macro_f1', s) < 0 && delta('crt', 'map', s) < 0).toBe(true);
  });

  it('the seed heuristic is the worst plan at every imbalance, among the three worst methods with online augmentation and cRT, and plans the longest', () => {
    for (const s of skews) {
      const plan = plans.map((m) => [m, mean(m, 'macro_f1', s)] as const).sort((a, b) => a[1] - b[1]);
      expect(plan[0][0]).toBe('seed-heuristic');
      const worst = methods.map((m) => [m, mean(m, 'macro_f1', s)] as const).sort((a, b) => a[1] - b[1]).slice(0, 3).map(([m]) => m);
      expect(worst.sort()).toEqual(['crt', 'online-augment', 'seed-heuristic']);
      const planSeconds = (m: string) => {
        const mine = trials.filter((t) => t.skew === s && t.method === m).map((t) => Number(t.plan_seconds));
        return mine.reduce((a, b) => a + b, 0) / mine.length;
      };
      for (const m of methods.filter((x) => x !== 'seed-heuristic')) expect(planSeconds(m)).toBeLessThan(planSeconds('seed-heuristic'));
    }
  });

  it('distribution-balanced improves on BCE in mAP and macro-F1, and stays below class-aware sampling and ASL in mAP', () => {
    for (const s of skews) {
      expect(delta('distribution-balanced', 'map', s) > 0 && delta('distribution-balanced', 'macro_f1', s) > 0).toBe(true);
      expect(delta('distribution-balanced', 'map', s)).toBeLessThan(Math.min(delta('class-aware', 'map', s), delta('asymmetric', 'map', s)));
    }
  });
});
