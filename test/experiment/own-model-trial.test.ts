import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandGrid } from '../../src/experiment/grid.js';
import { loadSpec } from '../../src/experiment/spec.js';
import { lastDataCache, runTrial, saveTrainedModel } from '../../src/experiment/trial.js';
import { selectBackend, type BackendChoice } from '../../src/train/index.js';
import { modelFiles } from '../../src/train/model-files.js';
import { writeTinySpec } from './tiny-spec.js';

/* Trials of the new model kinds leave tf.memory().numTensors where they found it, cRT included. */

const dir = mkdtempSync(join(tmpdir(), 'skewbench-own-trial-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let backend: BackendChoice;

const specWith = (name: string, model: unknown): string => writeTinySpec(dir, name, model, [{ name: 'baseline' }, { name: 'crt', crt: { steps: 3 } }]);

beforeAll(async () => {
  backend = await selectBackend('wasm');
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tfl.layers.batchNormalization({}),
      tfl.layers.flatten(),
      tfl.layers.dropout({ rate: 0.2 }),
      tfl.layers.dense({ units: 10 }),
    ],
  });
  await m.save(modelFiles(join(dir, 'net')));
  m.dispose();
  writeFileSync(join(dir, 'built.mjs'), 'export const build = ({ height, width, channels, labels, tf }) => tf.sequential({ layers: [tf.layers.flatten({ inputShape: [height, width, channels] }), tf.layers.dense({ units: labels })] });\n');
});

describe('trials of the new model kinds', () => {
  const models: Array<[string, unknown]> = [
    ['resnet', 'resnet'],
    ['layers', { layers: 'net/model.json' }],
    ['layers-probe', { layers: 'net/model.json', freeze: 'backbone', head: 'replace' }],
    ['module', { module: './built.mjs' }],
  ];
  for (const [name, model] of models) {
    it(`${name}: trains, re-trains its head (cRT), saves itself, and leaves no tensor behind`, async () => {
      const trials = expandGrid(loadSpec(specWith(name, model)));
      const data = lastDataCache();
      for (const trial of trials) {
        const before = tf.memory().numTensors;
        const out = join(dir, `${name}-out`);
        const { record } = await runTrial(trial, backend, data, { trained: (m) => saveTrainedModel(out, trial.id, m) });
        expect(tf.memory().numTensors).toBe(before);
        expect(record.status, record.reason ?? '').toBe('ok');
        expect(existsSync(join(out, 'models', trial.id, 'model.json'))).toBe(true);
        expect(existsSync(join(out, 'models', trial.id, 'weights.bin'))).toBe(true);
      }
    });
  }

  it('a model that cannot be saved fails its trial with the reason, and no predictions come back', async () => {
    const [trial] = expandGrid(loadSpec(specWith('unsaved', 'mlp')));
    writeFileSync(join(dir, 'a-file'), '');
    const before = tf.memory().numTensors;
    const { record, predictions } = await runTrial(trial, backend, undefined, { trained: (m) => saveTrainedModel(join(dir, 'a-file'), trial.id, m) });
    expect(tf.memory().numTensors).toBe(before);
    expect(record.status).toBe('failed');
    expect(record.reason).toMatch(/ENOTDIR|not a directory/);
    expect(predictions).toBeUndefined();
  });
});
