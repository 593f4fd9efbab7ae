import type * as tfc from '@tensorflow/tfjs-core';
import type { z } from 'zod';

/*
 * A loss is one file: its kind, the options a spec may give it (with their defaults), whether it
 * takes per-label weights, its per-entry value and gradient (float64, used for training) and the same
 * loss as tfjs ops (used to check the first by autodiff). Entries import tfjs types only and are
 * handed the tfjs namespace, so reading a spec never loads tfjs.
 */

export type Tf = typeof tfc;
export type Tensor = tfc.Tensor;
export type Tensor2D = tfc.Tensor2D;

/** Per-label weights on the positive and the negative BCE term (the label math's `classWeights`). */
export interface LabelLossWeights {
  pos: ArrayLike<number>;
  neg: ArrayLike<number>;
}

/** The training labels' frequencies, for a loss that works from them (`prior: true`). */
export interface LabelPrior {
  /** Training images carrying each label. */
  counts: ArrayLike<number>;
  /** Training images in all. */
  images: number;
}

/** What the training loop is given: a kind, its options (flat), weights for a weighted kind, the prior for a loss that needs it. */
export interface AnyLossSpec {
  kind: string;
  weights?: LabelLossWeights;
  prior?: LabelPrior;
}

/** Writes [ℓ, dℓ/dz] of one entry (logit z, target positive?, label l) to `out`, in float64. */
export type EntryLoss = (z: number, positive: boolean, label: number, out: [number, number]) => void;

export interface LossDefinition<Spec extends AnyLossSpec = AnyLossSpec, Params = unknown> {
  kind: string;
  /** One line for the README and `--help`. */
  summary: string;
  /** `required`: the spec must name a weight scheme (other than none); `none`: it may not. */
  weights: 'required' | 'none';
  /** The spec's `loss.options`: a strict object whose fields are optional (defaults below). */
  options: z.ZodType;
  /** The option defaults, in one place. */
  defaults: Readonly<Record<string, number>>;
  /** Reads and checks the parameters of a LossSpec (defaults filled in) for `labels` labels; throws on bad values. */
  params(spec: Spec, labels: number): Params;
  /** Set when the loss works from the training labels' frequencies: the trial then hands it `prior`. */
  prior?: true;
  entry(params: Params): EntryLoss;
  /**
   * For a loss whose entries are weighted by the whole row's labels (e.g. distribution-balanced
   * re-weighting): writes the weight of each entry of row `row` of the 0/1 `targets` ([n, L],
   * row-major) to `out` (length L). Entry value and gradient are multiplied by it.
   */
  rowWeights?(params: Params, targets: ArrayLike<number>, row: number, out: Float64Array): void;
  elementwise(tf: Tf, params: Params, z: Tensor2D, y: Tensor2D): Tensor2D;
}

/** The flat LossSpec a definition reads. */
export type SpecOf<D> = D extends { params(spec: infer S, labels: number): unknown } ? S : never;

/** Keeps each file's Params type while the registry holds them side by side. */
export function defineLoss<Spec extends AnyLossSpec, Params>(definition: LossDefinition<Spec, Params> & { kind: Spec['kind'] }): LossDefinition<Spec, Params> {
  return definition;
}

export const softplusOf = (u: number): number => Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)));
export const sigmoidOf = (u: number): number => (u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u)));

/**
 * ℓ(u) = exp(−γ·softplus(u)) · softplus(−u) = σ(−u)^γ · (−log σ(u)), the focal form every loss here
 * reduces to, and dℓ/du = exp(−γ·softplus(u)) · (−γ·σ(u)·softplus(−u) − σ(−u)).
 */
export function focalForm(u: number, gamma: number, out: [number, number]): void {
  const ce = softplusOf(-u);
  const w = gamma === 0 ? 1 : Math.exp(-gamma * softplusOf(u));
  out[0] = w * ce;
  out[1] = w * (-gamma * sigmoidOf(u) * ce - sigmoidOf(-u));
}

/** Turns dℓ/du into dℓ/dz for the negatives' u = −z. */
export function flip(positive: boolean, out: [number, number]): void {
  if (!positive) out[1] = -out[1];
}

/** softplus(u) = log(1 + eᵘ) without overflow: max(u, 0) + log1p(e^−|u|). */
export function softplus(tf: Tf, u: Tensor): Tensor {
  return tf.add(tf.relu(u), tf.log1p(tf.exp(tf.neg(tf.abs(u)))));
}

export function checkNonNegative(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`${name} must be finite and ≥ 0, got ${String(value)}`);
  return value;
}
