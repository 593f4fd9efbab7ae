import { operatingPoints, type LabelColumn } from './metrics.js';

export interface TunedThreshold {
  /** Predict positive iff score ≥ threshold. */
  threshold: number;
  /** F1 reached on the tuning (validation) column at that threshold. */
  f1: number;
  /** false when the column had no positive image and `fallback` was returned unchanged. */
  tuned: boolean;
}

/**
 * The threshold that maximises one label's F1 on validation scores.
 *
 * Candidates are the distinct validation scores (each changes the predicted set; any threshold in
 * between repeats one of them). Among thresholds with equal F1 the lowest wins — the one that
 * recovers the most positives, which is what rare labels are short of. This equals
 * `thresholds[np.argmax(f1)]` over scikit-learn's `precision_recall_curve`, whose thresholds ascend.
 *
 * A column with no positive image gives F1 = 0 at every threshold, so there is nothing to tune:
 * `fallback` (the fixed evaluation threshold) is returned with `tuned: false`.
 */
export function tuneThreshold(column: LabelColumn, fallback: number): TunedThreshold {
  const points = operatingPoints(column);
  const positives = points.length === 0 ? 0 : points[points.length - 1].tp;
  if (positives === 0) return { threshold: fallback, f1: 0, tuned: false };
  let best = -1;
  let threshold = fallback;
  for (const { threshold: t, tp, fp } of points) {
    // F1 from integer counts: equal ratios give bit-identical doubles, so ties compare exactly.
    const f1 = (2 * tp) / (2 * tp + fp + (positives - tp));
    if (f1 >= best) {
      best = f1;
      threshold = t;
    }
  }
  return { threshold, f1: best, tuned: true };
}
