import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { pathToFileURL } from 'node:url';
import { InputError } from '../errors.js';
import { streamOf, type Rng } from '../labels/rng.js';
import { modelFiles, readModelArtifacts } from './model-files.js';
import { fans, glorotValues, type LayersExport, type Model, type ModelOptions, type ModelShape } from './models.js';
import type { FreezeMode, HeadMode, LayersFileModel, ModuleModel } from './names.js';

/*
 * A model of one's own: a tfjs Layers model, loaded from a model.json or built by an ES module, run
 * as a Model — a backbone (the layers up to the classifier) and a head (two variables, kernel and
 * bias, like the built-in models'), so it trains, predicts and re-trains its classifier (cRT)
 * through the same loop as the built-in ones.
 */

/** What a module's `build` receives: the data's shape, a seed, and the tfjs skewbench trains with. */
export interface BuildArguments extends ModelShape {
  seed: number;
  /** `@tensorflow/tfjs-layers` as skewbench loads it: build with this, not an import of your own (a second copy of tfjs would be a second engine). */
  tf: typeof tfl;
}

/**
 * Loads (or builds) the model, checks it against the data's shape, and wraps it. Every problem the
 * user can fix is an InputError `<path>.<field>: …`, `path` being where the spec gives the model
 * (`model`, or `methods[1].model` for a method's own); the caller puts the spec file in front.
 * Weights that are not loaded — a new head, every weight of a topology-only model or of a module's
 * model — are drawn from `options.seed`.
 */
export async function loadOwnModel(spec: LayersFileModel | ModuleModel, options: ModelOptions, path = 'model'): Promise<Model> {
  const rng = streamOf(options.seed).fork('model:own');
  const { source, loaded } = 'layers' in spec ? await fromFile(spec.layers, spec.pretrained !== false, path) : await fromModule(spec.module, options, rng, path);
  try {
    return wrap(source, loaded, spec, options, rng, 'layers' in spec ? 'layers' : 'module', path);
  } catch (err) {
    source.dispose();
    throw err;
  }
}

/**
 * The model at `path`; with `withWeights` false its topology alone, so every layer starts from its
 * own initialisers (biases and BatchNorm's statistics at their constants) before the seeded redraw.
 */
async function fromFile(file: string, withWeights: boolean, path: string): Promise<{ source: tfl.LayersModel; loaded: boolean }> {
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = readModelArtifacts(file);
  } catch (err) {
    throw new InputError(`${path}.layers: ${file}: ${reasonOf(err)}`);
  }
  try {
    if (!withWeights) {
      const { weightSpecs: _specs, weightData: _data, ...topology } = artifacts;
      return { source: await tfl.loadLayersModel({ load: async () => topology }), loaded: false };
    }
    const source = await tfl.loadLayersModel(modelFiles(file));
    return { source, loaded: artifacts.weightSpecs !== undefined };
  } catch (err) {
    throw new InputError(`${path}.layers: ${file}: not loadable as a tfjs Layers model (${reasonOf(err)})`);
  }
}

async function fromModule(file: string, shape: ModelOptions, rng: Rng, path: string): Promise<{ source: tfl.LayersModel; loaded: boolean }> {
  let module: { build?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { build?: unknown };
  } catch (err) {
    throw new InputError(`${path}.module: ${file}: cannot be imported (${reasonOf(err)})`);
  }
  if (typeof module.build !== 'function') throw new InputError(`${path}.module: ${file}: exports no build function (expected export function build({ height, width, channels, labels, seed, tf }))`);
  const args: BuildArguments = { height: shape.height, width: shape.width, channels: shape.channels, labels: shape.labels, seed: rng.fork('build').int(0x7fffffff), tf: tfl };
  let source: unknown;
  try {
    source = await (module.build as (a: BuildArguments) => unknown)(args);
  } catch (err) {
    throw new InputError(`${path}.module: ${file}: build failed: ${reasonOf(err)}`);
  }
  if (!(source instanceof tfl.LayersModel)) {
    const what = source === null || source === undefined ? String(source) : (source as object).constructor?.name ?? typeof source;
    throw new InputError(`${path}.module: ${file}: build returned ${what}, not a tfjs LayersModel (build it with the tf it is given: tf.sequential or tf.model)`);
  }
  return { source, loaded: false };
}

/** A layer without weights that only maps a classifier's logits to probabilities (or leaves them). */
function isProbabilityLayer(layer: tfl.layers.Layer): boolean {
  if (layer.getClassName() === 'Softmax') return true;
  return layer.getClassName() === 'Activation' && ['sigmoid', 'softmax', 'linear'].includes(String(layer.getConfig().activation));
}

