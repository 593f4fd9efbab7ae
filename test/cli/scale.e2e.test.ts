import { describe, expect, it, beforeAll } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'csv-parse/sync';
import { runCli, startCli } from './run-cli.js';

type Row = Record<string, string>;
const readCsv = (path: string): Row[] => parse(readFileSync(path, 'utf8'), { columns: true }) as Row[];
const TIMING = /seconds|images_per_second/;
/** Everything a run computed, without how long it took. */
function computed(dir: string): unknown {
  return {
    perLabel: readFileSync(join(dir, 'per_label.csv'), 'utf8'),
    perLabelSummary: readFileSync(join(dir, 'per_label_summary.csv'), 'utf8'),
    trials: readCsv(join(dir, 'trials.csv')).map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !TIMING.test(k)))),
    summary: readCsv(join(dir, 'summary.csv')).filter((r) => !TIMING.test(r.metric)),
  };
}

async function until(condition: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('workers, shards, merge, resume (smoke suite)', () => {
  const root = mkdtempSync(join(tmpdir(), 'skewbench-scale-'));
  const one = join(root, 'workers1');
  beforeAll(() => {
    const r = runCli(['run', 'experiments/smoke.json', '--out', one, '--workers', '1']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it('--workers 2 writes the same results as --workers 1', () => {
    const two = join(root, 'workers2');
    const r = runCli(['run', 'experiments/smoke.json', '--out', two, '--workers', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(computed(two)).toEqual(computed(one));
  });

  it('merging two shards gives the files of the unsharded run; a conflicting duplicate is an error', () => {
    const shards = [1, 2].map((i) => join(root, `shard${i}`));
    shards.forEach((dir, i) => {
      const r = runCli(['run', 'experiments/smoke.json', '--shard', `${i + 1}/2`, '--out', dir, '--workers', '1']);
      expect(r.code, r.stderr).toBe(0);
    });
    const counts = shards.map((d) => readCsv(join(d, 'trials.csv')).length);
    expect(counts[0] + counts[1]).toBe(6);
    const merged = join(root, 'merged');
    const m = runCli(['merge', ...shards, '--out', merged]);
    expect(m.code, m.stderr).toBe(0);
    expect(computed(merged)).toEqual(computed(one));
    for (const chart of ['per_label_f1.svg', 'delta.svg']) expect(readFileSync(join(merged, chart), 'utf8')).toBe(readFileSync(join(one, chart), 'utf8'));

    // the same trial twice with different numbers
    const altered = join(root, 'altered');
    cpSync(shards[0], altered, { recursive: true });
    const path = join(altered, 'per_label.csv');
    const rows = readFileSync(path, 'utf8').split('\n');
    const cells = rows[1].split(',');
    const f1 = cells.indexOf(cells[11]);
    cells[f1] = String(Number(cells[f1]) + 0.25);
    rows[1] = cells.join(',');
    writeFileSync(path, rows.join('\n'));
    const bad = runCli(['merge', shards[0], altered, '--out', join(root, 'bad')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(new RegExp(`trial ${rows[1].split(',')[0]} .* with different numbers`));
    expect(existsSync(join(root, 'bad'))).toBe(false);
  });

  it('a run killed after its first trial and resumed equals an uninterrupted run', async () => {
    const out = join(root, 'killed');
    const run = startCli(['run', 'experiments/smoke.json', '--out', out, '--workers', '1']);
    const journal = join(out, '.trials');
    await until(() => existsSync(journal) && readdirSync(journal).some((f) => f.endsWith('.json')));
    run.child.kill('SIGKILL');
    await run.exit;
    const kept = readdirSync(journal).filter((f) => f.endsWith('.json')).length;
    expect(kept).toBeGreaterThanOrEqual(1);
    const resumed = runCli(['run', 'experiments/smoke.json', '--out', out, '--workers', '1', '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`resuming: ${kept} of 6 trials already finished`));
    expect(computed(out)).toEqual(computed(one));
    expect(existsSync(journal)).toBe(false);
  });

  it('Ctrl-C writes what finished and exits 130', async () => {
    const out = join(root, 'interrupted');
    const run = startCli(['run', 'experiments/smoke.json', '--out', out, '--workers', '1']);
    const journal = join(out, '.trials');
    await until(() => existsSync(journal) && readdirSync(journal).some((f) => f.endsWith('.json')));
    run.child.kill('SIGINT');
    const { code } = await run.exit;
    expect(code).toBe(130);
    expect(run.output()).toMatch(/interrupted: \d of 6 trials finished; written to .*--resume/);
    const trials = readCsv(join(out, 'trials.csv'));
    expect(trials.length).toBeGreaterThanOrEqual(1);
    expect(trials.length).toBeLessThan(6);
    const oneTrials = readCsv(join(one, 'per_label.csv'));
    for (const row of readCsv(join(out, 'per_label.csv'))) expect(oneTrials).toContainEqual(row);
  });
});
