import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'csv-parse/sync';
import { runCli } from './run-cli.js';
import { expandGrid } from '../../src/experiment/grid.js';
import { loadSpec } from '../../src/experiment/spec.js';
import { datasetFor } from '../../src/experiment/trial.js';
import { readPredictions } from '../../src/report/predictions.js';
import { selectBackend } from '../../src/train/backend.js';
import { modelFiles } from '../../src/train/model-files.js';

/*
 * A suite whose `model` is one's own: a tfjs Layers model.json or an ES module's build, run end to
 * end, its trained models saved and loaded back; every way such a model can be wrong stops the run
 * with one line, exit 2, before training.
 */

const root = mkdtempSync(join(tmpdir(), 'skewbench-own-model-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: tests edit raw spec JSON, field by field
type Json = Record<string, any>;
const smoke = JSON.parse(readFileSync('experiments/smoke.json', 'utf8')) as Json;
/** The smoke suite with `model`, written next to the models so relative paths resolve against it. */
function suite(name: string, model: unknown, edit: (spec: Json) => void = () => {}): string {
  const spec = { ...structuredClone(smoke), name, model };
  edit(spec);
  const file = join(root, `${name}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}
const STACK = /\n\s+at /;
const nothingIn = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);
const readCsv = (path: string): Array<Record<string, string>> => parse(readFileSync(path, 'utf8'), { columns: true });

/** A small conv net for shapes (28×28×1) ending in a softmax Dense of `outputs`, saved with the project's handler. */
async function saveNet(name: string, inputShape: [number, number, number], outputs: number): Promise<void> {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape, filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tfl.layers.batchNormalization({}),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 8, activation: 'relu' }),
      tfl.layers.dense({ units: outputs, activation: 'softmax' }),
    ],
  });
  await m.save(modelFiles(join(root, name)));
  m.dispose();
}

beforeAll(async () => {
  await selectBackend('cpu');
  await saveNet('net10', [28, 28, 1], 10);
  await saveNet('net3', [28, 28, 1], 3);
  await saveNet('rgb32', [32, 32, 3], 10);
  writeFileSync(
    join(root, 'my-model.mjs'),
    `export function build({ height, width, channels, labels, tf }) {
  return tf.sequential({ layers: [
    tf.layers.flatten({ inputShape: [height, width, channels] }),
    tf.layers.dense({ units: 32, activation: 'relu' }),
    tf.layers.dense({ units: labels, activation: 'sigmoid' }),
  ] });
}\n`,
  );
});

describe('run with a model of one’s own', () => {
  it('a saved Layers model, backbone frozen, new head: trains through workers, --save-models writes models the manifest lists and tf.loadLayersModel reads back to the saved predictions', async () => {
    const spec = suite('layers-probe', { layers: 'net3/model.json', freeze: 'backbone' });
    const out = join(root, 'layers-probe-out');
    const r = runCli(['run', spec, '--out', out, '--save-models', '--save-predictions', '--workers', '2']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const trials = readCsv(join(out, 'trials.csv'));
    expect(trials.map((t) => t.status)).toEqual(Array(6).fill('ok'));
    expect(new Set(trials.map((t) => t.model))).toEqual(new Set(['layers:model.json']));
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    // the resolved spec records the model as an absolute path with the SHA-256 of its files
    expect(manifest.spec.model).toMatchObject({ layers: join(root, 'net3', 'model.json'), freeze: 'backbone' });
    expect(manifest.spec.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    for (const t of trials) {
      for (const f of [`models/${t.trial}/model.json`, `models/${t.trial}/weights.bin`]) {
        expect(manifest.files).toContain(f);
        expect(existsSync(join(out, f)), f).toBe(true);
      }
    }
    // The first trial's saved model predicts its saved test scores.
    const loaded = loadSpec(spec);
    const trial = expandGrid(loaded).find((t) => t.id === trials[0].trial)!;
    const data = await datasetFor(trial);
    const model = await tfl.loadLayersModel(modelFiles(join(out, 'models', trial.id, 'model.json')));
    const { height, width, channels } = data.test;
    const n = data.test.labels.rows;
    const x = tf.tensor4d(Float32Array.from(data.test.images, (b) => b / 255), [n, height, width, channels]);
    const scores = model.predict(x) as tf.Tensor;
    const got = scores.dataSync();
    tf.dispose([x, scores]);
    model.dispose();
    const saved = readPredictions(join(out, 'predictions', `${trial.id}.csv`)).scores;
    expect(got.length).toBe(saved.length);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - saved[i]));
    expect(worst).toBeLessThan(1e-5);
  });

  it('a changed model file changes the trial ids', () => {
    const a = expandGrid(loadSpec(suite('ids-a', { layers: 'net10/model.json' }))).map((t) => t.id);
    const b = expandGrid(loadSpec(suite('ids-b', { layers: 'net3/model.json' }))).map((t) => t.id);
    expect(a).toHaveLength(6);
    expect(a.some((id) => b.includes(id))).toBe(false);
  });

  it('an ES module’s build, in this process: trains, and is named in the results', () => {
    const out = join(root, 'module-out');
    const r = runCli(['run', suite('module', { module: './my-model.mjs' }), '--out', out, '--workers', '1']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const trials = readCsv(join(out, 'trials.csv'));
    expect(trials.map((t) => t.status)).toEqual(Array(6).fill('ok'));
    expect(trials[0].model).toBe('module:my-model.mjs');
  });

  it('resnet, the built-in: trains on the smoke suite', () => {
    const out = join(root, 'resnet-out');
    const r = runCli(['run', suite('resnet', 'resnet', (s) => (s.seeds = [1])), '--out', out, '--workers', '1']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(readCsv(join(out, 'trials.csv')).map((t) => [t.model, t.status])).toEqual(Array(3).fill(['resnet', 'ok']));
  });
});

describe('a model that cannot be used stops the run: one line naming the spec and field, exit 2, nothing written', () => {
  beforeAll(() => {
    writeFileSync(join(root, 'not-json.json'), '{ "modelTopology": ');
    writeFileSync(join(root, 'no-topology.json'), JSON.stringify({ format: 'layers-model', weightsManifest: [] }));
    writeFileSync(join(root, 'bad-topology.json'), JSON.stringify({ modelTopology: { class_name: 'Nonsense', config: {} } }));
    mkdirSync(join(root, 'missing-weights'));
    writeFileSync(join(root, 'missing-weights', 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['gone.bin'], weights: [] }] }));
    writeFileSync(join(root, 'broken.mjs'), 'export function build( {\n');
    writeFileSync(join(root, 'nobuild.mjs'), 'export const model = 1;\n');
    writeFileSync(join(root, 'notmodel.mjs'), 'export function build() { return { predict() {} }; }\n');
  });

  const cases: Array<[string, unknown, RegExp, string[]?]> = [
    ['missing', { layers: 'nowhere/model.json' }, /: model\.layers: .*nowhere\/model\.json does not exist \(a relative path is relative to the spec file\)$/],
    ['not-json', { layers: 'not-json.json' }, /: model\.layers: .*not-json\.json: not a tfjs Layers model \(not JSON: /],
    ['no-topology', { layers: 'no-topology.json' }, /: model\.layers: .*no-topology\.json: not a tfjs Layers model \(no modelTopology/],
    ['missing-weights', { layers: 'missing-weights/model.json' }, /: model\.layers: .*its weight file .*gone\.bin does not exist$/],
    ['bad-topology', { layers: 'bad-topology.json' }, /: model\.layers: .*bad-topology\.json: not loadable as a tfjs Layers model \(/],
    ['module-missing', { module: './gone.mjs' }, /: model\.module: .*gone\.mjs does not exist/],
    ['module-broken', { module: './broken.mjs' }, /: model\.module: .*broken\.mjs: cannot be imported \(/],
    ['no-build', { module: './nobuild.mjs' }, /: model\.module: .*nobuild\.mjs: exports no build function/],
    ['not-a-model', { module: './notmodel.mjs' }, /: model\.module: .*notmodel\.mjs: build returned Object, not a tfjs LayersModel/],
    ['wrong-input', { layers: 'rgb32/model.json' }, /: model\.layers: .*rgb32\/model\.json: the model takes input 32×32×3 but the images are 28×28×1$/, ['--workers', '2']],
    ['keep-width', { layers: 'net3/model.json', head: 'keep' }, /: model\.layers: .*head "keep": the model outputs 3 values but the data has 10 labels \(use head "replace"\)$/],
    ['freeze-too-many', { layers: 'net10/model.json', freeze: 12 }, /: model\.freeze: 12 is more than the 5 layers of /],
    ['both', { layers: 'net10/model.json', module: './my-model.mjs' }, /: model: expected exactly one of layers .* or module/],
    ['bad-head', { layers: 'net10/model.json', head: 'new' }, /: model\.head: expected one of "replace", "keep", got "new"$/],
    ['unknown-name', 'vgg', /: model: expected one of "mlp", "cnn", "resnet", or an object/],
  ];
  for (const [name, model, message, flags] of cases) {
    it(name, () => {
      const spec = suite(`bad-${name}`, model);
      const out = join(root, `bad-${name}-out`);
      const r = runCli(['run', spec, '--out', out, ...(flags ?? ['--workers', '1'])]);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0].startsWith(`skewbench: ${spec}: model`), lines[0]).toBe(true);
      expect(lines[0]).toMatch(message);
      expect(r.stderr).not.toMatch(STACK);
      expect(r.stdout).not.toMatch(/\[1\/6\]/);
      expect(nothingIn(out)).toEqual([]);
    });
  }
});
