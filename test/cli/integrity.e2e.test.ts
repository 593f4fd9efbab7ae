import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

/*
 * Run integrity: results know their data, one writer per folder, all-or-nothing outputs, mistakes
 * found before training. Each case below lost or mixed results silently before.
 */
const root = mkdtempSync(join(tmpdir(), 'skewbench-integrity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const LABELS = ['ant', 'bee', 'cat'];
const images = join(root, 'suite', 'images');
const specFile = join(root, 'suite', 'folder.json');

/** 150 tiny greyscale PNGs, each with one or two of three labels, and a spec beside them (relative dir). */
beforeAll(async () => {
  mkdirSync(images, { recursive: true });
  const rows = ['image,labels'];
  for (let i = 0; i < 150; i++) {
    const grey = (i * 37) % 256;
    await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: grey, g: grey, b: grey } } }).png().toFile(join(images, `img${i}.png`));
    const labels = [LABELS[i % 3], ...(i % 5 === 0 ? [LABELS[(i + 1) % 3]] : [])];
    rows.push(`img${i}.png,${labels.join('|')}`);
  }
  writeFileSync(join(images, 'labels.csv'), rows.join('\n') + '\n');
  writeFileSync(
    specFile,
    JSON.stringify({
      name: 'folder-integrity',
      dataset: { name: 'folder', options: { dir: 'images', size: 8, testPerLabel: 5, valFraction: 0.5 } },
      skews: ['uniform'],
      model: 'mlp',
      train: { epochs: 1, batchSize: 16 },
      methods: [{ name: 'baseline' }],
      seeds: [1, 2],
    }),
  );
}, 60_000);

const run = (out: string, ...flags: string[]) => runCli(['run', specFile, '--out', out, '--workers', '1', ...flags]);

describe('results know their data', () => {
  it('a relative folder dir resolves against the spec file, and each trial records its data fingerprint', () => {
    const out = join(root, 'fp');
    const r = run(out);
    expect(r.code, r.stderr).toBe(0);
    const header = readFileSync(join(out, 'trials.csv'), 'utf8').split('\n')[0].split(',');
    const column = header.indexOf('data_fingerprint');
    const cells = readFileSync(join(out, 'trials.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[column]);
    expect(cells.every((c) => /^[0-9a-f]{16}$/.test(c))).toBe(true);
    expect(new Set(cells).size).toBe(2); // one per seed
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.trials.map((t: { dataFingerprint: string }) => t.dataFingerprint)).toEqual(cells);
  });

  it('--resume reruns the trials whose labels changed since, and says so', () => {
    const out = join(root, 'resume');
    expect(run(out).code).toBe(0);
    const csv = join(images, 'labels.csv');
    const original = readFileSync(csv, 'utf8');
    try {
      writeFileSync(csv, original.replace('img3.png,ant', 'img3.png,ant|bee'));
      const r = run(out, '--resume');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/resuming: 0 of 2 trials already finished; 2 finished on data that has changed since, so they run again/);
      expect(r.stdout).toMatch(/\[2\/2\]/);
    } finally {
      writeFileSync(csv, original);
    }
  });
});

