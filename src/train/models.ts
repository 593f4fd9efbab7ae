import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
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

/** A model as a tfjs Layers model ending in a sigmoid Dense layer (it predicts scores), for saving. */
export interface LayersExport {
  readonly model: tfl.LayersModel;
  /** Frees what the export made for itself; the trained weights stay the model's. */
  dispose(): void;
}

/**
 * A model as tfjs variables and a forward function producing logits: a built-in model (README,
 * Training engine), built on tfjs-core ops rather than tfjs-layers so a training step is only the
 * kernels it needs, or a tfjs Layers model of one's own (own-model.ts).
 */
export interface Model {
  /** A built-in kind, or `layers` / `module` for a model of one's own. */
  readonly kind: ModelKind | 'layers' | 'module';
  readonly shape: ModelShape;
  /** Trainable weights, in a fixed order (kernels then biases, layer by layer). */
  readonly variables: readonly tf.Variable[];
  /** The classifier: the last dense layer's kernel and bias (the rest is the representation). */
  readonly head: readonly tf.Variable[];
  /**
   * The model's other variables (none for the built-in models): weights that do not train (frozen
   * layers) and state a training forward pass updates (BatchNorm's moving statistics).
   */
  readonly state?: readonly tf.Variable[];
  /**
   * Logits [n, labels] for images [n, height, width, channels] scaled to [0, 1]. `training` (default
   * false) is for layers that behave differently while training (BatchNorm, Dropout).
   */
  logits(images: tf.Tensor4D, training?: boolean): tf.Tensor2D;
  /** The model as an equivalent tfjs Layers model with the same weights (see save-model.ts). */
  exportLayers(): LayersExport;
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
  if (kind === 'resnet') return buildResnet(shape, rng);
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

/** Glorot-uniform values (Keras's default) drawn from the seeded stream, so tfjs's own RNG is never involved. */
export function glorotValues(rng: Rng, size: number, fanIn: number, fanOut: number, scale = 1): Float32Array {
  const limit = scale * Math.sqrt(6 / (fanIn + fanOut));
  const values = new Float32Array(size);
  for (let i = 0; i < values.length; i++) values[i] = (2 * rng.float() - 1) * limit;
  return values;
}

/** Keras's fans of a kernel: [in, out] for a dense one, receptive field × channels for a convolution's [kh, kw, in, out]. */
export function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 2) return [shape[0], shape[1]];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [receptive * shape[shape.length - 2], receptive * shape[shape.length - 1]];
}

function glorot(rng: Rng, shape: number[], fanIn: number, fanOut: number, scale = 1): tf.Variable {
  const values = glorotValues(rng, shape.reduce((a, b) => a * b, 1), fanIn, fanOut, scale);
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

function conv(rng: Rng, size: number, inputs: number, outputs: number, scale = 1): [tf.Variable, tf.Variable] {
  const k = size * size;
  return [glorot(rng.fork(`conv:${size}x${inputs}x${outputs}`), [size, size, inputs, outputs], k * inputs, k * outputs, scale), zeros(outputs)];
}

class VariableModel implements Model {
  disposed = false;
  readonly head: readonly tf.Variable[];
  constructor(
    readonly kind: ModelKind,
    readonly shape: ModelShape,
    readonly variables: readonly tf.Variable[],
    private readonly forward: (x: tf.Tensor4D) => tf.Tensor2D,
    /** The same network as tfjs Layers, built from layers in the order of `variables` (kernel, bias each). */
    private readonly layersOf: (input: tfl.SymbolicTensor) => { output: tfl.SymbolicTensor; layers: tfl.layers.Layer[] },
  ) {
    // Every reference model ends in its classifier's kernel and bias.
    this.head = variables.slice(-2);
  }
  logits(images: tf.Tensor4D): tf.Tensor2D {
    if (this.disposed) throw new Error(`the ${this.kind} model has been disposed`);
    return this.forward(images);
  }
  exportLayers(): LayersExport {
    if (this.disposed) throw new Error(`the ${this.kind} model has been disposed`);
    const input = tfl.input({ shape: [this.shape.height, this.shape.width, this.shape.channels], name: 'images' });
    const { output, layers: weighted } = this.layersOf(input);
    const model = tfl.model({ inputs: input, outputs: output, name: `skewbench_${this.kind}` });
    // Each weighted layer takes the next kernel and bias (their values as they are now: training on
    // afterwards does not change the export).
    weighted.forEach((layer, i) => layer.setWeights([this.variables[2 * i], this.variables[2 * i + 1]]));
    return { model, dispose: () => model.dispose() };
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
  }, (input) => {
    const weighted = [
      tfl.layers.dense({ units: 256, activation: 'relu' }),
      tfl.layers.dense({ units: 128, activation: 'relu' }),
      tfl.layers.dense({ units: shape.labels, activation: 'sigmoid' }),
    ];
    const flat = tfl.layers.flatten().apply(input) as tfl.SymbolicTensor;
    return { output: chain(flat, weighted), layers: weighted };
  });
}

