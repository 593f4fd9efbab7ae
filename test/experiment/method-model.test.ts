import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandGrid } from '../../src/experiment/grid.js';
import { loadSpec } from '../../src/experiment/spec.js';
import { runTrial } from '../../src/experiment/trial.js';
import { createModel } from '../../src/train/create-model.js';
import { selectBackend, type BackendChoice } from '../../src/train/index.js';
import { modelFiles } from '../../src/train/model-files.js';
import type { LayersFileModel } from '../../src/train/names.js';
import { runCli } from '../cli/run-cli.js';
import { writeTinySpec } from './tiny-spec.js';

/* methods[].model (one backbone from scratch, as a linear probe and fine-tuned, in one suite) and pretrained: false. */

const dir = mkdtempSync(join(tmpdir(), 'skewbench-method-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let backend: BackendChoice;

const specFile = (name: string, methods: unknown[], model: unknown = 'mlp'): string => writeTinySpec(dir, name, model, methods);

const net = { layers: 'net/model.json' };

beforeAll(async () => {
  backend = await selectBackend('wasm');
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 6, activation: 'relu' }),
      tfl.layers.dense({ units: 10 }),
    ],
  });
  await m.save(modelFiles(join(dir, 'net')));
  m.dispose();
});

describe('a method’s own model', () => {
  it('stands in for the suite’s in that method’s trials only; the other trials keep their ids', () => {
    const plain = expandGrid(loadSpec(specFile('plain', [{ name: 'baseline' }])));
    const spec = loadSpec(
      specFile('mixed', [
        { name: 'baseline' },
        { name: 'probe', model: { ...net, freeze: 'backbone', head: 'replace' } },
        { name: 'scratch', model: { ...net, pretrained: false } },
      ]),
    );
    const trials = expandGrid(spec);
    expect(trials.map((t) => [t.method.name, typeof t.model === 'string' ? t.model : (t.model as LayersFileModel).layers, t.modelField])).toEqual([
      ['baseline', 'mlp', 'model'],
      ['probe', join(dir, 'net/model.json'), 'methods[1].model'],
      ['scratch', join(dir, 'net/model.json'), 'methods[2].model'],
    ]);
    expect(trials[0].id).toBe(plain[0].id);
    expect((trials[1].model as LayersFileModel).sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(trials.map((t) => t.id)).size).toBe(3);
  });

  it('is checked where it is written: a missing file or a misplaced option names methods[i].model', () => {
    expect(() => loadSpec(specFile('missing', [{ name: 'baseline' }, { name: 'x', model: { layers: 'nope/model.json' } }]))).toThrow(/missing\.json: methods\[1\]\.model\.layers: .*nope\/model\.json does not exist/);
    expect(() => loadSpec(specFile('module', [{ name: 'baseline' }, { name: 'x', model: { module: './m.mjs', pretrained: false } }]))).toThrow(/methods\[1\]\.model\.pretrained: only a layers model has weights to load/);
  });

  it('a model that does not fit the data stops the trial naming methods[i].model', async () => {
    const file = join(dir, 'small');
    const m = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [8, 8, 3] }), tfl.layers.dense({ units: 10 })] });
    await m.save(modelFiles(file));
    m.dispose();
    const spec = loadSpec(specFile('misfit', [{ name: 'baseline' }, { name: 'small', model: { layers: 'small/model.json' } }]));
    const trial = expandGrid(spec).find((t) => t.method.name === 'small')!;
    await expect(runTrial({ ...trial, specFile: 'misfit.json' }, backend)).rejects.toThrow(/^misfit\.json: methods\[1\]\.model\.layers: .*takes input 8×8×3 but the images are 28×28×1/);
  });
});

