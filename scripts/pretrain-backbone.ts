import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { FASHION_CLASSES, loadEmbedded } from '../src/data/embedded.js';
import { averagePrecision, labelColumn } from '../src/eval/metrics.js';
import { LabelMatrix } from '../src/labels/matrix.js';
import { createRng, type Rng } from '../src/labels/rng.js';
import { Adam } from '../src/train/adam.js';
import { selectBackend } from '../src/train/backend.js';
import { imagesToFloats, labelsToFloats } from '../src/train/image-set.js';
import { computeLoss } from '../src/train/losses.js';
import { tintedPictures } from './example-images.js';

/*
 * Pretrains the backbone shipped in models/fashion-backbone/: a small fully convolutional network
 * (any height and width, 3 channels) trained by skewbench's own loop on tinted multi-label pictures of
 * Fashion-MNIST items (see example-images.ts), then saved as a tfjs Layers model whose last layer is
 * the 10-label sigmoid classifier it was trained with. Seeded: weights and batch order come from the
 * project's RNG, so a rerun on the same backend writes the same model.
 *
 *   npx tsx scripts/pretrain-backbone.ts [out-dir] [pictures]
 */

const out = resolve(process.argv[2] ?? 'models/fashion-backbone');
const SIZE = 32;
const PICTURES = Number(process.argv[3] ?? 16_000);
const HELD_OUT = 2_000;
const EPOCHS = 8;
const BATCH = 64;
const LEARNING_RATE = 2e-3;

const backend = await selectBackend('wasm');
const rng = createRng(20261202).fork('pretrain-backbone');
const fashion = loadEmbedded('fashion');
const classes = FASHION_CLASSES.length;
const started = performance.now();
const { pixels, labels } = tintedPictures(fashion, { count: PICTURES + HELD_OUT, size: SIZE, cells: 2, maxItems: 3, classWeights: Array(classes).fill(1) }, rng.fork('pictures'));
const truth = LabelMatrix.fromRows(FASHION_CLASSES, labels);
const bytes = SIZE * SIZE * 3;
const trainSet = { images: pixels.subarray(0, PICTURES * bytes), height: SIZE, width: SIZE, channels: 3, labels: truth.select(Array.from({ length: PICTURES }, (_, i) => i)) };
const heldOut = { images: pixels.subarray(PICTURES * bytes), height: SIZE, width: SIZE, channels: 3, labels: truth.select(Array.from({ length: HELD_OUT }, (_, i) => PICTURES + i)) };

// Conv 3×3×32 → MaxPool 2 → Conv 3×3×64 → MaxPool 2 → Conv 3×3×64 → global average → 64 features.
const input = tfl.input({ shape: [null, null, 3], name: 'image' });
let x = tfl.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1' }).apply(input) as tfl.SymbolicTensor;
x = tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }).apply(x) as tfl.SymbolicTensor;
x = tfl.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2' }).apply(x) as tfl.SymbolicTensor;
x = tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }).apply(x) as tfl.SymbolicTensor;
x = tfl.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv3' }).apply(x) as tfl.SymbolicTensor;
const features = tfl.layers.globalAveragePooling2d({ name: 'features' }).apply(x) as tfl.SymbolicTensor;
const scores = tfl.layers.dense({ units: classes, activation: 'sigmoid', name: 'head' }).apply(features) as tfl.SymbolicTensor;
const model = tfl.model({ inputs: input, outputs: scores, name: 'fashion_backbone' });
const backbone = tfl.model({ inputs: input, outputs: features });
const headLayer = model.getLayer('head');

/** Glorot-uniform for kernels from the seeded stream; biases stay zero. */
function seededInit(weights: tfl.LayerVariable[], stream: Rng): void {
  for (const w of weights) {
    const shape = w.shape as number[];
    if (shape.length < 2) continue;
    const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const fanIn = receptive * shape[shape.length - 2];
    const fanOut = receptive * shape[shape.length - 1];
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    const r = stream.fork(w.name);
    for (let i = 0; i < n; i++) values[i] = (2 * r.float() - 1) * limit;
    const initial = tf.tensor(values, shape);
    w.write(initial);
    initial.dispose();
  }
}
seededInit(model.weights, rng.fork('init'));

