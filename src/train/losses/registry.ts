import { asymmetric } from './asymmetric.js';
import { bce } from './bce.js';
import { focal } from './focal.js';
import type { AnyLossSpec, LossDefinition, SpecOf } from './types.js';
import { weightedBce } from './weighted-bce.js';
import { distributionBalanced } from './distribution-balanced.js';

export type { EntryLoss, LabelLossWeights, LossDefinition } from './types.js';

/** Every loss, one line each; spec validation, the CLI and the docs read their names and options here. */
export const LOSSES = [bce, weightedBce, focal, asymmetric, distributionBalanced] as const;

/** The loss the training loop is given: one of the registry's specs. */
export type LossSpec = SpecOf<(typeof LOSSES)[number]>;
export type LossKind = LossSpec['kind'];
export const LOSS_KINDS = LOSSES.map((l) => l.kind) as LossKind[];

export function lossDefinition(kind: string): LossDefinition<AnyLossSpec, unknown> {
  const found = LOSSES.find((l) => l.kind === kind) as unknown as LossDefinition<AnyLossSpec, unknown> | undefined;
  if (!found) throw new Error(`unknown loss '${kind}' (expected one of ${LOSS_KINDS.join(', ')})`);
  return found;
}
