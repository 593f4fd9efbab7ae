import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { selectBackend } from '../../src/train/backend.js';
import { createModel } from '../../src/train/create-model.js';
import { modelFiles } from '../../src/train/model-files.js';
import { buildModel, resetHead, type Model } from '../../src/train/models.js';
import type { LayersFileModel, ModuleModel } from '../../src/train/names.js';
import { predict } from '../../src/train/predict.js';
import { saveModel } from '../../src/train/save-model.js';
import { trainModel } from '../../src/train/train.js';
import { quadrantSet } from './helpers.js';


const SHAPE = { height: 8, width: 8, channels: 1, labels: 4 };
let dir: string;

/** A small conv net with BatchNorm ending in a softmax Dense of `outputs` units, saved with the project's handler. */
async function saveTiny(name: string, outputs: number, withWeights = true): Promise<string> {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.batchNormalization({}),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 8, activation: 'relu' }),
      tfl.layers.dense({ units: outputs, activation: 'softmax' }),
    ],
  });
  const path = join(dir, name);
  await m.save(modelFiles(path));
  m.dispose();
  if (!withWeights) {
    const json = JSON.parse(readFileSync(join(path, 'model.json'), 'utf8'));
    delete json.weightsManifest;
    writeFileSync(join(path, 'model.json'), JSON.stringify(json));
  }
  return join(path, 'model.json');
}

const layersSpec = (layers: string, extra: Partial<LayersFileModel> = {}): LayersFileModel => ({ layers, freeze: 'none', sha256: '', ...extra });
const values = (model: Model) => model.variables.map((v) => Array.from(v.dataSync()));

