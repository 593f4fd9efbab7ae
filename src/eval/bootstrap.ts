import type { Rng } from '../labels/rng.js';
import type { Interval } from './seed-stats.js';

/** Resamples of the percentile bootstrap over seeds. */
export const DEFAULT_BOOTSTRAP_RESAMPLES = 2000;

/**
 * Percentile-bootstrap interval of the mean of `values` (resampling the values with replacement). Every
 * resampled mean lies between the smallest and largest value, so the interval never leaves the range of
 * the data — a mean of metrics in [0, 1], or of their differences in [−1, 1], keeps its range. With fewer
 * than two values there is nothing to resample: null. Randomness only from `rng`.
 */
export function bootstrapMeanInterval(values: ArrayLike<number>, level: number, rng: Rng, resamples = DEFAULT_BOOTSTRAP_RESAMPLES): Interval | null {
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrapMeanInterval: level must be in (0, 1), got ${level}`);
  if (!(Number.isInteger(resamples) && resamples >= 1)) throw new RangeError(`bootstrapMeanInterval: resamples must be a positive integer, got ${resamples}`);
  const n = values.length;
  if (n < 2) return null;
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[rng.int(n)];
    means[b] = sum / n;
  }
  means.sort();
  const tail = (1 - level) / 2;
  // Order statistics at ⌊tail·B⌋ and ⌈(1 − tail)·B⌉ − 1 (0-based), clamped: the usual percentile rule.
  const lo = means[Math.min(resamples - 1, Math.max(0, Math.floor(tail * resamples)))];
  const hi = means[Math.min(resamples - 1, Math.max(0, Math.ceil((1 - tail) * resamples) - 1))];
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  // Summation round-off must not push a bound past the data.
  const low = Math.min(max, Math.max(min, lo));
  return { low, high: Math.max(low, Math.min(max, hi)) };
}
