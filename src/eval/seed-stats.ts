import { studentTCdf, studentTQuantile } from './student-t.js';

/**
 * Statistics over seeds. Every trial of a method is one draw of (data skew, initialisation, batch
 * order) from the same seed schedule, so a metric's values over seeds are treated as an i.i.d.
 * sample and summarised with Student-t intervals, which stay honest for the 2–5 seeds a suite runs.
 *
 * Defined edge cases: no value → everything null; one value → the mean only (a spread needs two);
 * values that are all equal → sd 0 and a zero-width interval at the mean.
 */

export const DEFAULT_LEVEL = 0.95;

export interface Interval {
  low: number;
  high: number;
}

export interface SeedSummary {
  n: number;
  mean: number | null;
  /** Sample standard deviation (n − 1 in the denominator); null for n < 2. */
  sd: number | null;
  /** mean ± t(1 − α/2, n − 1) · sd / √n; null for n < 2. */
  ci: Interval | null;
  level: number;
}

export interface PairedDifference extends SeedSummary {
  /** The seeds present in both samples, ascending: the pairs the difference is taken over. */
  seeds: number[];
  /** The interval lies entirely above or entirely below 0. */
  significant: boolean;
}

export interface WelchInterval {
  /** mean(a) − mean(b); null when either sample is empty. */
  diff: number | null;
  /** Standard error of the difference; null when either sample has fewer than two values. */
  se: number | null;
  /** Welch–Satterthwaite degrees of freedom; null when undefined (either n < 2, or both spreads 0). */
  df: number | null;
  ci: Interval | null;
  significant: boolean;
  level: number;
}

