import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { datasetSpec } from '../../src/cli/dataset.js';
import { describeDataset } from '../../src/data/describe.js';
import { formatDataset } from '../../src/report/dataset.js';
import { previewSheet } from '../../src/data/preview.js';
import { renderContactSheet } from '../../src/report/preview.js';
import { buildDataset, type Dataset } from '../../src/data/build.js';
import { datasetHash } from '../../src/data/hash.js';
import { parseSkew } from '../../src/data/skew.js';
import { CLI_ENTRY } from '../cli/run-cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let d: Dataset;
beforeAll(async () => {
  await tf.setBackend('cpu');
  d = await buildDataset({ name: 'shapes', options: { nMax: 20, testPerLabel: 5 } }, parseSkew('step:0.3:4'), 2);
});

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI_ENTRY, ...args], { cwd: root, encoding: 'utf8' });
}

describe('dataset command', () => {
  it('reads -o key=value pairs as JSON where they parse, as strings otherwise', () => {
    expect(datasetSpec('folder', { skew: 'uniform', seed: '1', option: ['nMax=30', 'labels=my labels.csv', 'augmentations=["zoom"]'], dir: 'imgs' })).toEqual({
      name: 'folder',
      options: { nMax: 30, labels: 'my labels.csv', augmentations: ['zoom'], dir: 'imgs' },
    });
  });

  it('prints counts with targets for train, and hashes of every split, as JSON', () => {
    const json = describeDataset(d);
    expect(json.dataset).toBe('shapes');
    expect(json.skew).toBe('step:0.3:4');
    expect(json.seed).toBe(2);
    expect(json.splits.train.labels.map((l) => l.count)).toEqual(d.targets);
    expect(json.splits.train.labels.map((l) => l.target)).toEqual(d.targets);
    expect(json.splits.test.labels.every((l) => l.count === 5 && l.target === undefined)).toBe(true);
    expect(json.splits.val.hash).toBe(datasetHash(d.val));
    expect(json.splits.val.images).toBe(d.val.labels.rows);
  });

  it('shows a per-label table and the label stats of each split', () => {
    const text = formatDataset(d, describeDataset(d));
    expect(text).toContain('shapes, skew step:0.3:4, seed 2: 28×28×1 images');
    expect(text).toMatch(/label\s+│\s+train\s+│\s+target\s+│\s+val\s+│\s+test/);
    expect(text).toMatch(/MeanIR/);
    expect(text).toContain(datasetHash(d.test).slice(0, 12));
  });

  it('exits 2 with one line naming the problem', () => {
    const unknown = cli('dataset', 'cifar');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toEqual(['skewbench: unknown dataset "cifar" (expected one of fashion-mosaic, digits-mosaic, mixed-mosaic, shapes, folder)']);
  });
});

describe('preview', () => {
  it('renders a PNG contact sheet: sample rows, then originals beside their copies', async () => {
    const png = await renderContactSheet(previewSheet(d, { samples: 6, copies: 3, seed: 1 }), 2);
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    // 6 columns of 56 px + gaps; two sections.
    expect(meta.width).toBe(6 + 6 * (56 + 6));
    expect(meta.height).toBeGreaterThan(2 * 56);
  });
});