beforeAll(async () => {
  await selectBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'skewbench-own-model-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a tfjs Layers model from model.json', () => {
  it('linear probe: a frozen backbone stays as loaded, the new head learns, and nothing leaks', async () => {
    const path = await saveTiny('probe', 3);
    const source = await tfl.loadLayersModel(modelFiles(path));
    const layerWeights = (m: tfl.LayersModel) => m.layers.filter((l) => l.weights.length > 0).flatMap((l) => l.getWeights().map((w) => Array.from(w.dataSync())));
    const loadedBackbone = layerWeights(source).slice(0, -2);
    source.dispose();
    const before = tf.memory().numTensors;
    const model = await createModel(layersSpec(path, { freeze: 'backbone' }), { ...SHAPE, seed: 1 });
    // 3 outputs for 4 labels: the head is replaced by default; only it trains.
    expect(model.kind).toBe('layers');
    expect(model.variables).toEqual(model.head);
    expect(model.head.map((v) => v.shape)).toEqual([[8, 4], [4]]);
    const headBefore = model.head.map((v) => Array.from(v.dataSync()));
    const result = await trainModel(model, quadrantSet(96, 1), { loss: { kind: 'bce' }, epochs: 6, batchSize: 16, learningRate: 0.02, seed: 2 });
    expect(result.finalLoss).toBeLessThan(result.lossHistory[0]);
    expect(model.head.map((v) => Array.from(v.dataSync()))).not.toEqual(headBefore);
    const exported = model.exportLayers();
    // every backbone weight (BatchNorm's moving statistics included) as loaded
    const backbone = layerWeights(exported.model).slice(0, -2);
    exported.dispose();
    expect(backbone.length).toBe(8); // conv 2, BatchNorm 4 (moving statistics included), dense 2
    expect(JSON.stringify(backbone) === JSON.stringify(loadedBackbone)).toBe(true);
    predict(model, quadrantSet(10, 3), 4);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains end to end: BatchNorm in training mode updates its moving statistics, predicts in inference mode', async () => {
    const path = await saveTiny('whole', 4);
    const model = await createModel(layersSpec(path), { ...SHAPE, seed: 1 });
    // 4 outputs for 4 labels: the head is kept (its loaded kernel and bias)
    expect(model.head.map((v) => v.shape)).toEqual([[8, 4], [4]]);
    expect(model.variables.length).toBe(2 + 2 + 2 + 2); // conv, BatchNorm gamma/beta, dense, head
    const movingMean = () => {
      const exported = model.exportLayers();
      const norm = exported.model.layers.find((l) => l.getClassName() === 'BatchNormalization')!;
      const mean = Array.from(norm.getWeights()[2].dataSync());
      exported.dispose();
      return mean;
    };
    const movingMean0 = movingMean();
    const result = await trainModel(model, quadrantSet(96, 1), { loss: { kind: 'bce' }, epochs: 4, batchSize: 16, learningRate: 0.01, seed: 2 });
    expect(result.finalLoss).toBeLessThan(result.lossHistory[0]);
    expect(movingMean()).not.toEqual(movingMean0);
    // inference mode: an image's scores do not depend on the batch it is in
    const set = quadrantSet(8, 4);
    const together = predict(model, set, 8);
    const alone = predict(model, { ...set, images: set.images.subarray(0, 64) }, 1);
    expect(Array.from(alone)).toEqual(Array.from(together.subarray(0, 4)));
    // cRT's first step: the head is drawn afresh, the rest stays
    const rest = values(model).slice(0, -2);
    resetHead(model, 5);
    expect(values(model).slice(0, -2)).toEqual(rest);
    expect(Array.from(model.head[1].dataSync())).toEqual([0, 0, 0, 0]);
    model.dispose();
  });

  it('keeps BatchNorm’s moving statistics while only the head trains (cRT’s second stage) and while BatchNorm is frozen', async () => {
    const path = await saveTiny('keep-stats', 4);
    const movingMean = (model: Awaited<ReturnType<typeof createModel>>) => {
      const exported = model.exportLayers();
      const norm = exported.model.layers.find((l) => l.getClassName() === 'BatchNormalization')!;
      const mean = Array.from(norm.getWeights()[2].dataSync());
      exported.dispose();
      return mean;
    };
    const options = { loss: { kind: 'bce' as const }, epochs: 2, batchSize: 16, learningRate: 0.01, seed: 2 };
    const headOnly = await createModel(layersSpec(path), { ...SHAPE, seed: 1 });
    const before = movingMean(headOnly);
    await trainModel(headOnly, quadrantSet(64, 1), { ...options, trainable: headOnly.head });
    expect(movingMean(headOnly)).toEqual(before);
    headOnly.dispose();
    // freeze 2: the convolution and BatchNorm
    const frozen = await createModel(layersSpec(path, { freeze: 2 }), { ...SHAPE, seed: 1 });
    expect(frozen.variables.map((v) => v.shape)).toEqual([[256, 8], [8], [8, 4], [4]]);
    await trainModel(frozen, quadrantSet(64, 1), options);
    expect(movingMean(frozen)).toEqual(before);
    frozen.dispose();
  });

  it('finds the classifier under a trailing activation layer (Keras’s Dense → Activation): its logits, not its probabilities', async () => {
    const m = tfl.sequential({
      layers: [tfl.layers.flatten({ inputShape: [8, 8, 1] }), tfl.layers.dense({ units: 8, activation: 'relu' }), tfl.layers.dense({ units: 4 }), tfl.layers.activation({ activation: 'sigmoid' })],
    });
    const path = join(dir, 'dense-activation');
    await m.save(modelFiles(path));
    const x = tf.tensor4d(Float32Array.from(quadrantSet(4, 3).images, (b) => b / 255), [4, 8, 8, 1]);
    const probabilities = m.predict(x) as tf.Tensor;
    const kept = await createModel(layersSpec(join(path, 'model.json')), { ...SHAPE, seed: 1 });
    expect(kept.head.map((v) => v.shape)).toEqual([[8, 4], [4]]);
    const logits = kept.logits(x);
    const fromLogits = tf.sigmoid(logits);
    const worst = tf.max(tf.abs(tf.sub(fromLogits, probabilities))).dataSync()[0];
    expect(worst).toBeLessThan(1e-6);
    const replaced = await createModel(layersSpec(join(path, 'model.json'), { head: 'replace' }), { ...SHAPE, labels: 3, seed: 1 });
    // the new head reads the 8 features the old classifier read, not its 4 probabilities
    expect(replaced.head.map((v) => v.shape)).toEqual([[8, 3], [3]]);
    tf.dispose([x, probabilities, logits, fromLogits]);
    for (const model of [kept, replaced]) model.dispose();
    m.dispose();
  });

  it('freezes the first N layers: they are not trained', async () => {
    const path = await saveTiny('first', 4);
    const model = await createModel(layersSpec(path, { freeze: 1 }), { ...SHAPE, seed: 1 });
    // the convolution is frozen: BatchNorm, the hidden dense and the head train
    expect(model.variables.map((v) => v.shape)).toEqual([[4], [4], [256, 8], [8], [8, 4], [4]]);
    model.dispose();
  });

  it('draws the weights of a topology-only model from the seed: same seed ⇒ same weights, another ⇒ different', async () => {
    const path = await saveTiny('topology', 4, false);
    const draw = async (seed: number) => {
      const model = await createModel(layersSpec(path), { ...SHAPE, seed });
      const w = values(model);
      model.dispose();
      return w;
    };
    const [a, b, c] = [await draw(7), await draw(7), await draw(8)];
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(c[0]);
    // Glorot-uniform kernel (3·3·1 in, 3·3·4 out), zero bias, BatchNorm gamma 1 and beta 0
    const limit = Math.sqrt(6 / (9 + 36));
    expect(Math.max(...a[0].map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(a[1]).toEqual([0, 0, 0, 0]);
    expect(a[2]).toEqual([1, 1, 1, 1]);
  });

  it('a replaced head is drawn from the seed too', async () => {
    const path = await saveTiny('replace', 4);
    const head = async (seed: number) => {
      const model = await createModel(layersSpec(path, { head: 'replace' }), { ...SHAPE, seed });
      const w = Array.from(model.head[0].dataSync());
      model.dispose();
      return w;
    };
    expect(await head(1)).toEqual(await head(1));
    expect(await head(1)).not.toEqual(await head(2));
  });

  it('refuses what does not fit, as InputErrors naming the field', async () => {
    const path = await saveTiny('misfit', 3);
    await expect(createModel(layersSpec(path), { ...SHAPE, channels: 3, seed: 1 })).rejects.toThrow(/^model\.layers: .*takes input 8×8×1 but the images are 8×8×3$/);
    await expect(createModel(layersSpec(path, { head: 'keep' }), { ...SHAPE, seed: 1 })).rejects.toThrow(/head "keep": the model outputs 3 values but the data has 4 labels/);
    await expect(createModel(layersSpec(path, { freeze: 9 }), { ...SHAPE, seed: 1 })).rejects.toThrow(/^model\.freeze: 9 is more than the 5 layers/);
    await expect(createModel(layersSpec(join(dir, 'nowhere.json')), { ...SHAPE, seed: 1 })).rejects.toBeInstanceOf(InputError);
  });
});

describe('a model built by an ES module', () => {
  it('calls build with the data’s shape and the tf to use, re-draws its weights from the seed, and trains', async () => {
    const file = join(dir, 'my-model.mjs');
    writeFileSync(
      file,
      `export function build({ height, width, channels, labels, tf }) {
  return tf.sequential({ layers: [
    tf.layers.flatten({ inputShape: [height, width, channels] }),
    tf.layers.dense({ units: 16, activation: 'relu' }),
    tf.layers.dense({ units: labels, activation: 'sigmoid' }),
  ] });
}\n`,
    );
    const spec: ModuleModel = { module: file, freeze: 'none', sha256: '' };
    const before = tf.memory().numTensors;
    const a = await createModel(spec, { ...SHAPE, seed: 3 });
    const b = await createModel(spec, { ...SHAPE, seed: 3 });
    expect(a.kind).toBe('module');
    expect(values(a)).toEqual(values(b));
    const result = await trainModel(a, quadrantSet(96, 1), { loss: { kind: 'bce' }, epochs: 6, batchSize: 16, learningRate: 0.01, seed: 2 });
    expect(result.finalLoss).toBeLessThan(result.lossHistory[0] * 0.8);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a module without build, and a build that returns no LayersModel', async () => {
    writeFileSync(join(dir, 'nobuild.mjs'), 'export const x = 1;\n');
    writeFileSync(join(dir, 'notmodel.mjs'), 'export function build() { return { predict() {} }; }\n');
    const of = (name: string): ModuleModel => ({ module: join(dir, name), freeze: 'none', sha256: '' });
    await expect(createModel(of('nobuild.mjs'), { ...SHAPE, seed: 1 })).rejects.toThrow(/^model\.module: .*exports no build function/);
    await expect(createModel(of('notmodel.mjs'), { ...SHAPE, seed: 1 })).rejects.toThrow(/^model\.module: .*build returned Object, not a tfjs LayersModel/);
  });
});

describe('saving a trained model as a tfjs Layers model', () => {
  const cases: Array<[string, () => Promise<Model>]> = [
    ['mlp', async () => buildModel('mlp', { ...SHAPE, seed: 1 })],
    ['cnn', async () => buildModel('cnn', { ...SHAPE, seed: 1 })],
    ['resnet', async () => buildModel('resnet', { ...SHAPE, seed: 1 })],
    ['layers', async () => createModel(layersSpec(await saveTiny('saved', 3)), { ...SHAPE, seed: 1 })],
  ];
  for (const [name, make] of cases) {
    it(`${name}: tf.loadLayersModel of what it wrote predicts the scores skewbench predicts`, async () => {
      const model = await make();
      await trainModel(model, quadrantSet(48, 1), { loss: { kind: 'bce' }, steps: 3, batchSize: 16, learningRate: 0.01, seed: 2 });
      const before = tf.memory().numTensors;
      const files = await saveModel(model, join(dir, `out-${name}`));
      expect(tf.memory().numTensors).toBe(before);
      expect(files.map((f) => f.split('/').pop())).toEqual(['model.json', 'weights.bin']);
      const set = quadrantSet(12, 9);
      const ours = predict(model, set);
      model.dispose();
      const loaded = await tfl.loadLayersModel(modelFiles(join(dir, `out-${name}`, 'model.json')));
      const x = tf.tensor4d(Float32Array.from(set.images, (b) => b / 255), [12, 8, 8, 1]);
      const theirs = loaded.predict(x) as tf.Tensor;
      const got = Array.from(theirs.dataSync());
      tf.dispose([x, theirs]);
      loaded.dispose();
      expect(got).toHaveLength(ours.length);
      for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - ours[i])).toBeLessThan(1e-5);
    });
  }
});
