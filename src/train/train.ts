import * as tf from '@tensorflow/tfjs-core';
import './gradients.js';
import { streamOf, type Rng } from '../labels/rng.js';
import { cumulative, drawImages } from '../labels/sampling.js';
import { Adam } from './adam.js';
import { recipeOf } from './create-model.js';
import { imageCount, imagesToFloatsInto, labelsToFloatsInto, type ImageSet } from './image-set.js';
import type { LossSpec } from './losses.js';
import { defaultMicroBatches, microBatchBounds, ownerOf } from './micro-batches.js';
import type { Model } from './models.js';
import { Replicas, type BatchSlot, type ReplicaRequest } from './replicas.js';
import { scheduleFactor, type LearningRateSchedule } from './schedule.js';
import { partGradientsOf, StepState, type BatchBuffers, type PartResult } from './step.js';
import { tensorsFromSlot } from './tensor-copy.js';

export interface EpochInfo {
  /** 1-based epoch just finished. */
  epoch: number;
  /** Total epochs the budget allows. */
  epochs: number;
  /** Optimiser steps so far. */
  steps: number;
  /** Mean loss over the images of this epoch. */
  loss: number;
  /** Wall-clock seconds of training so far (time spent in onEpoch itself not counted). */
  seconds: number;
}

export interface TrainOptions {
  loss: LossSpec;
  /**
   * Online resampling: each epoch draws as many images as the set holds, independently and with
   * replacement, with these per-image probabilities, instead of a permutation of the set.
   */
  sampling?: Float64Array;
  /**
   * Online augmentation: each batch's images (bytes, in batch order), the set indices they are, and
   * the epoch (from 1) go through this before training sees them; it returns new bytes of the same shape.
   */
  transformBatch?: (images: Uint8Array, rows: Uint32Array, epoch: number) => Uint8Array;
  /** The variables to train (default all): e.g. the head alone, the representation frozen. */
  trainable?: readonly tf.Variable[];
  /** Steps before `fromStep` use `before` instead of `loss` (deferred re-weighting: `before` unweighted). */
  deferred?: { fromStep: number; before: LossSpec };
  /** Budget in passes over the set; give this or `steps`. */
  epochs?: number;
  /** Budget in optimiser steps (batches); the last epoch may stop part-way. */
  steps?: number;
  batchSize: number;
  /** The base learning rate; a schedule multiplies it step by step. */
  learningRate: number;
  /** How the learning rate moves over the step budget (default constant). */
  schedule?: LearningRateSchedule;
  /** AdamW's decoupled weight decay (default 0: Adam). */
  weightDecay?: number;
  /**
   * Micro-batches per batch (default `defaultMicroBatches(model)`): the batch's gradient is the sum of
   * theirs in micro-batch order, so results do not depend on `threads`.
   */
  microBatches?: number;
  /**
   * Threads that compute micro-batches (default 1): this one and `threads − 1` worker threads, each
   * with its own backend and replica of the model. Needs a model made by createModel.
   */
  threads?: number;
  /** Seeds the batch order of every epoch. */
  seed: number | Rng;
  /**
   * Called after every epoch (e.g. for a progress bar or validation); may return a promise, which is
   * awaited. Returning `'stop'` ends training there (early stopping), before the budget is spent.
   */
  onEpoch?: (info: EpochInfo) => unknown;
}

/**
 * When a loss counts as diverged. A BCE-type loss starts near ln 2 ≈ 0.69 per label and should fall;
 * one that climbs by orders of magnitude has blown up, and its F1 describes a broken model, not a
 * method. The absolute bound is checked on every batch (a blow-up is caught at the step it happens);
 * the relative one on epoch means, which are not thrown off by one hard batch.
 */
export const DIVERGENCE = {
  /** Any batch loss above this. */
  absolute: 1e6,
  /** An epoch-mean loss above this multiple of the first epoch's mean. */
  relative: 100,
} as const;

/** The bytes of images `order[start..end)`, through `transform`. */
function transformed(set: ImageSet, order: Uint32Array, start: number, end: number, epoch: number, transform: NonNullable<TrainOptions['transformBatch']>): Uint8Array {
  const size = set.height * set.width * set.channels;
  const bytes = new Uint8Array((end - start) * size);
  for (let k = start; k < end; k++) bytes.set(set.images.subarray(order[k] * size, (order[k] + 1) * size), (k - start) * size);
  const out = transform(bytes, order.subarray(start, end), epoch);
  if (out.length !== bytes.length) throw new Error(`transformBatch returned ${out.length} bytes for ${bytes.length}`);
  return out;
}

