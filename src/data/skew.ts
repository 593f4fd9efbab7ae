import { InputError } from '../errors.js';
import type { Rng } from '../labels/rng.js';

/**
 * How many training images each label gets, as a function of its rank (0 = most frequent).
 * - `exponential`: n_max · IF^(−r/(L−1)), the long-tail shape of CIFAR-LT.
 * - `pareto`: n_max · (1 + r/(L−1) · (IF^(1/α) − 1))^(−α), a Lomax (Pareto II) decay: a steep head and
 *   a long flat tail, the shape VOC-MLT / COCO-MLT were sampled with (α = 6).
 * - `step`: the rarest ⌈fraction · L⌉ labels get n_max / factor, the others n_max.
 * - `uniform`: every label n_max (the control).
 * - `natural`: no profile: the labels' own frequencies, every image of each split used. Only data
 *   with frequencies of its own has it (the folder dataset); the embedded pools are balanced, so on
 *   them it would only be `uniform` under another name, and is refused.
 */
export type SkewProfile =
  | { kind: 'exponential'; imbalance: number }
  | { kind: 'pareto'; imbalance: number; alpha: number }
  | { kind: 'step'; fraction: number; factor: number }
  | { kind: 'uniform' }
  | { kind: 'natural' };

export const DEFAULT_PARETO_ALPHA = 6;

const SYNTAX = 'exponential:IF, pareto:IF[:alpha], step:FRACTION:FACTOR, uniform or natural';

/** The one-line refusal of `natural` on data whose label frequencies are drawn by the profile. */
export const NATURAL_NEEDS_OWN_FREQUENCIES = 'skew natural needs data with its own label frequencies: the folder dataset';

function number(text: string, part: string, what: string): number {
  const v = Number(part);
  if (part.trim() === '' || !Number.isFinite(v)) throw new InputError(`skew "${text}": ${what} must be a number, got "${part}"`);
  return v;
}

/** Parses the compact command-line form: `exponential:50`, `pareto:20`, `pareto:20:6`, `step:0.3:20`, `uniform`, `natural`. */
export function parseSkew(text: string): SkewProfile {
  const parts = text.trim().split(':');
  const kind = parts[0].toLowerCase();
  const arity = (min: number, max: number): void => {
    const n = parts.length - 1;
    if (n < min || n > max) {
      const want = min === max ? `${min}` : `${min} to ${max}`;
      throw new InputError(`skew "${text}": ${kind} takes ${want} parameter(s), got ${n} (expected ${SYNTAX})`);
    }
  };
  const imbalanceAt = (i: number): number => {
    const v = number(text, parts[i], 'the imbalance factor IF = n_max / n_min');
    if (v < 1) throw new InputError(`skew "${text}": the imbalance factor IF = n_max / n_min must be ≥ 1, got ${v}`);
    return v;
  };
  switch (kind) {
    case 'exponential':
      arity(1, 1);
      return { kind, imbalance: imbalanceAt(1) };
    case 'pareto': {
      arity(1, 2);
      const alpha = parts.length > 2 ? number(text, parts[2], 'the shape alpha') : DEFAULT_PARETO_ALPHA;
      if (!(alpha > 0)) throw new InputError(`skew "${text}": the shape alpha must be > 0, got ${alpha}`);
      return { kind, imbalance: imbalanceAt(1), alpha };
    }
    case 'step': {
      arity(2, 2);
      const fraction = number(text, parts[1], 'the fraction of rare labels');
      if (fraction < 0 || fraction > 1) throw new InputError(`skew "${text}": the fraction of rare labels must be in [0, 1], got ${fraction}`);
      const factor = number(text, parts[2], 'the rarity factor');
      if (factor < 1) throw new InputError(`skew "${text}": the rarity factor must be ≥ 1, got ${factor}`);
      return { kind, fraction, factor };
    }
    case 'uniform':
    case 'natural':
      arity(0, 0);
      return { kind };
    default:
      throw new InputError(`skew "${text}": unknown profile "${parts[0]}" (expected ${SYNTAX})`);
  }
}