function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (err instanceof SyntaxError && !code) return `not JSON (${message.split('\n')[0]})`;
  return message.split('\n')[0];
}

function wrap(source: tfl.LayersModel, loaded: boolean, spec: LayersFileModel | ModuleModel, options: ModelOptions, rng: Rng, kind: 'layers' | 'module', path: string): Model {
  const field = `${path}.${kind}`;
  const where = `${field}: ${kind === 'layers' ? (spec as LayersFileModel).layers : (spec as ModuleModel).module}`;
  const shape: ModelShape = { height: options.height, width: options.width, channels: options.channels, labels: options.labels };
  if (source.inputs.length !== 1 || source.outputs.length !== 1) throw new InputError(`${where}: expected one input and one output, got ${source.inputs.length} and ${source.outputs.length}`);
  const inputShape = source.inputs[0].shape;
  const expected = [shape.height, shape.width, shape.channels];
  const fits = inputShape.length === 4 && inputShape.slice(1).every((d, i) => d === null || d === expected[i]);
  if (!fits) throw new InputError(`${where}: the model takes input ${inputShape.slice(1).map((d) => d ?? '?').join('×')} but the images are ${expected.join('×')}`);

  // The classifier is the last Dense layer, under any activation layers that follow it (Keras's
  // Dense → Activation('sigmoid') or Softmax): those only turn its logits into probabilities.
  let classifierAt = source.layers.length - 1;
  while (classifierAt > 0 && isProbabilityLayer(source.layers[classifierAt])) classifierAt--;
  const classifier = source.layers[classifierAt];
  const hasClassifier = classifier instanceof tfl.layers.Layer && classifier.getClassName() === 'Dense';
  const outputWidth = source.outputs[0].shape[source.outputs[0].shape.length - 1];
  const head: HeadMode = spec.head ?? (hasClassifier && outputWidth === shape.labels ? 'keep' : 'replace');
  if (head === 'keep') {
    if (!hasClassifier) throw new InputError(`${where}: head "keep" needs the model to end in a Dense layer (the classifier), but its last layer is a ${classifier.getClassName()}`);
    if (outputWidth !== shape.labels) throw new InputError(`${where}: head "keep": the model outputs ${outputWidth} values but the data has ${shape.labels} labels (use head "replace")`);
  }
  const freeze: FreezeMode = spec.freeze;
  if (typeof freeze === 'number' && freeze > source.layers.length) throw new InputError(`${path}.freeze: ${freeze} is more than the ${source.layers.length} layers of ${kind === 'layers' ? (spec as LayersFileModel).layers : (spec as ModuleModel).module}`);

  // The backbone: everything up to the classifier; its output is the features the head reads.
  const featuresTensor = hasClassifier ? (classifier.input as tfl.SymbolicTensor) : source.outputs[0];
  const backbone = hasClassifier ? tfl.model({ inputs: source.inputs, outputs: featuresTensor }) : source;
  const backboneLayers = hasClassifier ? source.layers.slice(0, classifierAt) : source.layers;
  const featureShape = featuresTensor.shape;
  if (featureShape.slice(1).some((d) => d === null)) throw new InputError(`${where}: the features the classifier reads have an unknown size (${featureShape.map((d) => d ?? '?').join('×')})`);
  if (featureShape.length > 4) throw new InputError(`${where}: the features the classifier reads are rank ${featureShape.length}; expected rank 2 to 4`);
  const featureCount = featureShape[featureShape.length - 1] as number;

  // Weights that were not loaded are drawn from the seeded stream (tfjs's own initialisers drew them from its RNG).
  if (!loaded) redraw(source, rng.fork('weights'));

  const frozen = new Set<tfl.layers.Layer>(freeze === 'backbone' ? backboneLayers : typeof freeze === 'number' ? source.layers.slice(0, freeze) : []);
  for (const layer of frozen) {
    layer.trainable = false;
    // A frozen BatchNormalization layer normalises with its moving statistics and keeps them, as Keras
    // does: frozen means nothing of it changes, in training too.
    if (layer.getClassName() === 'BatchNormalization') {
      const call = layer.call.bind(layer);
      layer.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
    }
  }

  const headRng = rng.fork('head');
  let kernel: tf.Variable;
  let bias: tf.Variable;
  if (head === 'keep') {
    const [k, b] = classifier.getWeights();
    kernel = tf.variable(k, true);
    bias = b ? tf.variable(b, true) : tf.variable(tf.zeros([shape.labels]), true);
  } else {
    const values = glorotValues(headRng, featureCount * shape.labels, featureCount, shape.labels);
    kernel = tf.tidy(() => tf.variable(tf.tensor2d(values, [featureCount, shape.labels]), true));
    bias = tf.tidy(() => tf.variable(tf.zeros([shape.labels]), true));
  }
  const backboneVariables = backboneLayers.filter((l) => !frozen.has(l)).flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  // Frozen layers are not trained, and a frozen backbone (a linear probe) runs as it does in
  // prediction: BatchNorm uses and keeps its moving statistics.
  const backboneTrains = freeze !== 'backbone';
  const trained = new Set<tf.Variable>(backboneVariables);
  const state = backboneLayers.flatMap((l) => l.weights.map((w) => w.read() as tf.Variable)).filter((v) => !trained.has(v));
  return new LayersBackedModel(kind, shape, source, backbone, [...backboneVariables, kernel, bias], [kernel, bias], state, backboneTrains);
}

