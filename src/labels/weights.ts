import type { LabelMatrix } from './matrix.js';

/** β of the effective-number scheme (Cui et al. 2019) unless given. */
export const DEFAULT_BETA = 0.999;

export const WEIGHT_SCHEMES = [
  'none',
  'inverse-frequency',
  'balanced-binary',
  'pos-weight',
  'effective-number',
  'sqrt-inverse',
] as const;
export type WeightScheme = (typeof WEIGHT_SCHEMES)[number];

export interface WeightOptions {
  /** `mean`: scale both terms by one factor so the positive-term weights average 1 (each label's w⁺/w⁻ ratio is kept). */
  normalize?: 'none' | 'mean';
  /** Upper bound applied to every weight after normalisation. */
  clip?: number;
  /** β of the effective-number scheme, in [0, 1). */
  beta?: number;
}

/** One weight per label on the positive and on the negative term of binary cross-entropy. */
export interface LabelWeights {
  scheme: WeightScheme;
  counts: Int32Array;
  pos: Float64Array;
  neg: Float64Array;
  warnings: string[];
}

/**
 * The raw (pos, neg) weight of a label with `c` of `N` images, or NaN where the scheme's formula has
 * no examples to weigh (c = 0 for a positive term, N − c = 0 for a negative term).
 */
type Formula = (c: number, N: number, L: number, beta: number) => [number, number];

const formulas: Record<WeightScheme, Formula> = {
  none: () => [1, 1],
  // The seed pipeline's formula: one weight per label, on both terms.
  'inverse-frequency': (c, N, L) => {
    const w = c > 0 ? N / (L * c) : NaN;
    return [w, w];
  },
  // scikit-learn compute_class_weight('balanced') with each label as its own binary problem.
  'balanced-binary': (c, N) => [c > 0 ? N / (2 * c) : NaN, N - c > 0 ? N / (2 * (N - c)) : NaN],
  // PyTorch BCEWithLogitsLoss(pos_weight = negatives / positives); the negative term keeps weight 1.
  'pos-weight': (c, N) => [c > 0 ? (N - c) / c : NaN, 1],
  // Cui et al. 2019, (1 − β) / (1 − β^n); normalised to sum L below.
  'effective-number': (c, _N, _L, beta) => {
    const w = c > 0 ? (1 - beta) / (1 - beta ** c) : NaN;
    return [w, w];
  },
  'sqrt-inverse': (c) => {
    const w = c > 0 ? 1 / Math.sqrt(c) : NaN;
    return [w, w];
  },
};

/**
 * Per-label loss weights. A term with no examples (a label with no images has no positive term; a
 * label on every image has no negative term) gets the largest weight the scheme gives that term
 * among the other labels — the weight of the rarest label — or 1 when no label has one. It is
 * finite, never the ~10⁶ that `count + 1e-6` would make, and a warning names the label.
 */
export function classWeights(matrix: LabelMatrix, scheme: WeightScheme, options: WeightOptions = {}): LabelWeights {
  return weightsFromCounts(matrix.counts(), matrix.rows, matrix.labels, scheme, options);
}

export function weightsFromCounts(
  counts: Int32Array,
  N: number,
  names: readonly string[],
  scheme: WeightScheme,
  options: WeightOptions = {},
): LabelWeights {
  const formula = formulas[scheme];
  if (!formula) throw new RangeError(`unknown weight scheme "${scheme}"; expected one of ${WEIGHT_SCHEMES.join(', ')}`);
  const beta = options.beta ?? DEFAULT_BETA;
  if (!(beta >= 0 && beta < 1)) throw new RangeError(`beta must be in [0, 1), got ${beta}`);
  if (options.clip !== undefined && !(options.clip > 0)) throw new RangeError(`clip must be a positive number, got ${options.clip}`);
  const normalize = options.normalize ?? 'none';
  if (normalize !== 'none' && normalize !== 'mean') throw new RangeError(`normalize must be "none" or "mean", got "${normalize}"`);

  const L = counts.length;
  const pos = new Float64Array(L);
  const neg = new Float64Array(L);
  for (let l = 0; l < L; l++) [pos[l], neg[l]] = formula(counts[l], N, L, beta);

  const warnings: string[] = [];
  fillUndefined(pos, names, warnings, 'no images: its positive-term weight');
  fillUndefined(neg, names, warnings, 'on every image: its negative-term weight');

  if (scheme === 'sqrt-inverse' || scheme === 'effective-number') scale(pos, neg, L / sum(pos));
  if (normalize === 'mean' && L > 0) scale(pos, neg, L / sum(pos));
  if (options.clip !== undefined) {
    for (let l = 0; l < L; l++) {
      pos[l] = Math.min(pos[l], options.clip);
      neg[l] = Math.min(neg[l], options.clip);
    }
  }
  return { scheme, counts: counts.slice(), pos, neg, warnings };
}

function fillUndefined(w: Float64Array, names: readonly string[], warnings: string[], what: string): void {
  let fallback = -Infinity;
  for (const v of w) if (!Number.isNaN(v) && v > fallback) fallback = v;
  if (fallback === -Infinity) fallback = 1;
  for (let l = 0; l < w.length; l++) {
    if (Number.isNaN(w[l])) {
      w[l] = fallback;
      warnings.push(`label "${names[l]}" has ${what} is set to ${fmt(fallback)} (the largest the scheme gives)`);
    }
  }
}

function sum(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s;
}

function scale(pos: Float64Array, neg: Float64Array, factor: number): void {
  if (!Number.isFinite(factor) || factor <= 0) return;
  for (let l = 0; l < pos.length; l++) {
    pos[l] *= factor;
    neg[l] *= factor;
  }
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}
