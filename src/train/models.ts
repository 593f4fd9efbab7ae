import * as tf from '@tensorflow/tfjs-core';
import { streamOf, type Rng } from '../labels/rng.js';
import * as layers from './layers.js';

import { MODEL_KINDS, type ModelKind } from './names.js';

export { MODEL_KINDS, type ModelKind } from './names.js';

export interface ModelShape {
  height: number;
  width: number;
  channels: number;
  /** Number of labels (outputs). */
  labels: number;
}

export interface ModelOptions extends ModelShape {
  /** Seeds the initial weights: same seed (or stream) ⇒ same weights. */
  seed: number | Rng;
}

/**
 * A reference model (README, Training engine) as tfjs variables and a forward function producing logits.
 * Built on tfjs-core ops rather than tfjs-layers so a training step is only the kernels it needs.
 */
export interface Model {
  readonly kind: ModelKind;
  readonly shape: ModelShape;
  /** Trainable weights, in a fixed order (kernels then biases, layer by layer). */
  readonly variables: readonly tf.Variable[];
  /** The classifier: the last dense layer's kernel and bias (the rest is the representation). */
  readonly head: readonly tf.Variable[];
  /** Logits [n, labels] for images [n, height, width, channels] scaled to [0, 1]. */
  logits(images: tf.Tensor4D): tf.Tensor2D;
  readonly disposed: boolean;
  /** Frees the weights. */
  dispose(): void;
}

/** Frees a model's weights (same as `model.dispose()`). */
export function disposeModel(model: Model): void {
  model.dispose();
}

export function buildModel(kind: ModelKind, options: ModelOptions): Model {
  const { height, width, channels, labels, seed } = options;
  for (const [name, value] of Object.entries({ height, width, channels, labels })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`buildModel: ${name} must be a positive integer, got ${value}`);
  }
  if (typeof seed === 'number' && !Number.isFinite(seed)) throw new Error(`buildModel: seed must be a finite integer, got ${seed}`);
  const rng = streamOf(seed).fork(`model:${kind}`);
  const shape = { height, width, channels, labels };
  if (kind === 'mlp') return buildMlp(shape, rng);
  if (kind === 'cnn') return buildCnn(shape, rng);
  throw new Error(`unknown model '${String(kind)}' (expected one of ${MODEL_KINDS.join(', ')})`);
}

/**
 * Draws the classifier afresh (Glorot-uniform kernel, zero bias) from `seed`, keeping the
 * representation: the start of decoupled classifier re-training (Kang et al. 2020).
 */
export function resetHead(model: Model, seed: number | Rng): void {
  const [kernel, bias] = model.head;
  const [inputs, outputs] = kernel.shape;
  const fresh = glorot(streamOf(seed).fork('head'), [inputs, outputs], inputs, outputs);
  kernel.assign(fresh);
  fresh.dispose();
  tf.tidy(() => bias.assign(tf.zerosLike(bias)));
}

/** Glorot-uniform weights (Keras's default) drawn from the seeded stream, so tfjs's own RNG is never involved. */
function glorot(rng: Rng, shape: number[], fanIn: number, fanOut: number): tf.Variable {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = (2 * rng.float() - 1) * limit;
  return variableFrom(tf.tensor(values, shape, 'float32'));
}

function zeros(n: number): tf.Variable {
  return variableFrom(tf.zeros([n], 'float32'));
}

/** tf.variable copies its initial value; the initial tensor is released so a disposed model leaves nothing behind. */
function variableFrom(initial: tf.Tensor): tf.Variable {
  const v = tf.variable(initial, true);
  initial.dispose();
  return v;
}

function dense(rng: Rng, inputs: number, outputs: number): [tf.Variable, tf.Variable] {
  return [glorot(rng.fork(`dense:${inputs}x${outputs}`), [inputs, outputs], inputs, outputs), zeros(outputs)];
}