/**
 * Re-draws every weight of `model` from `rng`: Glorot-uniform for kernels (rank ≥ 2), in the order of
 * `model.weights`, so the same architecture and seed give the same weights. Rank-1 weights keep their
 * layer's initialiser (zeros for biases and BatchNorm's beta and moving mean, ones for gamma and the
 * moving variance) when it is a constant, and are drawn uniformly in ±√(3/n) otherwise.
 */
function redraw(model: tfl.LayersModel, rng: Rng): void {
  model.weights.forEach((weight, i) => {
    const shape = weight.read().shape;
    const size = shape.reduce((a, b) => a * b, 1);
    if (shape.length >= 2) {
      const [fanIn, fanOut] = fans(shape);
      const fresh = tf.tensor(glorotValues(rng.fork(i), size, fanIn, fanOut), shape, 'float32');
      weight.write(fresh);
      fresh.dispose();
      return;
    }
    const values = weight.read().dataSync();
    if (values.every((v) => v === values[0])) return;
    const fresh = tf.tensor(glorotValues(rng.fork(i), size, size, size), shape, 'float32');
    weight.write(fresh);
    fresh.dispose();
  });
}

class LayersBackedModel implements Model {
  disposed = false;
  constructor(
    readonly kind: 'layers' | 'module',
    readonly shape: ModelShape,
    private readonly source: tfl.LayersModel,
    private readonly backbone: tfl.LayersModel,
    readonly variables: readonly tf.Variable[],
    readonly head: readonly tf.Variable[],
    readonly state: readonly tf.Variable[],
    private readonly backboneTrains: boolean,
  ) {}

  logits(images: tf.Tensor4D, training = false): tf.Tensor2D {
    if (this.disposed) throw new Error(`the ${this.kind} model has been disposed`);
    const features = flatFeatures(this.backbone.apply(images, { training: training && this.backboneTrains }) as tf.Tensor);
    const [kernel, bias] = this.head;
    return tf.add(tf.matMul(features, kernel as tf.Tensor2D), bias) as tf.Tensor2D;
  }

  exportLayers(): LayersExport {
    if (this.disposed) throw new Error(`the ${this.kind} model has been disposed`);
    let features = this.backbone.outputs[0];
    const added: tfl.layers.Layer[] = [];
    if (features.shape.length > 2) {
      const flatten = features.shape.length === 4 ? tfl.layers.globalAveragePooling2d({}) : tfl.layers.globalAveragePooling1d({});
      added.push(flatten);
      features = flatten.apply(features) as tfl.SymbolicTensor;
    }
    const dense = tfl.layers.dense({ units: this.shape.labels, activation: 'sigmoid', name: 'classifier' });
    added.push(dense);
    const output = dense.apply(features) as tfl.SymbolicTensor;
    dense.setWeights([this.head[0], this.head[1]]);
    const model = tfl.model({ inputs: this.backbone.inputs, outputs: output });
    // The export shares the backbone's layers: only what it added is its own to free.
    return { model, dispose: () => added.forEach((layer) => layer.dispose()) };
  }

  dispose(): void {
    if (this.disposed) return;
    // The backbone shares the source's layers; freeing the source frees them once.
    this.source.dispose();
    for (const v of this.head) v.dispose();
    this.disposed = true;
  }
}

/** Features [n, d] from the backbone's output: rank-3 and rank-4 outputs are averaged over their positions. */
function flatFeatures(out: tf.Tensor): tf.Tensor2D {
  if (out.rank === 2) return out as tf.Tensor2D;
  return tf.mean(out, out.rank === 4 ? [1, 2] : [1]) as tf.Tensor2D;
}