/** Throws when one batch's loss is not finite or above `DIVERGENCE.absolute`. */
export function checkBatchLoss(kind: string, batchLoss: number, epoch: number, step: number): void {
  if (Number.isFinite(batchLoss) && batchLoss <= DIVERGENCE.absolute) return;
  const bound = Number.isFinite(batchLoss) ? `, above the bound of ${DIVERGENCE.absolute}` : '';
  throw new Error(`training diverged: the ${kind} loss became ${batchLoss}${bound} in epoch ${epoch} (step ${step})`);
}

/** Throws when an epoch's mean loss is more than `DIVERGENCE.relative` times the first epoch's. */
export function checkEpochLoss(kind: string, epochLoss: number, firstEpochLoss: number | undefined, epoch: number, steps: number): void {
  if (firstEpochLoss === undefined || !(epochLoss > DIVERGENCE.relative * firstEpochLoss)) return;
  throw new Error(`training diverged: the ${kind} mean loss of epoch ${epoch} (through step ${steps}) is ${epochLoss}, more than ${DIVERGENCE.relative}× the first epoch's ${firstEpochLoss}`);
}

export interface TrainResult {
  epochs: number;
  steps: number;
  seconds: number;
  imagesPerSecond: number;
  /** Mean loss of the last epoch. */
  finalLoss: number;
  /** Mean loss of every epoch. */
  lossHistory: number[];
  /** Threads that computed micro-batches (fewer than asked when there are fewer micro-batches). */
  threads: number;
  /** Micro-batches per batch. */
  microBatches: number;
}

/**
 * Trains `model` on `set` with Adam and a seeded batch order: a custom loop (no `model.fit`, whose
 * `classWeight` argmaxes multi-hot targets). Every tensor a step creates is disposed in that step.
 * A diverging loss stops training with an Error naming the epoch and step (see `divergence`).
 */