function chain(input: tfl.SymbolicTensor, stack: tfl.layers.Layer[]): tfl.SymbolicTensor {
  return stack.reduce((x, layer) => layer.apply(x) as tfl.SymbolicTensor, input);
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
    const p1 = layers.conv2dSameReluPool(x, k1 as tf.Tensor4D, c1 as tf.Tensor1D, false);
    const p2 = layers.conv2dSameReluPool(p1, k2 as tf.Tensor4D, c2 as tf.Tensor1D, true);
    const h3 = layers.dense(tf.reshape(p2, [x.shape[0], flat]) as tf.Tensor2D, w3 as tf.Tensor2D, b3 as tf.Tensor1D, 'relu', true);
    return layers.dense(h3, w4 as tf.Tensor2D, b4 as tf.Tensor1D, 'linear', true);
  }, (input) => {
    const c1 = tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' });
    const c2 = tfl.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' });
    const d3 = tfl.layers.dense({ units: 64, activation: 'relu' });
    const d4 = tfl.layers.dense({ units: shape.labels, activation: 'sigmoid' });
    const pool = () => tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid' });
    const output = chain(input, [c1, pool(), c2, pool(), tfl.layers.flatten(), d3, d4]);
    return { output, layers: [c1, c2, d3, d4] };
  });
}

/** The stages of the built-in resnet: channels and stride of each stage's one basic block. */
export const RESNET_STAGES = [
  { channels: 16, stride: 1 },
  { channels: 32, stride: 2 },
  { channels: 64, stride: 2 },
] as const;
/** The residual branch's second convolution starts at this fraction of its Glorot draw, so every block starts near its shortcut (there is no BatchNorm). */
const RESIDUAL_SCALE = 0.1;

/**
 * Stem Conv 3×3×16 same ReLU → 3 stages of one basic residual block each (16, 32, 64 channels;
 * stride 2 into stages 2 and 3): relu(conv 3×3 → ReLU → conv 3×3 + shortcut), the shortcut a 1×1
 * convolution where the shape changes → global average pooling → Dense labels. No BatchNorm.
 */
function buildResnet(shape: ModelShape, rng: Rng): Model {
  const [k0, b0] = conv(rng.fork('stem'), 3, shape.channels, 16);
  const variables: tf.Variable[] = [k0, b0];
  const blocks: Array<{ stride: number; a: tf.Variable[]; b: tf.Variable[]; project?: tf.Variable[] }> = [];
  let inputs = 16;
  RESNET_STAGES.forEach(({ channels, stride }, i) => {
    const stage = rng.fork(`stage:${i + 1}`);
    const a = conv(stage.fork('a'), 3, inputs, channels);
    const b = conv(stage.fork('b'), 3, channels, channels, RESIDUAL_SCALE);
    const project = stride !== 1 || inputs !== channels ? conv(stage.fork('shortcut'), 1, inputs, channels) : undefined;
    variables.push(...a, ...b, ...(project ?? []));
    blocks.push({ stride, a, b, project });
    inputs = channels;
  });
  const [w, bias] = dense(rng.fork('head'), inputs, shape.labels);
  variables.push(w, bias);
  const convolve = (x: tf.Tensor4D, [k, c]: tf.Variable[], stride: number, activation: layers.Activation): tf.Tensor4D =>
    layers.conv2dSame(x, k as tf.Tensor4D, c as tf.Tensor1D, activation, stride, true);
  return new VariableModel('resnet', shape, variables, (x) => {
    let h = layers.conv2dSame(x, k0 as tf.Tensor4D, b0 as tf.Tensor1D, 'relu', 1, false);
    for (const block of blocks) {
      const a = convolve(h, block.a, block.stride, 'relu');
      const shortcut = block.project ? convolve(h, block.project, block.stride, 'linear') : h;
      h = tf.relu(tf.add(convolve(a, block.b, 1, 'linear'), shortcut)) as tf.Tensor4D;
    }
    const features = tf.mean(h, [1, 2]) as tf.Tensor2D;
    return layers.dense(features, w as tf.Tensor2D, bias as tf.Tensor1D, 'linear', true);
  }, (input) => {
    const convLayer = (filters: number, kernelSize: number, strides: number, activation: 'relu' | 'linear') => tfl.layers.conv2d({ filters, kernelSize, strides, padding: 'same', activation });
    const stem = convLayer(16, 3, 1, 'relu');
    const weighted: tfl.layers.Layer[] = [stem];
    let h = stem.apply(input) as tfl.SymbolicTensor;
    let channelsIn = 16;
    for (const { channels, stride } of RESNET_STAGES) {
      const a = convLayer(channels, 3, stride, 'relu');
      const b = convLayer(channels, 3, 1, 'linear');
      const project = stride !== 1 || channelsIn !== channels ? convLayer(channels, 1, stride, 'linear') : undefined;
      weighted.push(a, b, ...(project ? [project] : []));
      const branch = b.apply(a.apply(h)) as tfl.SymbolicTensor;
      const shortcut = project ? (project.apply(h) as tfl.SymbolicTensor) : h;
      h = tfl.layers.activation({ activation: 'relu' }).apply(tfl.layers.add().apply([branch, shortcut])) as tfl.SymbolicTensor;
      channelsIn = channels;
    }
    const head = tfl.layers.dense({ units: shape.labels, activation: 'sigmoid' });
    weighted.push(head);
    const output = head.apply(tfl.layers.globalAveragePooling2d({}).apply(h)) as tfl.SymbolicTensor;
    return { output, layers: weighted };
  });
}
