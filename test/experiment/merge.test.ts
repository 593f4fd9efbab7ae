import { appendFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { mergeRecords, mergeResults } from '../../src/experiment/merge.js';
import { parseSpec } from '../../src/experiment/spec.js';
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

describe('mergeResults refuses what would mix runs', () => {
  it('shards of different suites, naming the folder', async () => {
    const other = join(root, 'other-suite');
    const spec = parseSpec({ ...smallSpec(), name: 'tiny', seeds: [1, 2, 3, 4] }, 'tiny.json');
    writeResults(other, [{ ...evaluatedRecord('baseline', 2), index: 2 }], { spec, startedAt: new Date(0), finishedAt: new Date(1000), predictions: [], commit: 'aaaaaaa' });
    const out = join(root, 'suites');
    await expect(mergeResults([shard('s1', 1, 'aaaaaaa'), other], out)).rejects.toThrow(/other-suite: its suite spec differs from .*s1's; only shards of one suite can be merged/);
    expect(existsSync(join(out, 'trials.csv'))).toBe(false);
  });

  it('the same trial on different data in two folders, naming the trial and both fingerprints', () => {
    const a = { ...evaluatedRecord('baseline', 1), index: 1, dataFingerprint: '1111111111111111' };
    const b = { ...a, dataFingerprint: '2222222222222222' };
    expect(() => mergeRecords([{ dir: 'x', records: [a] }, { dir: 'y', records: [b] }])).toThrow(
      new RegExp(`trial ${a.trial} \\(baseline, exponential:10, seed 1\\) ran on data 1111111111111111 in x but 2222222222222222 in y`),
    );
    expect(mergeRecords([{ dir: 'x', records: [a] }, { dir: 'y', records: [{ ...a }] }])).toHaveLength(1);
  });

  it('a folder whose tables do not match its manifest, writing nothing', async () => {
    const tampered = shard('t2', 2, 'aaaaaaa');
    appendFileSync(join(tampered, 'per_label.csv'), '');
    appendFileSync(join(tampered, 'summary.csv'), '\n');
    const out = join(root, 'tampered');
    await expect(mergeResults([shard('t1', 1, 'aaaaaaa'), tampered], out)).rejects.toThrow(/t2\/summary\.csv: does not match .*manifest\.json/);
    expect(existsSync(join(out, 'trials.csv'))).toBe(false);
  });
});
