import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { parse } from 'csv-parse/sync';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../src/report/manifest.js';
import { readPredictions } from '../../src/report/predictions.js';
import { selectBackend } from '../../src/train/backend.js';
import { modelFiles } from '../../src/train/model-files.js';
import { runCli } from './run-cli.js';

/*
 * Your own data and your own model, end to end: a folder of RGB pictures and a labels CSV with no
 * other preparation, skew natural and the stratified split; a tfjs Layers model from disk as a frozen
 * backbone with a new head (the suite's model) and the built-in resnet (a method's own model); the
 * models --save-models writes load with tf.loadLayersModel and give the saved test scores again,
 * image by image, read back from the files the predictions name.
 */

const root = mkdtempSync(join(tmpdir(), 'skewbench-own-data-model-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { SKEWBENCH_CACHE_DIR: join(root, 'cache') };
const SIDE = 12;
const COLOURS = { red: [230, 30, 30], green: [30, 220, 40], blue: [40, 50, 235] } as const;
const readCsv = (path: string): Array<Record<string, string>> => parse(readFileSync(path, 'utf8'), { columns: true });

beforeAll(async () => {
  const dir = join(root, 'pictures');
  mkdirSync(dir);
  const lines = ['file,labels'];
  for (let i = 0; i < 96; i++) {
    // Each picture: a grey background and a 4×4 square of each colour it is labelled with; blue is rare.
    const names = (['red', 'green', 'blue'] as const).filter((_, c) => (c === 2 ? i % 4 === 0 : (i >> c) % 2 === 0 || i % 3 === c));
    const pixels = Buffer.alloc(SIDE * SIDE * 3, 90 + (i % 7) * 5);
    names.forEach((name, k) => {
      for (let y = 1 + 4 * k; y < 4 + 4 * k; y++) for (let x = 2 + (i % 5); x < 6 + (i % 5); x++) pixels.set(COLOURS[name], (y * SIDE + x) * 3);
    });
    const file = `pic-${String(i).padStart(3, '0')}.png`;
    await sharp(pixels, { raw: { width: SIDE, height: SIDE, channels: 3 } }).png().toFile(join(dir, file));
    lines.push(`${file},${names.join('|')}`);
  }
  writeFileSync(join(dir, 'labels.csv'), `${lines.join('\n')}\n`);

  // "Someone else's" pretrained network, saved as model.save('file://…') would: conv → pool → dense 5.
  await selectBackend('cpu');
  const net = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [null, null, 3] as unknown as number[], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 5, activation: 'softmax' }),
    ],
  });
  await net.save(modelFiles(join(root, 'their-net')));
  net.dispose();

  writeFileSync(
    join(root, 'own.json'),
    JSON.stringify({
      name: 'own',
      dataset: { name: 'folder', options: { dir: 'pictures' } },
      skews: ['natural'],
      model: { layers: 'their-net/model.json', freeze: 'backbone' },
      train: { epochs: 2, batchSize: 16, learningRate: 0.01 },
      methods: [{ name: 'baseline' }, { name: 'resnet', model: 'resnet' }],
      seeds: [1],
      evaluation: { minTestPositives: 1 },
    }),
  );
});

describe('a folder of RGB pictures and a model of one’s own, end to end', () => {
  it('runs with skew natural and the stratified split, a frozen loaded backbone with a new head and resnet; saved models predict the saved scores', async () => {
    const out = join(root, 'out');
    const r = runCli(['run', join(root, 'own.json'), '--out', out, '--save-models', '--save-predictions', '--workers', '1'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const trials = readCsv(join(out, 'trials.csv'));
    expect(trials.map((t) => [t.method, t.model, t.status])).toEqual([
      ['baseline', 'layers:model.json', 'ok'],
      ['resnet', 'resnet', 'ok'],
    ]);
    const manifest = readManifest(out);
    // Every picture is used (natural), split 0.7 / 0.1 / 0.2 by label, the rare label in every split.
    const splits = manifest.data!.splits!;
    const total = (s: 'train' | 'val' | 'test') => splits[s];
    expect(total('test').blue).toBeGreaterThan(0);
    expect(total('train').blue + total('val').blue + total('test').blue).toBe(24);
    expect(manifest.spec.model).toMatchObject({ layers: join(root, 'their-net', 'model.json'), freeze: 'backbone' });

    await selectBackend('cpu');
    for (const t of trials) {
      const saved = readPredictions(join(out, 'predictions', `${t.trial}.csv`));
      const ids = readCsv(join(out, 'predictions', `${t.trial}.csv`)).map((row) => row.image);
      expect(ids.length).toBe(saved.truth.rows);
      // The pictures the predictions name, decoded afresh (they are already 12×12 RGB, so the bytes are the file's).
      const pixels = new Float32Array(ids.length * SIDE * SIDE * 3);
      for (const [k, id] of ids.entries()) {
        const raw = await sharp(join(root, 'pictures', id)).removeAlpha().raw().toBuffer();
        pixels.set(Float32Array.from(raw, (b) => b / 255), k * SIDE * SIDE * 3);
      }
      const model = await tfl.loadLayersModel(modelFiles(join(out, 'models', t.trial, 'model.json')));
      const x = tf.tensor4d(pixels, [ids.length, SIDE, SIDE, 3]);
      const scores = model.predict(x) as tf.Tensor;
      const got = scores.dataSync();
      tf.dispose([x, scores]);
      model.dispose();
      expect(got.length).toBe(saved.scores.length);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - saved.scores[i]));
      expect(worst, t.method).toBeLessThan(1e-5);
    }
  });
});
