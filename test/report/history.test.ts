/// <reference lib="dom" />
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { stepBetween } from '../../src/report/history.js';
import { runCli } from '../cli/run-cli.js';
import { openBrowser } from './browser.js';

const CSVS = ['trials.csv', 'per_label.csv', 'summary.csv', 'per_label_summary.csv', 'history.csv', 'manifest.json'];

function expectInputError(r: ReturnType<typeof runCli>, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  expect(r.stdout).toBe('');
}

describe('stepBetween: the step rule', () => {
  const m = (values: Record<number, number>) => new Map(Object.entries(values).map(([k, v]) => [Number(k), v]));
  it('is a step when the paired change is at least minStep and its interval excludes 0', () => {
    expect(stepBetween(m({ 1: 0.5, 2: 0.6, 3: 0.55 }), m({ 1: 0.4, 2: 0.49, 3: 0.46 }), 0.02)).toMatchObject({ step: 'down' });
    expect(stepBetween(m({ 1: 0.4, 2: 0.49, 3: 0.46 }), m({ 1: 0.5, 2: 0.6, 3: 0.55 }), 0.02)).toMatchObject({ step: 'up' });
  });
  it('is no step when the change is within seed noise, or smaller than minStep', () => {
    expect(stepBetween(m({ 1: 0.5, 2: 0.6 }), m({ 1: 0.3, 2: 0.7 }), 0.02)).toMatchObject({ step: null });
    expect(stepBetween(m({ 1: 0.5, 2: 0.6, 3: 0.7 }), m({ 1: 0.49, 2: 0.59, 3: 0.69 }), 0.02)).toMatchObject({ step: null });
  });
  it('is "unsure" for a large change with a single seed, and uses Welch when no seeds are shared', () => {
    expect(stepBetween(m({ 1: 0.5 }), m({ 1: 0.3 }), 0.02)).toMatchObject({ step: 'unsure', interval: null });
    const welch = stepBetween(m({ 1: 0.5, 2: 0.52 }), m({ 3: 0.3, 4: 0.31 }), 0.02);
    expect(welch.step).toBe('down');
    expect(welch.interval).not.toBeNull();
  });
});