function conv(rng: Rng, size: number, inputs: number, outputs: number): [tf.Variable, tf.Variable] {
  const k = size * size;
  return [glorot(rng.fork(`conv:${size}x${inputs}x${outputs}`), [size, size, inputs, outputs], k * inputs, k * outputs), zeros(outputs)];
}

class VariableModel implements Model {
  disposed = false;
  readonly head: readonly tf.Variable[];
  constructor(
    readonly kind: ModelKind,
    readonly shape: ModelShape,
    readonly variables: readonly tf.Variable[],
    private readonly forward: (x: tf.Tensor4D) => tf.Tensor2D,
  ) {
    // Every reference model ends in its classifier's kernel and bias.
    this.head = variables.slice(-2);
  }
  logits(images: tf.Tensor4D): tf.Tensor2D {
    if (this.disposed) throw new Error(`the ${this.kind} model has been disposed`);
    return this.forward(images);
  }
  dispose(): void {
    if (this.disposed) return;
    for (const v of this.variables) v.dispose();
    this.disposed = true;
  }
}

/** Flatten → Dense 256 ReLU → Dense 128 ReLU → Dense labels. */
function buildMlp(shape: ModelShape, rng: Rng): Model {
  const inputs = shape.height * shape.width * shape.channels;
  const [w1, b1] = dense(rng.fork(1), inputs, 256);
  const [w2, b2] = dense(rng.fork(2), 256, 128);
  const [w3, b3] = dense(rng.fork(3), 128, shape.labels);
  return new VariableModel('mlp', shape, [w1, b1, w2, b2, w3, b3], (x) => {
    const h1 = layers.dense(tf.reshape(x, [x.shape[0], inputs]) as tf.Tensor2D, w1 as tf.Tensor2D, b1 as tf.Tensor1D, 'relu', false);
    const h2 = layers.dense(h1, w2 as tf.Tensor2D, b2 as tf.Tensor1D, 'relu', true);
    return layers.dense(h2, w3 as tf.Tensor2D, b3 as tf.Tensor1D, 'linear', true);
  });
}

/** Conv 3×3×16 same ReLU → MaxPool 2 → Conv 3×3×32 same ReLU → MaxPool 2 → Flatten → Dense 64 ReLU → Dense labels. */
function buildCnn(shape: ModelShape, rng: Rng): Model {
  const pooledH = Math.floor(Math.floor(shape.height / 2) / 2);
  const pooledW = Math.floor(Math.floor(shape.width / 2) / 2);
  if (pooledH < 1 || pooledW < 1) throw new Error(`buildModel: the cnn needs images of at least 4×4, got ${shape.height}×${shape.width}`);
  const flat = pooledH * pooledW * 32;
  const [k1, c1] = conv(rng.fork(1), 3, shape.channels, 16);
  const [k2, c2] = conv(rng.fork(2), 3, 16, 32);
  const [w3, b3] = dense(rng.fork(3), flat, 64);
  const [w4, b4] = dense(rng.fork(4), 64, shape.labels);
  return new VariableModel('cnn', shape, [k1, c1, k2, c2, w3, b3, w4, b4], (x) => {
    const a1 = layers.conv2dSameRelu(x, k1 as tf.Tensor4D, c1 as tf.Tensor1D, false);
    const p1 = tf.maxPool(a1, 2, 2, 'valid');
    const a2 = layers.conv2dSameRelu(p1, k2 as tf.Tensor4D, c2 as tf.Tensor1D, true);
    const p2 = tf.maxPool(a2, 2, 2, 'valid');
    const h3 = layers.dense(tf.reshape(p2, [x.shape[0], flat]) as tf.Tensor2D, w3 as tf.Tensor2D, b3 as tf.Tensor1D, 'relu', true);
    return layers.dense(h3, w4 as tf.Tensor2D, b4 as tf.Tensor1D, 'linear', true);
  });
}
