import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../src/report/manifest.js';
import { readPredictions } from '../../src/report/predictions.js';
import { runCli } from './run-cli.js';

/*
 * Your own data as it is: a folder of colour images of another aspect ratio and a labels CSV, no
 * other preparation; `dataset` shows the split, `run` trains on it with skew natural.
 */

const root = mkdtempSync(join(tmpdir(), 'skewbench-own-data-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { SKEWBENCH_CACHE_DIR: join(root, 'cache') };
const N = 120;

beforeAll(async () => {
  const photos = join(root, 'photos');
  mkdirSync(photos);
  const lines = ['file,labels'];
  for (let i = 0; i < N; i++) {
    const file = `shot-${i}.png`;
    await sharp({ create: { width: 14, height: 10, channels: 3, background: { r: (i * 37) % 256, g: 90, b: (i * 11) % 256 } } })
      .png()
      .toFile(join(photos, file));
    lines.push(`${file},${['sea', ...(i % 2 === 0 ? ['sky'] : []), ...(i % 4 === 1 ? ['boat'] : [])].join('|')}`);
  }
  writeFileSync(join(photos, 'labels.csv'), lines.join('\n') + '\n');
  const spec = {
    name: 'own',
    dataset: { name: 'folder', options: { dir: 'photos', height: 8, width: 12, fit: 'contain' } },
    skews: ['natural'],
    model: 'mlp',
    train: { budget: 'steps', epochs: 2, batchSize: 32, learningRate: 0.003 },
    methods: [{ name: 'baseline' }],
    seeds: [1],
  };
  writeFileSync(join(root, 'own.json'), JSON.stringify(spec, null, 2));
});

describe('a folder with a labels CSV and nothing else', () => {
  it('dataset shows the stratified split, every image used, at the detected channels', () => {
    const r = runCli(['dataset', 'folder', '--dir', join(root, 'photos'), '-o', 'height=8', '-o', 'width=12', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.skew).toBe('natural');
    expect(json.split).toMatch(/stratified by label, 0\.7 \/ 0\.1 \/ 0\.2/);
    expect(json.splits.train.images + json.splits.val.images + json.splits.test.images).toBe(N);
    const text = runCli(['dataset', 'folder', '--dir', join(root, 'photos'), '-o', 'height=8', '-o', 'width=12'], { env });
    expect(text.stdout).toContain('8×12×3 images');
    expect(text.stdout).toMatch(/skew natural: every image of every split, test as it is/);
  });

  it('run trains with skew natural: exit 0, the split in the manifest, predictions named by file', () => {
    const out = join(root, 'results');
    const r = runCli(['run', join(root, 'own.json'), '--out', out, '--workers', '1', '--save-predictions'], { env, timeout: 240_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const manifest = readManifest(out);
    const splits = manifest.data!.splits;
    expect(Object.keys(splits.train).sort()).toEqual(['boat', 'sea', 'sky']);
    expect(splits.train.sea + splits.val.sea + splits.test.sea).toBe(N);
    expect(splits.test.boat).toBeGreaterThanOrEqual(5);
    const [file] = readdirSync(join(out, 'predictions'));
    const { truth } = readPredictions(join(out, 'predictions', file));
    expect(truth.rows).toBe(splits.test.sea);
    for (const id of truth.ids!) expect(id).toMatch(/^shot-\d+\.png$/);
    const perLabel = readFileSync(join(out, 'per_label.csv'), 'utf8');
    expect(perLabel).toContain('boat');
  });

  it('a split column without test images of a label: one line, exit 2, before training', async () => {
    const photos = join(root, 'photos');
    const csv = readFileSync(join(photos, 'labels.csv'), 'utf8').trim().split('\n');
    const given = [
      `${csv[0]},split`,
      ...csv.slice(1).map((line, i) => {
        const split = i % 5 === 4 ? 'test' : 'train';
        return `${split === 'test' ? line.replace('|boat', '') : line},${split}`;
      }),
    ];
    writeFileSync(join(photos, 'given.csv'), given.join('\n') + '\n');
    const spec = JSON.parse(readFileSync(join(root, 'own.json'), 'utf8'));
    spec.dataset.options.labels = 'photos/given.csv';
    writeFileSync(join(root, 'given.json'), JSON.stringify(spec));
    const r = runCli(['run', join(root, 'given.json'), '--out', join(root, 'given-out'), '--workers', '1'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^skewbench: .*given\.csv: label "boat" has no test images in the split column \(\d+ images, none marked test\): mark some of its images test, or remove the label$/)]);
  });
});
