import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import { runCli, startCli } from './run-cli.js';
import { loadFolder } from '../../src/data/folder.js';
import { expandGrid } from '../../src/experiment/grid.js';
import { loadSpec, parseSpec } from '../../src/experiment/spec.js';
import { inputErrorMessage } from '../data/input-error.js';

/*
 * Faults a user meets with real data and real machines: a test split too thin to measure a label,
 * a diverging loss, a labels file pointing outside its folder, a stop signal, a dead parent.
 */

const root = mkdtempSync(join(tmpdir(), 'skewbench-faults-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// biome-ignore lint/suspicious/noExplicitAny: tests edit raw spec JSON, field by field
type Json = Record<string, any>;
const smoke = JSON.parse(readFileSync('experiments/smoke.json', 'utf8')) as Json;
function suite(name: string, edit: (spec: Json) => void): string {
  const spec = structuredClone(smoke);
  edit(spec);
  const file = join(root, `${name}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return file;
}
const STACK = /\n\s+at /;
/** The output folder may exist (created to check it is writable) but holds no results. */
const nothingIn = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);
type Row = Record<string, string>;

async function png(file: string, grey: number): Promise<void> {
  await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: grey, g: grey, b: grey } } }).png().toFile(file);
}

async function until(condition: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a test set too thin to measure a label stops the run before training', () => {
  it('minTestPositives is checked, not hashed: trial ids do not depend on it; its default is 5', () => {
    const spec = loadSpec('experiments/smoke.json');
    expect(spec.evaluation.minTestPositives).toBe(5);
    const lax = parseSpec({ ...smoke, evaluation: { minTestPositives: 0 } }, 'lax.json');
    expect(expandGrid(lax).map((t) => t.id)).toEqual(expandGrid(spec).map((t) => t.id));
    expect(() => parseSpec({ ...smoke, evaluation: { minTestPositives: -1 } }, 'neg.json')).toThrow(/neg\.json: evaluation\.minTestPositives: expected a number ≥ 0/);
  });

  it('smoke with testPerLabel 3: exit 2, one line naming the label, its count and the fix; nothing trained or written', () => {
    const out = join(root, 'thin-out');
    const r = runCli(['run', suite('thin', (s) => (s.dataset.options.testPerLabel = 3)), '--out', out, '--workers', '1']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^skewbench: dataset shapes \(skew exponential:10, seed 1\): label "\w+" has 3 test positives .*fewer than evaluation\.minTestPositives 5; raise dataset\.options\.testPerLabel, .*lower evaluation\.minTestPositives/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).not.toMatch(/\[1\/6\]/);
    expect(nothingIn(out)).toEqual([]);
  });

  it('a folder whose rare label has 2 test images: run prints the dataset warning, then stops with exit 2', async () => {
    const dir = join(root, 'rare-folder');
    mkdirSync(dir);
    const lines = ['file,labels,split'];
    let rareInTest = 0;
    for (let i = 0; i < 120; i++) {
      const file = `img${i}.png`;
      await png(join(dir, file), (i * 37) % 256);
      const labels = [i % 2 === 0 ? 'sun' : 'sea'];
      const split = i % 5 === 0 ? 'test' : i % 5 === 1 ? 'val' : 'train';
      // "moon" is common in train and val and has exactly two test images.
      if (i % 3 === 0 && (split !== 'test' || rareInTest++ < 2)) labels.push('moon');
      lines.push(`${file},${labels.join('|')},${split}`);
    }
    writeFileSync(join(dir, 'labels.csv'), lines.join('\n') + '\n');
    expect(rareInTest).toBeGreaterThanOrEqual(2);
    const spec = suite('rare', (s) => {
      s.dataset = { name: 'folder', options: { dir, size: 8, nMax: 20, testPerLabel: 10 } };
      s.methods = [{ name: 'baseline' }];
      s.seeds = [1];
    });
    const r = runCli(['run', spec, '--out', join(root, 'rare-out'), '--workers', '1']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^warning: folder .*rare-folder: label "moon" has 2 test images, so test is balanced at 2 per label/m);
    expect(r.stderr).toMatch(/^skewbench: dataset folder .*label "moon" has 2 test positives .*fewer than evaluation\.minTestPositives 5/m);
    expect(r.stderr).not.toMatch(STACK);
    expect(nothingIn(join(root, 'rare-out'))).toEqual([]);
  });
});

describe('divergence is a failure', () => {
  it('learningRate 1e6 on the smoke suite: every trial failed naming epoch and step, listed on stderr, exit 1', () => {
    const out = join(root, 'diverge-out');
    const r = runCli(['run', suite('diverge', (s) => (s.train.learningRate = 1e6)), '--out', out, '--workers', '1']);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^6 trials failed:$/m);
    const listed = r.stderr.split('\n').filter((l) => l.startsWith('failed: trial '));
    expect(listed).toHaveLength(6);
    for (const line of listed) expect(line).toMatch(/training diverged: the (weighted-)?bce (mean )?loss .* epoch \d+ \(.*step \d+\)/);
    const trials = parse(readFileSync(join(out, 'trials.csv'), 'utf8'), { columns: true }) as Row[];
    expect(trials.map((t) => t.status)).toEqual(Array(6).fill('failed'));
  });
});

describe('image ids stay inside the image folder', () => {
  let dir: string;
  const secret = join(root, 'secret.png');
  beforeAll(async () => {
    dir = join(root, 'paths');
    mkdirSync(dir);
    for (let i = 0; i < 4; i++) await png(join(dir, `img${i}.png`), 40 * i);
    // A perfectly decodable image outside the folder: reading it would succeed, which is the fault.
    await png(secret, 200);
    symlinkSync(secret, join(dir, 'link.png'));
  });
  const withRow = (id: string): void => writeFileSync(join(dir, 'labels.csv'), `file,labels\nimg0.png,a\nimg1.png,b\n${id},a\nimg2.png,b\n`);

  it.each([
    ['../secret.png', /labels\.csv:4: image id "\.\.\/secret\.png" points outside the image folder/],
    [secret, /labels\.csv:4: image id ".*secret\.png" is an absolute path; expected a path relative to/],
    ['sub/../../secret.png', /labels\.csv:4: image id "sub\/\.\.\/\.\.\/secret\.png" points outside the image folder/],
    ['link.png', /labels\.csv:4: image "link\.png" is a symlink to .*secret\.png, outside the image folder/],
  ])('%s is a one-line InputError naming the CSV line', async (id, message) => {
    withRow(id);
    expect(await inputErrorMessage(loadFolder({ dir, size: 8, channels: 1 }))).toMatch(message);
  });

  it('run reports it as one line, exit 2, before training', () => {
    withRow('../secret.png');
    const spec = suite('paths', (s) => (s.dataset = { name: 'folder', options: { dir, size: 8 } }));
    const r = runCli(['run', spec, '--out', join(root, 'paths-out'), '--workers', '1']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^skewbench: .*labels\.csv:4: image id "\.\.\/secret\.png" points outside/m);
    expect(r.stderr).not.toMatch(STACK);
  });
});

describe('signals and workers', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s stops a run like Ctrl-C: what finished is written, said on stderr, exit %i', async (signal, code) => {
    const out = join(root, `signal-${signal}`);
    const cli = startCli(['run', 'experiments/smoke.json', '--out', out, '--workers', '1']);
    await until(() => /\[1\/6\]/.test(cli.output()));
    cli.child.kill(signal);
    const exit = await cli.exit;
    expect(exit, cli.output()).toEqual({ code, signal: null });
    expect(cli.output()).toMatch(new RegExp(`${signal}: interrupted: \\d of 6 trials finished; written to .*Rerun with --resume`));
    expect(existsSync(join(out, 'trials.csv'))).toBe(true);
  });

  it('--workers 64 is capped at the cores with a notice; workers of a killed parent exit without a stack trace', async () => {
    const cli = startCli(['run', 'experiments/smoke.json', '--out', join(root, 'orphans'), '--workers', '64']);
    // The pipes close only when every process holding them (the parent and its workers) has exited.
    const closed = Promise.all([cli.child.stdout!, cli.child.stderr!].map((s) => new Promise((resolve) => s.on('close', resolve))));
    await until(() => /\[1\/6\]/.test(cli.output()));
    expect(cli.output()).toMatch(/^notice: --workers 64 capped at \d+, the number of cores$/m);
    cli.child.kill('SIGKILL');
    await cli.exit;
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error(`workers still alive:\n${cli.output()}`)), 60_000))]);
    expect(cli.output()).not.toMatch(/EPIPE|ERR_IPC|Error/);
    expect(cli.output()).not.toMatch(STACK);
  });
});
