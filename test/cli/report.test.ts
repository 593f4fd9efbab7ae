import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const CHARTS = ['delta.png', 'delta.svg', 'per_label_f1.png', 'per_label_f1.svg'];
const CSVS = ['trials.csv', 'per_label.csv', 'summary.csv', 'per_label_summary.csv', 'history.csv', 'manifest.json'];

/** Each case gets the run's CSVs in a folder of its own, without the charts. */
function csvCopy(from: string, to: string): string {
  mkdirSync(to, { recursive: true });
  for (const f of CSVS) copyFileSync(join(from, f), join(to, f));
  return to;
}

function expectInputError(r: ReturnType<typeof runCli>, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
}

describe('skewbench report', () => {
  const root = mkdtempSync(join(tmpdir(), 'skewbench-report-'));
  const run = join(root, 'run');
  const charts = new Map<string, Buffer>();

  beforeAll(() => {
    const r = runCli(['run', 'experiments/smoke.json', '--out', run, '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    for (const f of CHARTS) charts.set(f, readFileSync(join(run, f)));
  });

  it('run writes both charts next to the CSVs', () => {
    expect(readdirSync(run).filter((f) => /\.(svg|png)$/.test(f)).sort()).toEqual(CHARTS);
  });

  it('redraws from the CSVs exactly the charts the run wrote, and prints the tables', () => {
    const dir = csvCopy(run, join(root, 'redrawn'));
    const r = runCli(['report', dir]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of CHARTS) expect(readFileSync(join(dir, f)).equals(charts.get(f)!), f).toBe(true);
    expect(r.stdout).toMatch(/macro-F1 ± sd/);
    expect(r.stdout).toMatch(/per-label f1/);
    expect(r.stdout).toContain(`charts: ${join(dir, 'per_label_f1.svg')}`);
  });

  it('exits 2 with one line for a missing folder, a file, a folder without results, and an unknown baseline', () => {
    expectInputError(runCli(['report', join(root, 'nowhere')]), /nowhere: cannot open the results folder \(no such directory\)/);
    expectInputError(runCli(['report', join(run, 'trials.csv')]), /trials\.csv: expected a results folder/);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expectInputError(runCli(['report', empty]), /empty\/trials\.csv: cannot read the trials table \(no such file\)/);
    expectInputError(runCli(['report', run, '--baseline', 'nope']), /--baseline: no method "nope" in .* \(it has baseline, oversample, weighted\)/);
  });

  it('exits 2 naming file, line and column for a malformed table, and writes no chart', () => {
    const dir = csvCopy(run, join(root, 'malformed'));
    const path = join(dir, 'per_label.csv');
    const lines = readFileSync(path, 'utf8').split('\n');
    const header = lines[0].split(',');
    const cells = lines[3].split(',');
    cells[header.indexOf('f1')] = 'high';
    lines[3] = cells.join(',');
    writeFileSync(path, lines.join('\n'));
    expectInputError(runCli(['report', dir]), /per_label\.csv:4: column "f1": expected a finite number, got "high"/);
    expect(readdirSync(dir).filter((f) => !CSVS.includes(f))).toEqual([]);
    rmSync(dir, { recursive: true });
  });
});