function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must be in (0, 1), got ${level}`);
}

function checkFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new RangeError(`${what}: value ${i} is ${values[i]}, expected a finite number`);
  }
}

function sampleMean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Unbiased sample variance, two-pass so values with a large common offset keep their digits. */
function sampleVariance(values: ArrayLike<number>, mean: number): number {
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i] - mean) ** 2;
  return ss / (values.length - 1);
}

/**
 * The part of `ci` inside `range`. A metric bounded to a range has its true mean inside it, so cutting
 * the t-interval there keeps its coverage and drops only impossible values (an F1 interval of
 * [−0.2, 1.3] says no more than [0, 1]).
 */
function within(ci: Interval, range: Interval | undefined): Interval {
  if (!range) return ci;
  const low = Math.min(range.high, Math.max(range.low, ci.low));
  return { low, high: Math.max(low, Math.min(range.high, ci.high)) };
}

/**
 * Mean, sample standard deviation and t-interval of one metric over seeds; with `range` (the values'
 * possible range, e.g. [0, 1] for F1) the interval is cut to it.
 */
export function summarizeSeeds(values: ArrayLike<number>, level = DEFAULT_LEVEL, range?: Interval): SeedSummary {
  checkLevel(level);
  checkFinite(values, 'summarizeSeeds');
  const n = values.length;
  if (n === 0) return { n, mean: null, sd: null, ci: null, level };
  const mean = sampleMean(values);
  if (n === 1) return { n, mean, sd: null, ci: null, level };
  const sd = Math.sqrt(sampleVariance(values, mean));
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, sd, ci: within({ low: mean - half, high: mean + half }, range), level };
}

function excludesZero(ci: Interval | null): boolean {
  return ci !== null && (ci.low > 0 || ci.high < 0);
}

/**
 * method − baseline over the seeds both were run with: the paired t-interval. Pairing removes the
 * seed-to-seed variation both share (same data, same initial weights), which is most of it. With
 * `range` (the range of the metric itself) the interval is cut to the range a difference can take.
 */
export function pairedDifference(
  method: ReadonlyMap<number, number>,
  baseline: ReadonlyMap<number, number>,
  level = DEFAULT_LEVEL,
  range?: Interval,
): PairedDifference {
  const seeds = [...method.keys()].filter((seed) => baseline.has(seed)).sort((a, b) => a - b);
  const diffs = new Float64Array(seeds.length);
  seeds.forEach((seed, k) => (diffs[k] = method.get(seed)! - baseline.get(seed)!));
  const span = range ? range.high - range.low : undefined;
  const summary = summarizeSeeds(diffs, level, span === undefined ? undefined : { low: -span, high: span });
  return { ...summary, seeds, significant: excludesZero(summary.ci) };
}

/**
 * mean(a) − mean(b) for two independent samples with possibly unequal variances (Welch). For runs
 * that share no seeds, e.g. a new result against a stored baseline.
 */
export function welchInterval(a: ArrayLike<number>, b: ArrayLike<number>, level = DEFAULT_LEVEL): WelchInterval {
  checkLevel(level);
  checkFinite(a, 'welchInterval a');
  checkFinite(b, 'welchInterval b');
  if (a.length === 0 || b.length === 0) return { diff: null, se: null, df: null, ci: null, significant: false, level };
  const meanA = sampleMean(a);
  const meanB = sampleMean(b);
  const diff = meanA - meanB;
  if (a.length < 2 || b.length < 2) return { diff, se: null, df: null, ci: null, significant: false, level };
  const va = sampleVariance(a, meanA) / a.length;
  const vb = sampleVariance(b, meanB) / b.length;
  const se = Math.sqrt(va + vb);
  if (se === 0) {
    const ci = { low: diff, high: diff };
    return { diff, se, df: null, ci, significant: excludesZero(ci), level };
  }
  // Satterthwaite's (va + vb)² / (va²/(na−1) + vb²/(nb−1)), written with the share of va so that
  // tiny variances cannot underflow to 0/0.
  const share = va / (va + vb);
  const df = 1 / (share ** 2 / (a.length - 1) + (1 - share) ** 2 / (b.length - 1));
  const half = studentTQuantile(1 - (1 - level) / 2, df) * se;
  const ci = { low: diff - half, high: diff + half };
  return { diff, se, df, ci, significant: excludesZero(ci), level };
}

/**
 * What made a one-sided paired test unusual: `identical` (every difference 0: nothing changed),
 * `constant` (every difference the same non-zero value: no spread to scale by, so the p-value is the
 * sign test's), `too-few` (fewer than two pairs: no test). Null for an ordinary test.
 */
export type Degenerate = 'identical' | 'constant' | 'too-few' | null;

export interface OneSidedTest {
  n: number;
  mean: number | null;
  sd: number | null;
  /** P(mean difference this low or lower | true mean 0): the one-sided paired t-test for a drop. */
  p: number;
  degenerate: Degenerate;
}

/**
 * One-sided paired t-test of H0: E[d] ≥ 0 against a drop, E[d] < 0, over the differences `d`. A
 * constant non-zero difference gets the sign test's p = 0.5ⁿ (a drop) or 1 (a gain) instead of t's
 * 0 — n equal differences are evidence of n seeds, not of infinite precision.
 */
const CONSTANT_TOLERANCE = 1e-12;

export function pairedDropTest(d: ArrayLike<number>): OneSidedTest {
  checkFinite(d, 'pairedDropTest');
  const n = d.length;
  if (n < 2) return { n, mean: n === 1 ? d[0] : null, sd: null, p: 1, degenerate: 'too-few' };
  const mean = sampleMean(d);
  const sd = Math.sqrt(sampleVariance(d, mean));
  // Differences of metrics carry round-off of ~1e-16: equal up to that is equal.
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    min = Math.min(min, d[i]);
    max = Math.max(max, d[i]);
  }
  if (max - min <= CONSTANT_TOLERANCE) {
    if (Math.abs(mean) <= CONSTANT_TOLERANCE) return { n, mean: 0, sd: 0, p: 1, degenerate: 'identical' };
    return { n, mean, sd: 0, p: mean < 0 ? 0.5 ** n : 1, degenerate: 'constant' };
  }
  const t = mean / (sd / Math.sqrt(n));
  return { n, mean, sd, p: studentTCdf(t, n - 1), degenerate: null };
}

/**
 * The smallest true drop a one-sided t-test at level `alpha` over n pairs with spread `sd` would
 * detect with probability `power`: (t₁₋α + t_power) · sd / √n, with n − 1 degrees of freedom.
 */
export function minimumDetectableDrop(sd: number, n: number, alpha: number, power = 0.8): number {
  if (n < 2) return Infinity;
  return (studentTQuantile(1 - alpha, n - 1) + studentTQuantile(power, n - 1)) * (sd / Math.sqrt(n));
}