export async function trainModel(model: Model, set: ImageSet, options: TrainOptions): Promise<TrainResult> {
  const n = checkSet(model, set);
  const { batchSize, seed, loss } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const batchesPerEpoch = Math.ceil(n / batchSize);
  let epochs: number;
  let stepBudget: number;
  if (options.steps !== undefined) {
    if (options.epochs !== undefined) throw new Error('give a budget in epochs or in steps, not both');
    if (!Number.isInteger(options.steps) || options.steps < 1) throw new Error(`steps must be a positive integer, got ${options.steps}`);
    stepBudget = options.steps;
    epochs = Math.ceil(stepBudget / batchesPerEpoch);
  } else {
    if (options.epochs === undefined) throw new Error('a training budget is needed: epochs or steps');
    if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new Error(`epochs must be a positive integer, got ${options.epochs}`);
    epochs = options.epochs;
    stepBudget = epochs * batchesPerEpoch;
  }

  const { height, width, channels } = set;
  const labelCount = set.labels.numLabels;
  const imageSize = height * width * channels;
  const shuffleRng = streamOf(seed).fork('batch-order');
  const trainable = options.trainable ?? model.variables;
  if (!trainable.every((v) => model.variables.includes(v))) throw new Error('trainable: every variable must be one of the model’s');
  // Training mode (BatchNorm on batch statistics, updating its moving ones; dropout on) only when
  // something before the head trains: re-training the head alone (cRT) keeps the representation as it is.
  const representationTrains = trainable.some((v) => !model.head.includes(v));
  const parts = options.microBatches ?? defaultMicroBatches(model);
  if (!Number.isInteger(parts) || parts < 1) throw new Error(`microBatches must be a positive integer, got ${parts}`);
  const threadsWanted = options.threads ?? 1;
  if (!Number.isInteger(threadsWanted) || threadsWanted < 1) throw new Error(`threads must be a positive integer, got ${threadsWanted}`);
  // A thread computes whole micro-batches: more threads than micro-batches would idle. A model that
  // cannot be rebuilt elsewhere (not made by createModel) trains on this thread alone, with the
  // same micro-batches and so the same results.
  const recipe = recipeOf(model);
  const threads = recipe ? Math.min(threadsWanted, parts, Math.max(1, Math.min(batchSize, n))) : 1;
  const all = [...model.variables, ...(model.state ?? [])];
  const stateVariables = representationTrains ? (model.state ?? []) : [];
  const state = stateVariables.length > 0 ? new StepState(stateVariables) : undefined;
  const losses = options.deferred ? [loss, options.deferred.before] : [loss];
  const order = new Uint32Array(n);
  if (options.sampling && options.sampling.length !== n) throw new Error(`sampling has ${options.sampling.length} probabilities for ${n} images`);
  const cdf = options.sampling ? cumulative(options.sampling) : undefined;
  const optimizer = new Adam(trainable, { learningRate: options.learningRate, weightDecay: options.weightDecay });
  let replicas: Replicas | undefined;
  try {
    if (threads > 1) {
      const index = (v: tf.Variable) => all.indexOf(v);
      const synced = [...trainable, ...stateVariables].map(index);
      replicas = await Replicas.start(
        threads - 1,
        { backend: tf.getBackend(), recipe: recipe! },
        {
          trainable: trainable.map(index),
          state: stateVariables.map(index),
          synced,
          losses,
          imageShape: [height, width, channels],
          labels: labelCount,
        },
        all,
        Math.min(batchSize, n),
        parts,
      );
    }
  } catch (err) {
    optimizer.dispose();
    throw err;
  }
  // The batch's pixels and targets: buffers for the whole run. With threads, two slots shared with
  // them: while they compute this step's micro-batches from one, this thread, its own done, fills
  // the other with the next batch of the epoch (the same batch, filled in the same order, only sooner).
  const slots: BatchSlot[] = replicas?.buffers.batches ?? [
    { pixels: new Float32Array(Math.min(batchSize, n) * imageSize), targets: new Float32Array(Math.min(batchSize, n) * labelCount) },
  ];
  const batchOf = (slot: number): BatchBuffers => ({ ...slots[slot], imageShape: [height, width, channels], labels: labelCount });
  /** Batch order[start..end) of `epoch` into slot `slot`. */
  const fill = (slot: number, start: number, end: number, epoch: number): void => {
    const { pixels, targets } = slots[slot];
    if (options.transformBatch) imagesToFloatsInto(pixels, { ...set, images: transformed(set, order, start, end, epoch, options.transformBatch) }, null, 0, end - start);
    else imagesToFloatsInto(pixels, set, order, start, end);
    labelsToFloatsInto(targets, set.labels, order, start, end);
  };
  const lossHistory: number[] = [];
  let steps = 0;
  let images = 0;
  const started = performance.now();
  // Time spent in onEpoch (e.g. validating) is not training time.
  let hookSeconds = 0;
  const elapsed = () => (performance.now() - started) / 1000 - hookSeconds;
  let stopped = false;
  try {
    for (let epoch = 1; epoch <= epochs && steps < stepBudget && !stopped; epoch++) {
      if (cdf) {
        drawImages(cdf, shuffleRng, order);
      } else {
        for (let i = 0; i < n; i++) order[i] = i;
        shuffleRng.shuffle(order);
      }
      let lossSum = 0;
      let epochImages = 0;
      // the slot holding the batch that starts at `start`, and whether it is filled already
      let slot = 0;
      let filled = false;
      for (let start = 0; start < n && steps < stepBudget; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        const b = end - start;
        if (!filled) fill(slot, start, end, epoch);
        const next = start + batchSize;
        const prefetch =
          slots.length > 1 && next < n && steps + 1 < stepBudget ? () => fill(1 - slot, next, Math.min(n, next + batchSize), epoch) : undefined;
        const lossIndex = options.deferred && steps < options.deferred.fromStep ? 1 : 0;
        // The replicas hold the weights they started with until the first step changes them.
        const request = { loss: lossIndex, entries: b * labelCount, training: representationTrains, sync: steps > 0, batch: slot };
        const batchLoss = await step(microBatchBounds(b, parts), request, epoch, prefetch);
        if (prefetch) slot = 1 - slot;
        filled = prefetch !== undefined;
        lossSum += batchLoss * b;
        epochImages += b;
        steps++;
      }
      images += epochImages;
      const epochLoss = lossSum / epochImages;
      checkEpochLoss(loss.kind, epochLoss, lossHistory[0], epoch, steps);
      lossHistory.push(epochLoss);
      if (options.onEpoch) {
        const hookStarted = performance.now();
        stopped = (await options.onEpoch({ epoch, epochs, steps, loss: epochLoss, seconds: elapsed() })) === 'stop';
        hookSeconds += (performance.now() - hookStarted) / 1000;
      }
    }
  } finally {
    optimizer.dispose();
    await replicas?.close();
  }

  /**
   * One optimiser step over the batch in slot `request.batch`: each micro-batch's gradients, from this
   * thread or a replica, summed in micro-batch order; then Adam once. Returns the batch's loss.
   */
  async function step(
    bounds: Array<[number, number]>,
    request: Omit<Extract<ReplicaRequest, { type: 'step' }>, 'type' | 'parts'>,
    epoch: number,
    prefetch?: () => void,
  ): Promise<number> {
    const batch = batchOf(request.batch);
    const workers = replicas ? threads : 1;
    const results: Array<PartResult | undefined> = [];
    const made: tf.Tensor[] = [];
    // The threads' micro-batches start first; this thread computes its own meanwhile.
    const waits = replicas
      ? Array.from({ length: replicas.count }, (_, k) => {
          const mine = bounds.flatMap(([s, e], i) => (ownerOf(i, workers) === k + 1 ? [[i, s, e] as [number, number, number]] : []));
          return mine.length > 0 ? replicas!.step(k, { type: 'step', parts: mine, ...request }) : Promise.resolve();
        })
      : [];
    const others = Promise.all(waits);
    others.catch(() => undefined);
    try {
      state?.begin();
      let first = true;
      for (const [i, [s, e]] of bounds.entries()) {
        if (ownerOf(i, workers) !== 0) continue;
        if (!first) state?.restore();
        first = false;
        results[i] = partGradientsOf(model, trainable, losses[request.loss], batch, s, e, request.entries, request.training);
        made.push(...results[i]!.grads);
        if (state) {
          const deltas = state.changes();
          made.push(...deltas);
          state.record(i, deltas);
        }
      }
      // the next batch goes to the other slot while the threads still read this one
      prefetch?.();
      await others;
      let batchLoss = 0;
      let sum: tf.Tensor[] | undefined;
      for (let i = 0; i < bounds.length; i++) {
        const grads = results[i]?.grads ?? fromSlot(replicas!.buffers.grads, i, trainable, made);
        batchLoss += results[i]?.value ?? replicas!.buffers.values[i];
        if (state && !results[i]) state.record(i, fromSlot(replicas!.buffers.deltas, i, stateVariables, made));
        sum = sum ? sum.map((a, j) => keep(made, tf.add(a, grads[j]))) : grads;
      }
      state?.end(bounds.length);
      checkBatchLoss(loss.kind, batchLoss, epoch, steps + 1);
      optimizer.apply(sum!, options.schedule ? options.learningRate * scheduleFactor(options.schedule, steps, stepBudget) : options.learningRate);
      replicas?.write(all);
      return batchLoss;
    } finally {
      tf.dispose(made);
    }
  }

  const seconds = elapsed();
  return {
    epochs: lossHistory.length,
    steps,
    seconds,
    imagesPerSecond: images / seconds,
    finalLoss: lossHistory[lossHistory.length - 1],
    lossHistory,
    threads,
    microBatches: parts,
  };
}

/** Micro-batch `part`'s tensors for `variables`, as a replica wrote them to its slot of `buffer` (added to `made`). */
function fromSlot(buffer: Float32Array, part: number, variables: readonly tf.Variable[], made: tf.Tensor[]): tf.Tensor[] {
  const tensors = tensorsFromSlot(buffer, part, variables.map((v) => v.shape));
  made.push(...tensors);
  return tensors;
}

function keep<T extends tf.Tensor>(made: tf.Tensor[], t: T): T {
  made.push(t);
  return t;
}

function checkSet(model: Model, set: ImageSet): number {
  const n = imageCount(set);
  const { height, width, channels, labels } = model.shape;
  if (set.height !== height || set.width !== width || set.channels !== channels) {
    throw new Error(`images are ${set.height}×${set.width}×${set.channels} but the ${model.kind} model was built for ${height}×${width}×${channels}`);
  }
  if (set.labels.rows !== n) throw new Error(`the image set has ${n} images but ${set.labels.rows} label rows`);
  if (set.labels.numLabels !== labels) throw new Error(`the image set has ${set.labels.numLabels} labels but the model was built for ${labels}`);
  if (n === 0) throw new Error('the image set is empty');
  return n;
}
