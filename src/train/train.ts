import * as tf from '@tensorflow/tfjs-core';
import './gradients.js';
import { streamOf, type Rng } from '../labels/rng.js';
import { cumulative, drawImages } from '../labels/sampling.js';
import { Adam } from './adam.js';
import { imageCount, imagesToFloats, labelsToFloats, type ImageSet } from './image-set.js';
import { computeLoss, type LossSpec } from './losses.js';
import type { Model } from './models.js';
import { scheduleFactor, type LearningRateSchedule } from './schedule.js';

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
  const shuffleRng = streamOf(seed).fork('batch-order');
  const trainable = options.trainable ?? model.variables;
  if (!trainable.every((v) => model.variables.includes(v))) throw new Error('trainable: every variable must be one of the model’s');
  // Training mode (BatchNorm on batch statistics, updating its moving ones; dropout on) only when
  // something before the head trains: re-training the head alone (cRT) keeps the representation as it is.
  const representationTrains = trainable.some((v) => !model.head.includes(v));
  const optimizer = new Adam(trainable, { learningRate: options.learningRate, weightDecay: options.weightDecay });
  const order = new Uint32Array(n);
  if (options.sampling && options.sampling.length !== n) throw new Error(`sampling has ${options.sampling.length} probabilities for ${n} images`);
  const cdf = options.sampling ? cumulative(options.sampling) : undefined;
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
      for (let start = 0; start < n && steps < stepBudget; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        const b = end - start;
        const pixels = options.transformBatch ? imagesToFloats({ ...set, images: transformed(set, order, start, end, epoch, options.transformBatch) }, null, 0, b) : imagesToFloats(set, order, start, end);
        const x = tf.tensor4d(pixels, [b, height, width, channels]);
        const y = tf.tensor2d(labelsToFloats(set.labels, order, start, end), [b, labelCount]);
        try {
          const lossNow = options.deferred && steps < options.deferred.fromStep ? options.deferred.before : loss;
          const { value, grads } = tf.variableGrads(() => computeLoss(lossNow, model.logits(x, representationTrains), y), trainable as tf.Variable[]);
          try {
            const batchLoss = value.dataSync()[0];
            checkBatchLoss(loss.kind, batchLoss, epoch, steps + 1);
            optimizer.apply(
              trainable.map((v) => grads[v.name]),
              options.schedule ? options.learningRate * scheduleFactor(options.schedule, steps, stepBudget) : options.learningRate,
            );
            lossSum += batchLoss * b;
          } finally {
            tf.dispose([value, grads]);
          }
        } finally {
          tf.dispose([x, y]);
        }
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
  }
  const seconds = elapsed();
  return {
    epochs: lossHistory.length,
    steps,
    seconds,
    imagesPerSecond: images / seconds,
    finalLoss: lossHistory[lossHistory.length - 1],
    lossHistory,
  };
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
