import type { LabelMatrix } from '../matrix.js';
import type { Rng } from '../rng.js';
import type { z } from 'zod';

export interface PlanOptions {
  /** targeted: per-label target count — the largest count (default), the mean or median count, or a number. */
  target?: 'max' | 'mean' | 'median' | number;
  /** targeted: the oversampled set is at most this many times the original size (default 3). */
  maxGrowth?: number;
  /** ml-ros: clone budget as a percentage of the original size (default 25). */
  percent?: number;
  /** rfs: the share threshold t (default 1 / number of labels). */
  threshold?: number;
}

/**
 * A planner is one file: its name, a line about it, the options it reads (a strict zod object whose
 * fields are optional, so an option it never reads is an error) and their defaults, and the plan.
 */
export interface PlannerDefinition<Name extends string = string> {
  name: Name;
  summary: string;
  options: z.ZodType<PlanOptions>;
  defaults: Readonly<PlanOptions>;
  plan: Planner;
}

export function definePlanner<const Name extends string>(definition: PlannerDefinition<Name>): PlannerDefinition<Name> {
  return definition;
}

/** A planner returns the number of extra copies of each source image, plus notes for the user. */
export type Planner = (matrix: LabelMatrix, options: PlanOptions, rng: Rng) => { copies: Int32Array; warnings: string[] };

/** Rank of each label by name, so every tie is broken the same way whatever the column order. */
export function nameRanks(matrix: LabelMatrix): Int32Array {
  const order = matrix.labels.map((_, l) => l).sort((a, b) => (matrix.labels[a] < matrix.labels[b] ? -1 : matrix.labels[a] > matrix.labels[b] ? 1 : 0));
  const rank = new Int32Array(order.length);
  order.forEach((l, r) => (rank[l] = r));
  return rank;
}

/** The images carrying each label, in image order. */
export function labelBags(matrix: LabelMatrix): Int32Array[] {
  const counts = matrix.counts();
  const bags = Array.from(counts, (c) => new Int32Array(c));
  const fill = new Int32Array(counts.length);
  const { offsets, labels } = matrix.positives();
  for (let i = 0; i < matrix.rows; i++) {
    for (let k = offsets[i]; k < offsets[i + 1]; k++) {
      const l = labels[k];
      bags[l][fill[l]++] = i;
    }
  }
  return bags;
}
