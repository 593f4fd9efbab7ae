import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeResults } from '../../src/experiment/merge.js';
import { runSuite } from '../../src/experiment/runner.js';
import { parseSpec } from '../../src/experiment/spec.js';
import { readManifest } from '../../src/report/manifest.js';

/* Saved predictions and models across --resume, reruns and merge: a folder never lists or mixes files of another run. */

const root = mkdtempSync(join(tmpdir(), 'skewbench-saved-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const spec = parseSpec(
  {
    name: 'saved',
    dataset: { name: 'shapes', options: { nMax: 20, testPerLabel: 6 } },
    skews: ['exponential:5'],
    model: 'mlp',
    train: { epochs: 1, batchSize: 16 },
    methods: [{ name: 'baseline' }],
    seeds: [1, 2],
    evaluation: { minTestPositives: 1 },
  },
  'saved.json',
);
const saved = (dir: string) => readManifest(dir).files.filter((f) => /^(models|predictions)\//.test(f)).sort();

describe('saved predictions and models', () => {
  it('--resume keeps listing the files its kept trials saved; a trial run again loses its old ones; merge takes only listed files', async () => {
    const out = join(root, 'run');
    const first = await runSuite(spec, { out, workers: 1, backend: 'wasm', saveModels: true, savePredictions: true });
    const ids = first.records.map((r) => r.trial).sort();
    const files = ids.flatMap((id) => [`models/${id}/model.json`, `models/${id}/weights.bin`, `predictions/${id}.csv`]).sort();
    expect(saved(out)).toEqual(files);

    await runSuite(spec, { out, workers: 1, backend: 'wasm', resume: true });
    expect(saved(out)).toEqual(files);

    // A stray model folder and predictions file (not of this run) are not merged.
    cpSync(join(out, 'models', ids[0]), join(out, 'models', 'stray'), { recursive: true });
    cpSync(join(out, 'predictions', `${ids[0]}.csv`), join(out, 'predictions', 'stray.csv'));
    const merged = join(root, 'merged');
    await mergeResults([out], merged);
    expect(saved(merged)).toEqual(files);
    expect(existsSync(join(merged, 'models', 'stray'))).toBe(false);
    expect(existsSync(join(merged, 'predictions', 'stray.csv'))).toBe(false);

    // Run again without saving: the old files of the trials that ran are gone, not left beside new results.
    await runSuite(spec, { out, workers: 1, backend: 'wasm' });
    expect(saved(out)).toEqual([]);
    for (const id of ids) {
      expect(existsSync(join(out, 'models', id))).toBe(false);
      expect(existsSync(join(out, 'predictions', `${id}.csv`))).toBe(false);
    }
  });
});
