import type { LabelMatrix } from './matrix.js';
import { streamOf, type Rng } from './rng.js';
import type { PlannerDefinition, PlanOptions } from './planners/types.js';
import { seedHeuristic } from './planners/seed-heuristic.js';
import { targeted } from './planners/targeted.js';
import { mlRos } from './planners/ml-ros.js';
import { rfs } from './planners/rfs.js';
import { lpRos } from './planners/lp-ros.js';

export type { PlanOptions, PlannerDefinition } from './planners/types.js';

/** The oversampling methods: a new method is one file in planners/ plus one line here. */
export const PLANNERS = [seedHeuristic, targeted, mlRos, rfs, lpRos] as const;

export type PlanMethod = (typeof PLANNERS)[number]['name'];
export const PLAN_METHODS = PLANNERS.map((p) => p.name) as PlanMethod[];

export function plannerDefinition(method: string): PlannerDefinition | undefined {
  return PLANNERS.find((p) => p.name === method);
}

export interface OversamplingPlan {
  method: PlanMethod;
  /** Images in the original set. */
  images: number;
  /** Copies added in all. */
  added: number;
  /** Extra copies of each original image (labels travel with their image). */
  copies: Int32Array;
  /** Images per label before and after the copies. */
  before: Int32Array;
  after: Int32Array;
  warnings: string[];
}

/** Which images to duplicate, and how often, so that rare labels catch up. Deterministic in `seed`. */
export function planOversampling(matrix: LabelMatrix, method: PlanMethod, options: PlanOptions = {}, seed: number | Rng = 0): OversamplingPlan {
  const planner = plannerDefinition(method)?.plan;
  if (!planner) throw new RangeError(`unknown oversampling method "${method}"; expected one of ${PLAN_METHODS.join(', ')}`);
  const { copies, warnings } = planner(matrix, options, streamOf(seed).fork(`plan:${method}`));
  const before = matrix.counts();
  const after = before.slice();
  const { offsets, labels } = matrix.positives();
  let added = 0;
  for (let i = 0; i < matrix.rows; i++) {
    const c = copies[i];
    if (c === 0) continue;
    added += c;
    for (let k = offsets[i]; k < offsets[i + 1]; k++) after[labels[k]] += c;
  }
  return { method, images: matrix.rows, added, copies, before, after, warnings };
}
