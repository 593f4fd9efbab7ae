import { studentTQuantile } from './student-t.js';

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

/** Mean, sample standard deviation and t-interval of one metric over seeds. */
export function summarizeSeeds(values: ArrayLike<number>, level = DEFAULT_LEVEL): SeedSummary {
  checkLevel(level);
  checkFinite(values, 'summarizeSeeds');
  const n = values.length;
  if (n === 0) return { n, mean: null, sd: null, ci: null, level };
  const mean = sampleMean(values);
  if (n === 1) return { n, mean, sd: null, ci: null, level };
  const sd = Math.sqrt(sampleVariance(values, mean));
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, sd, ci: { low: mean - half, high: mean + half }, level };
}

function excludesZero(ci: Interval | null): boolean {
  return ci !== null && (ci.low > 0 || ci.high < 0);
}

/**
 * method − baseline over the seeds both were run with: the paired t-interval. Pairing removes the
 * seed-to-seed variation both share (same data, same initial weights), which is most of it.
 */
export function pairedDifference(
  method: ReadonlyMap<number, number>,
  baseline: ReadonlyMap<number, number>,
  level = DEFAULT_LEVEL,
): PairedDifference {
  const seeds = [...method.keys()].filter((seed) => baseline.has(seed)).sort((a, b) => a - b);
  const diffs = new Float64Array(seeds.length);
  seeds.forEach((seed, k) => (diffs[k] = method.get(seed)! - baseline.get(seed)!));
  const summary = summarizeSeeds(diffs, level);
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