describe('skewbench history', () => {
  const root = mkdtempSync(join(tmpdir(), 'skewbench-history-'));
  const smoke = join(root, 'smoke');
  let victim: { method: string; label: string };

  /** A copy of the smoke run as if made at `startedAt` from `commit`, with per-label F1 edited. */
  function runAt(name: string, startedAt: string, commit: string, edit: (r: Record<string, string>) => void = () => {}): string {
    const dir = join(root, name);
    mkdirSync(dir);
    for (const f of CSVS) copyFileSync(join(smoke, f), join(dir, f));
    const text = readFileSync(join(dir, 'per_label.csv'), 'utf8');
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    rows.forEach(edit);
    const edited = stringify(rows, { header: true, columns: text.slice(0, text.indexOf('\n')).split(',') });
    writeFileSync(join(dir, 'per_label.csv'), edited);
    // As if that run had written these tables: the manifest vouches for them by their hash.
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    manifest.startedAt = startedAt;
    manifest.skewbench.commit = commit;
    if (manifest.sha256) manifest.sha256['per_label.csv'] = createHash('sha256').update(edited).digest('hex');
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    return dir;
  }

  beforeAll(() => {
    const r = runCli(['run', 'experiments/smoke.json', '--out', smoke, '--workers', '1']);
    expect(r.code, r.stderr).toBe(0);
    const rows = parse(readFileSync(join(smoke, 'per_label.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
    const best = rows.filter((x) => x.seed === '1').sort((a, b) => Number(b.f1) - Number(a.f1))[0];
    victim = { method: best.method, label: best.label };
  }, 60_000);

  it('orders the runs by start time, marks no step where two seeds disagree, and writes a history.html that renders', async () => {
    const hit = (r: Record<string, string>) => r.method === victim.method && r.label === victim.label;
    const a = runAt('a', '2026-01-01T00:00:00.000Z', 'a'.repeat(40));
    const b = runAt('b', '2026-01-02T00:00:00.000Z', 'b'.repeat(40), (r) => {
      // Noise: one seed down 0.2, the other up 0.1 — a mean change of -0.05 the interval cannot tell from 0.
      if (hit(r)) r.f1 = String(Number(r.f1) + (r.seed === '1' ? -0.2 : 0.1));
    });
    const c = runAt('c', '2026-01-03T00:00:00.000Z', 'c'.repeat(40), (r) => {
      if (hit(r)) r.f1 = String(Number(r.f1) - 0.3);
    });
    const out = join(root, 'history.html');
    const r = runCli(['history', c, a, b, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const order = [...r.stdout.matchAll(/^│ #(\d) +│ (\w{12}) /gm)].map((m) => m[2][0]);
    expect(order).toEqual(['a', 'b', 'c']);
    // a → b: paired Δ −0.2 and +0.1; b → c: −0.1 and −0.4. Both means move by ≥ 0.02, but with two
    // seeds that disagree this much neither interval excludes 0: no step.
    expect(r.stdout).toContain('no step beyond noise');
    expect(r.stdout).not.toMatch(/^ {2}[▲▼]/m);
    expect(r.stdout).toMatch(/per-label f1 of the 0 of \d+ labels with a step/);
    expect(existsSync(out)).toBe(true);

    const browser = await openBrowser();
    try {
      const page = await browser.context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(pathToFileURL(out).href);
      await page.waitForSelector('body[data-charts="rendered"]', { timeout: 10_000 });
      for (const id of ['chart-summary-history', 'chart-label-history']) {
        expect(await page.$$eval(`#${id} svg g.mark-symbol path`, (p) => p.length), id).toBeGreaterThan(0);
      }
      expect(await page.locator('#runs-table tbody tr').count()).toBe(3);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('marks a drop in both seeds between two runs as a step down', () => {
    const a = runAt('d', '2026-02-01T00:00:00.000Z', 'd'.repeat(40));
    const b = runAt('e', '2026-02-02T00:00:00.000Z', 'e'.repeat(40), (r) => {
      if (r.method === victim.method && r.label === victim.label) r.f1 = String(Number(r.f1) - 0.2);
    });
    const r = runCli(['history', a, b, '--out', join(root, 'h2.html')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`▼ shapes · exponential:10 · ${victim.method} · ${victim.label} \\(\\w+\\): [\\d.]+ → [\\d.]+ between #1 dddddddd and #2 eeeeeeee \\(Δ -0\\.200`));
    expect(r.stdout.match(/^ {2}[▲▼]/gm)).toHaveLength(1);
  });

  it('exits 2 with one line for a missing folder, a file, a folder without manifest and runs of different suites; writes nothing', () => {
    const out = join(root, 'never.html');
    expectInputError(runCli(['history', smoke, join(root, 'nowhere'), '--out', out]), /nowhere: cannot open the results folder \(no such directory\)/);
    expectInputError(runCli(['history', join(smoke, 'trials.csv'), '--out', out]), /trials\.csv: expected a results folder/);
    const bare = join(root, 'bare');
    mkdirSync(bare);
    copyFileSync(join(smoke, 'trials.csv'), join(bare, 'trials.csv'));
    expectInputError(runCli(['history', smoke, bare, '--out', out]), /bare\/manifest\.json: cannot read the manifest \(no such file\)/);
    const other = runAt('other', '2026-03-01T00:00:00.000Z', 'f'.repeat(40));
    const manifest = JSON.parse(readFileSync(join(other, 'manifest.json'), 'utf8'));
    manifest.suite = 'quick';
    writeFileSync(join(other, 'manifest.json'), JSON.stringify(manifest));
    expectInputError(runCli(['history', smoke, other, '--out', out]), /other: a run of suite "quick", but .*smoke is of suite "smoke"; a history follows one suite/);
    expect(existsSync(out)).toBe(false);
    rmSync(out, { force: true });
  });
});