describe('a method’s model that does not fit the data', () => {
  for (const workers of ['1', '2']) {
    it(`stops the run before any trial trains, naming methods[i].model (--workers ${workers})`, async () => {
      const file = join(dir, 'small3');
      const m = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [8, 8, 3] }), tfl.layers.dense({ units: 10 })] });
      await m.save(modelFiles(file));
      m.dispose();
      const spec = specFile(`misfit-${workers}`, [{ name: 'baseline' }, { name: 'small', model: { layers: 'small3/model.json' } }]);
      const out = join(dir, `misfit-out-${workers}`);
      const r = runCli(['run', spec, '--out', out, '--workers', workers]);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      const lines = r.stderr.trim().split('\n').filter((l) => !/^(backend|notice:) /.test(l));
      expect(lines).toEqual([expect.stringMatching(/misfit-\d\.json: methods\[1\]\.model\.layers: .*takes input 8×8×3 but the images are 28×28×1$/)]);
      // No trial finished (the baseline, first in line, never trained), and nothing was written.
      expect(r.stdout + r.stderr).not.toMatch(/\[1\/2\]/);
      expect(existsSync(join(out, 'trials.csv'))).toBe(false);
    });
  }
});

describe('pretrained: false', () => {
  it('keeps the file’s topology but draws every weight from the seed: the same seed, the same weights, none of them the file’s', async () => {
    const options = { height: 28, width: 28, channels: 1, labels: 10 };
    const path = join(dir, 'net/model.json');
    const loaded = await createModel({ layers: path, freeze: 'none', sha256: '' }, { ...options, seed: 1 });
    const a = await createModel({ layers: path, freeze: 'none', sha256: '', pretrained: false }, { ...options, seed: 1 });
    const b = await createModel({ layers: path, freeze: 'none', sha256: '', pretrained: false }, { ...options, seed: 1 });
    const c = await createModel({ layers: path, freeze: 'none', sha256: '', pretrained: false }, { ...options, seed: 2 });
    const values = (m: typeof a) => m.variables.map((v) => Array.from(v.dataSync()));
    expect(values(a).map((v) => v.length)).toEqual(values(loaded).map((v) => v.length));
    expect(values(a)).toEqual(values(b));
    expect(values(a)[0]).not.toEqual(values(c)[0]);
    expect(values(a)[0]).not.toEqual(values(loaded)[0]);
    for (const m of [loaded, a, b, c]) m.dispose();
  });

  it('starts biases and BatchNorm statistics at their layers’ constants, not at values drawn like the file’s trained ones', async () => {
    const m = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 3, kernelSize: 3, padding: 'same' }),
        tfl.layers.batchNormalization({}),
        tfl.layers.globalAveragePooling2d({}),
        tfl.layers.dense({ units: 10 }),
      ],
    });
    // As a trained file would hold them: biases, gamma, beta and the moving statistics far from their starts.
    m.setWeights(m.getWeights().map((w, i) => tf.tidy(() => (w.rank === 1 ? tf.fill(w.shape, 0.5 + i) : w))));
    await m.save(modelFiles(join(dir, 'trained-bn')));
    m.dispose();
    const model = await createModel({ layers: join(dir, 'trained-bn/model.json'), freeze: 'none', sha256: '', pretrained: false }, { height: 28, width: 28, channels: 1, labels: 10, seed: 1 });
    const x = tf.ones([2, 28, 28, 1]) as tf.Tensor4D;
    const logits = model.logits(x);
    expect(Array.from(logits.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, logits]);
    const saved = model.exportLayers();
    const named = Object.fromEntries(saved.model.weights.filter((w) => w.shape.length === 1 && w.shape[0] === 3).map((w) => [w.originalName.split('/').pop(), Array.from(w.read().dataSync())]));
    expect(named).toEqual({ bias: [0, 0, 0], gamma: [1, 1, 1], beta: [0, 0, 0], moving_mean: [0, 0, 0], moving_variance: [1, 1, 1] });
    saved.dispose();
    model.dispose();
  });

  it('a trial from scratch and one from the file learn different things on the same data', async () => {
    const spec = loadSpec(specFile('both', [{ name: 'baseline', model: net }, { name: 'scratch', model: { ...net, pretrained: false } }]));
    const [pre, scratch] = expandGrid(spec);
    const before = tf.memory().numTensors;
    const a = (await runTrial(pre, backend)).record;
    const b = (await runTrial(scratch, backend)).record;
    expect(tf.memory().numTensors).toBe(before);
    expect([a.status, b.status]).toEqual(['ok', 'ok']);
    expect(a.finalLoss).not.toBe(b.finalLoss);
  });
});
