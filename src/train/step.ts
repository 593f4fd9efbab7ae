import * as tf from '@tensorflow/tfjs-core';
import { computeLoss, type LossSpec } from './losses.js';
import type { Model } from './models.js';
import { tensorFrom } from './tensor-copy.js';

/** One micro-batch's share of a step: its loss (divided by the whole batch's entries) and gradients. */
export interface PartResult {
  value: number;
  /** One gradient per trainable variable, in their order. */
  grads: tf.Tensor[];
}

/**
 * The loss and gradients of micro-batch `x`, `y` of a batch with `entries` entries (images × labels):
 * the same code on every thread, so a micro-batch's gradients do not depend on which one ran it.
 */
export function partGradients(model: Model, trainable: readonly tf.Variable[], loss: LossSpec, x: tf.Tensor4D, y: tf.Tensor2D, entries: number, training: boolean): PartResult {
  const { value, grads } = tf.variableGrads(() => computeLoss(loss, model.logits(x, training), y, entries), trainable as tf.Variable[]);
  try {
    return { value: value.dataSync()[0], grads: trainable.map((v) => grads[v.name]) };
  } finally {
    value.dispose();
  }
}

/** A batch laid out in float buffers: images of `imageShape`, `labels` targets per image. */
export interface BatchBuffers {
  pixels: Float32Array;
  targets: Float32Array;
  imageShape: readonly [number, number, number];
  labels: number;
}

/**
 * `partGradients` of images [start, end) of the batch in `batch`: what every thread runs for each
 * micro-batch given it, reading the same buffers in the same way.
 */
export function partGradientsOf(model: Model, trainable: readonly tf.Variable[], loss: LossSpec, batch: BatchBuffers, start: number, end: number, entries: number, training: boolean): PartResult {
  const [h, w, c] = batch.imageShape;
  const x = tensorFrom(batch.pixels, start * h * w * c, [end - start, h, w, c]) as tf.Tensor4D;
  const y = tensorFrom(batch.targets, start * batch.labels, [end - start, batch.labels]) as tf.Tensor2D;
  try {
    return partGradients(model, trainable, loss, x, y, entries, training);
  } finally {
    tf.dispose([x, y]);
  }
}

/**
 * The model state a training forward pass changes (BatchNorm's moving statistics) across the
 * micro-batches of a step: each micro-batch starts from the step's starting state, and the step ends
 * at the start plus the mean of the micro-batches' changes, added in micro-batch order.
 */
export class StepState {
  private start: tf.Tensor[] = [];
  private deltas: tf.Tensor[][] = [];

  constructor(readonly variables: readonly tf.Variable[]) {}

  /** Call at the start of a step. */
  begin(): void {
    this.start = this.variables.map((v) => tf.clone(v));
  }

  /** Puts the step's starting state back (before every micro-batch but the first run here). */
  restore(): void {
    this.variables.forEach((v, i) => v.assign(this.start[i]));
  }

  /** The change micro-batch `part` made, as tensors (kept until `end`). */
  changes(): tf.Tensor[] {
    return tf.tidy(() => this.variables.map((v, i) => tf.sub(v, this.start[i])));
  }

  /** Records the change of micro-batch `part` (the caller frees it after `end`). */
  record(part: number, deltas: tf.Tensor[]): void {
    this.deltas[part] = deltas;
  }

  /** Sets the state to the start plus the mean change over `parts` micro-batches. */
  end(parts: number): void {
    if (parts > 1) {
      tf.tidy(() => {
        this.variables.forEach((v, i) => {
          let sum = this.deltas[0][i];
          for (let p = 1; p < parts; p++) sum = tf.add(sum, this.deltas[p][i]);
          v.assign(tf.add(this.start[i], tf.div(sum, parts)));
        });
      });
    }
    tf.dispose(this.start);
    this.start = [];
    this.deltas = [];
  }
}
