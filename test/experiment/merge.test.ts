import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { mergeResults } from '../../src/experiment/merge.js';
import { readManifest } from '../../src/report/manifest.js';
import { writeResults } from '../../src/report/results.js';
import { evaluatedRecord, smallSpec } from '../report/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'skewbench-merge-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A results folder holding one trial of the small spec, run from `commit`. */
function shard(name: string, seed: number, commit: string | null): string {
  const dir = join(root, name);
  const record = { ...evaluatedRecord('baseline', seed), index: seed };
  writeResults(dir, [record], { spec: smallSpec(), startedAt: new Date(0), finishedAt: new Date(1000), predictions: [], commit });
  return dir;
}

describe('mergeResults and the shards’ commit', () => {
  it('keeps the commit the shards ran from, not the merger’s', async () => {
    const out = join(root, 'same');
    await mergeResults([shard('a1', 1, 'aaaaaaa'), shard('a2', 2, 'aaaaaaa')], out);
    expect(readManifest(out).skewbench.commit).toBe('aaaaaaa');
  });

  it('refuses shards from different commits, naming both, unless told to allow it', async () => {
    const dirs = [shard('b1', 1, 'aaaaaaa'), shard('b2', 2, 'bbbbbbb')];
    const out = join(root, 'mixed');
    await expect(mergeResults(dirs, out)).rejects.toThrow(InputError);
    await expect(mergeResults(dirs, out)).rejects.toThrow(/b2: run from commit bbbbbbb, but .*b1 from aaaaaaa; .*--allow-mixed-commits/);
    await mergeResults(dirs, out, { allowMixedCommits: true });
    expect(readManifest(out).skewbench.commit).toBeNull();
  });
});