/** The compact form `parseSkew` reads back to the same profile. */
export function formatSkew(skew: SkewProfile): string {
  switch (skew.kind) {
    case 'exponential':
      return `exponential:${skew.imbalance}`;
    case 'pareto':
      return skew.alpha === DEFAULT_PARETO_ALPHA ? `pareto:${skew.imbalance}` : `pareto:${skew.imbalance}:${skew.alpha}`;
    case 'step':
      return `step:${skew.fraction}:${skew.factor}`;
    case 'uniform':
    case 'natural':
      return skew.kind;
  }
}

/** The profile's share of n_max for ranks 0 … L−1 (rank 0 gets 1). */
export function profileShares(skew: SkewProfile, numLabels: number): number[] {
  if (skew.kind === 'natural') throw new InputError(NATURAL_NEEDS_OWN_FREQUENCIES);
  const L = numLabels;
  const span = Math.max(1, L - 1);
  const shares: number[] = [];
  const rare = skew.kind === 'step' ? Math.ceil(skew.fraction * L - 1e-9) : 0;
  for (let r = 0; r < L; r++) {
    switch (skew.kind) {
      case 'exponential':
        shares.push(Math.pow(skew.imbalance, -r / span));
        break;
      case 'pareto': {
        const c = Math.pow(skew.imbalance, 1 / skew.alpha) - 1;
        shares.push(Math.pow(1 + (r / span) * c, -skew.alpha));
        break;
      }
      case 'step':
        shares.push(r >= L - rare ? 1 / skew.factor : 1);
        break;
      case 'uniform':
        shares.push(1);
        break;
    }
  }
  return shares;
}

/**
 * Target count per label: label `order[r]` gets round(nMax · share(r)), at least 1. `order` is the
 * labels from most to least frequent; pass a seeded permutation so which labels are rare is itself
 * part of the seeded experiment, not an accident of class numbering.
 */
export function profileTargets(skew: SkewProfile, nMax: number, order: ArrayLike<number>): number[] {
  const shares = profileShares(skew, order.length);
  const targets = new Array<number>(order.length).fill(0);
  for (let r = 0; r < order.length; r++) targets[order[r]] = Math.max(1, Math.round(nMax * shares[r]));
  return targets;
}

/** A seeded ranking of L labels (rank → label). */
export function seededOrder(numLabels: number, rng: Rng): number[] {
  return rng.shuffle(Array.from({ length: numLabels }, (_, i) => i));
}

/**
 * How labels get their rarity rank. `fixed`: the dataset's own class order (the first class listed is
 * the most frequent, the last the rarest), the same for every seed, so a label is the same unit in every
 * trial. `per-seed`: a seeded permutation, so which label is rare is itself drawn; then only the rank
 * keeps its meaning across seeds.
 */
export const LABEL_ORDERS = ['fixed', 'per-seed'] as const;
export type LabelOrderMode = (typeof LABEL_ORDERS)[number];
export type LabelOrder = LabelOrderMode | readonly string[];

/**
 * rank → label index for `order` (default `fixed`). An explicit list must name every label once;
 * anything else is an InputError naming the dataset.
 */
export function rankOrder(order: LabelOrder | undefined, labels: readonly string[], rng: Rng, dataset: string): number[] {
  const L = labels.length;
  if (order === undefined || order === 'fixed') return Array.from({ length: L }, (_, i) => i);
  if (order === 'per-seed') return seededOrder(L, rng);
  if (typeof order === 'string') throw new InputError(`dataset "${dataset}": options.order: expected fixed, per-seed or a list of label names, got "${order}"`);
  const index = new Map(labels.map((name, i) => [name, i]));
  const seen = new Set<number>();
  for (const name of order) {
    const i = index.get(name);
    if (i === undefined) throw new InputError(`dataset "${dataset}": options.order: unknown label "${name}" (labels: ${labels.join(', ')})`);
    if (seen.has(i)) throw new InputError(`dataset "${dataset}": options.order: label "${name}" is listed twice`);
    seen.add(i);
  }
  if (seen.size !== L) {
    const missing = labels.filter((_, i) => !seen.has(i));
    throw new InputError(`dataset "${dataset}": options.order: lists ${seen.size} of ${L} labels; missing ${missing.join(', ')}`);
  }
  return order.map((name) => index.get(name)!);
}

/** The name of rarity rank r as a per-label unit when the order is drawn per seed: `rank 00` … (sorts as text). */
export function rankUnitName(rank: number, numLabels: number): string {
  return `rank ${String(rank).padStart(String(Math.max(0, numLabels - 1)).length, '0')}`;
}