describe('merge and compare refuse mixed data', () => {
  it('shards run on different labels are refused by merge; an incomplete set needs --partial; compare refuses different data', () => {
    const one = join(root, 'shard1');
    const two = join(root, 'shard2');
    const base = join(root, 'base');
    expect(run(one, '--shard', '1/2').code).toBe(0);
    expect(run(base).code).toBe(0);
    const partial = runCli(['merge', one, '--out', join(root, 'merged-partial')]);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toMatch(/merge: shard 2 of 2 missing \(have 1\); merge them all, or pass --partial/);
    expect(runCli(['merge', one, '--out', join(root, 'merged-partial'), '--partial']).code).toBe(0);

    const csv = join(images, 'labels.csv');
    const original = readFileSync(csv, 'utf8');
    try {
      writeFileSync(csv, original.replace('img3.png,ant', 'img3.png,ant|bee'));
      expect(run(two, '--shard', '2/2').code).toBe(0);
      const edited = join(root, 'edited');
      expect(run(edited).code).toBe(0);
      const merged = runCli(['merge', one, two, '--out', join(root, 'merged')]);
      expect(merged.code).toBe(2);
      expect(merged.stderr).toMatch(/shard2: its data \(source [0-9a-f]{16}\) differs from .*shard1's .*: the data changed between shards/);
      expect(existsSync(join(root, 'merged', 'trials.csv'))).toBe(false);

      const compare = runCli(['compare', base, edited]);
      expect(compare.code).toBe(2);
      expect(compare.stderr).toMatch(/ran on different data \(images uniform seed 1: [0-9a-f]{16} vs [0-9a-f]{16}\); .*--allow-data-change/);
      expect(compare.stdout).toBe('');
      // Gated (0 or 1), or inconclusive (3) when the run has fewer seeds than the gate needs.
      expect([0, 1, 3]).toContain(runCli(['compare', base, edited, '--allow-data-change']).code);
    } finally {
      writeFileSync(csv, original);
    }
    // Four runs and five merges or comparisons: about 30 s alone, longer beside other test files.
  }, 180_000);

  it('a folder dataset is named after its folder in every table', () => {
    const dataset = readFileSync(join(root, 'base', 'trials.csv'), 'utf8').split('\n')[1].split(',')[3];
    expect(dataset).toBe('images');
  });
});

describe('one writer per results folder', () => {
  it('a second run into a folder another live run holds exits 2 naming the holder', () => {
    const out = join(root, 'locked');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, '.lock'), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const r = run(out);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`another run is writing here \\(pid ${process.pid} on ${hostname()}`));
    expect(existsSync(join(out, 'trials.csv'))).toBe(false);
  });

  it('a lock left by a process that is gone is taken over with a notice', () => {
    const out = join(root, 'stale');
    mkdirSync(out, { recursive: true });
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(out, '.lock'), JSON.stringify({ pid: Number(gone), host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const r = run(out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/taking over the lock of a run that is gone/);
    expect(existsSync(join(out, '.lock'))).toBe(false);
  });
});

describe('all-or-nothing results', () => {
  it('an output location that cannot be written is one line, exit 2, before any training', () => {
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const r = run(join(blocker, 'out'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^skewbench: cannot create the results folder .*a-file\/out: a part of the path is a file, not a folder\n$/);
    expect(r.stdout).not.toMatch(/\[1\/2\]/);
  });

  it('a write that fails after training is one line naming the file; the journal lets --resume finish', () => {
    const out = join(root, 'fault');
    // A folder where per_label.csv must go: the rename onto it fails, as a full disk would.
    mkdirSync(join(out, 'per_label.csv', 'x'), { recursive: true });
    const r = run(out);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(r.stderr).toMatch(/^skewbench: cannot write .*fault\/per_label\.csv: .*rerun with --resume\)\n$/);
    expect(readdirSync(join(out, '.trials')).filter((n) => n.endsWith('.json'))).toHaveLength(2);
    expect(existsSync(join(out, 'manifest.json'))).toBe(false);
    rmSync(join(out, 'per_label.csv'), { recursive: true });
    const resumed = run(out, '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/resuming: 2 of 2 trials already finished/);
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
  });

  it('report, compare, merge and --resume refuse a folder whose tables are not the ones its manifest lists', () => {
    const out = join(root, 'mixed');
    expect(run(out).code).toBe(0);
    const file = join(out, 'per_label.csv');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[1] = lines[1].replace(/,(\d+),(\d+),(\d+)$/, (_m, tp, fp, fn) => `,${tp},${fp},${Number(fn) + 0}`).replace(/,0\.(\d)/, ',0.9$1');
    writeFileSync(file, lines.join('\n'));
    for (const args of [['report', out], ['compare', out, out], ['merge', out, '--out', join(root, 'mixed-merged')], ['run', specFile, '--out', out, '--workers', '1', '--resume']]) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/per_label\.csv: does not match .*manifest\.json/);
      expect(r.stdout).toBe('');
    }
  });
});

describe('mistakes found before any work', () => {
  it('a typo in the second skew and an edited journal entry are reported at once', () => {
    const bad = join(root, 'suite', 'bad-skew.json');
    writeFileSync(bad, readFileSync(specFile, 'utf8').replace('["uniform"]', '["uniform", "exponental:10"]'));
    const r = runCli(['run', bad, '--out', join(root, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-skew\.json: skews\[1\]: /);
    expect(r.stdout).toBe('');

    const out = join(root, 'journal');
    expect(run(out).code).toBe(0);
    mkdirSync(join(out, '.trials'), { recursive: true });
    const trial = readFileSync(join(out, 'trials.csv'), 'utf8').split('\n')[1].split(',')[0];
    writeFileSync(join(out, '.trials', `${trial}.json`), JSON.stringify({ trial, status: 'ok', index: -1 }));
    const resumed = run(out, '--resume');
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toMatch(new RegExp(`\\.trials/${trial}\\.json: not a record this run can keep`));
    expect(resumed.stdout).not.toMatch(/\[1\/2\]/);
  });
});