const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
const [headKernel, headBias] = headLayer.trainableWeights.map((w) => w.read()) as [tf.Variable, tf.Variable];
const logits = (images: tf.Tensor4D, training: boolean): tf.Tensor2D =>
  tf.add(tf.matMul(backbone.apply(images, { training }) as tf.Tensor2D, headKernel), headBias) as tf.Tensor2D;

const adam = new Adam(variables, { learningRate: LEARNING_RATE });
const order = Uint32Array.from({ length: PICTURES }, (_, i) => i);
const shuffle = rng.fork('batch-order');
const losses: number[] = [];
for (let epoch = 1; epoch <= EPOCHS; epoch++) {
  shuffle.shuffle(order);
  let sum = 0;
  for (let start = 0; start < PICTURES; start += BATCH) {
    const end = Math.min(PICTURES, start + BATCH);
    const xs = tf.tensor4d(imagesToFloats(trainSet, order, start, end), [end - start, SIZE, SIZE, 3]);
    const ys = tf.tensor2d(labelsToFloats(trainSet.labels, order, start, end), [end - start, classes]);
    const { value, grads } = tf.variableGrads(() => computeLoss({ kind: 'bce' }, logits(xs, true), ys), variables);
    adam.apply(variables.map((v) => grads[v.name]));
    sum += value.dataSync()[0] * (end - start);
    tf.dispose([xs, ys, value, grads]);
  }
  losses.push(sum / PICTURES);
  console.log(`epoch ${epoch}: loss ${losses.at(-1)!.toFixed(4)} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}
adam.dispose();

// Held-out mean AP of the pretraining task, as a check that the features learnt something.
const heldScores = new Float32Array(HELD_OUT * classes);
for (let start = 0; start < HELD_OUT; start += 250) {
  const end = Math.min(HELD_OUT, start + 250);
  const batch = tf.tidy(() => model.predict(tf.tensor4d(imagesToFloats(heldOut, null, start, end), [end - start, SIZE, SIZE, 3])) as tf.Tensor);
  heldScores.set(batch.dataSync() as Float32Array, start * classes);
  batch.dispose();
}
const aps = FASHION_CLASSES.map((_, l) => averagePrecision(labelColumn(heldScores, heldOut.labels, l)));
const meanAp = aps.reduce((a, b) => a + b, 0) / classes;
const seconds = (performance.now() - started) / 1000;

mkdirSync(out, { recursive: true });
await model.save(
  tf.io.withSaveHandler(async (artifacts) => {
    const weightsFile = 'weights.bin';
    writeFileSync(join(out, weightsFile), Buffer.from(artifacts.weightData as ArrayBuffer));
    writeFileSync(
      join(out, 'model.json'),
      `${JSON.stringify({ format: 'layers-model', generatedBy: `skewbench scripts/pretrain-backbone.ts (TensorFlow.js ${tf.version_core})`, convertedBy: null, modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs }] })}\n`,
    );
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }),
);
const parameters = model.countParams();
writeFileSync(
  join(out, 'pretraining.json'),
  `${JSON.stringify(
    {
      command: 'npx tsx scripts/pretrain-backbone.ts',
      data: `${PICTURES} tinted ${SIZE}×${SIZE} pictures of 1–3 Fashion-MNIST items (2×2 cells), 10 labels; ${HELD_OUT} more held out`,
      backend: backend.name,
      epochs: EPOCHS,
      batchSize: BATCH,
      learningRate: LEARNING_RATE,
      parameters,
      epochLoss: losses.map((l) => Number(l.toFixed(5))),
      heldOutMeanAp: Number(meanAp.toFixed(4)),
      seconds: Number(seconds.toFixed(1)),
    },
    null,
    2,
  )}\n`,
);
console.log(`${out}: ${parameters} parameters; held-out mAP ${meanAp.toFixed(3)}; ${seconds.toFixed(0)} s`);
