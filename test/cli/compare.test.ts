import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { runCli } from './run-cli.js';

type Row = Record<string, string>;

/*
 * The regression gate end to end: one smoke run, then copies of its per_label.csv edited the way a
 * real regression or a broken file would look.
 */
describe('skewbench compare (end to end)', () => {
  const root = mkdtempSync(join(tmpdir(), 'skewbench-compare-'));
  const results = join(root, 'smoke');
  let rows: Row[];
  let columns: string[];
  /** The (method, label) lowered by 0.2 in every seed: the one with the highest F1 in its worst seed. */
  let victim: { method: string; label: string; group: string };

  const writeVariant = (name: string, edit: (rows: Row[]) => Row[], cols = columns): string => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    const edited = edit(rows.map((r) => ({ ...r })));
    writeFileSync(join(dir, 'per_label.csv'), stringify(edited, { header: true, columns: cols }));
    return join(dir, 'per_label.csv');
  };

  beforeAll(() => {
    // The smoke suite with five seeds: the fewest the gate decides on.
    const spec = JSON.parse(readFileSync('experiments/smoke.json', 'utf8')) as Record<string, unknown>;
    const specFile = join(root, 'smoke5.json');
    writeFileSync(specFile, JSON.stringify({ ...spec, seeds: 5 }));
    const run = runCli(['run', specFile, '--out', results]);
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(join(results, 'per_label.csv'), 'utf8');
    rows = parse(text, { columns: true }) as Row[];
    columns = text.slice(0, text.indexOf('\n')).split(',');
    const worst = new Map<string, number>();
    for (const r of rows) {
      const key = JSON.stringify([r.method, r.label]);
      worst.set(key, Math.min(worst.get(key) ?? Infinity, Number(r.ap)));
    }
    const [key] = [...worst].sort((a, b) => b[1] - a[1])[0];
    const [method, label] = JSON.parse(key) as [string, string];
    victim = { method, label, group: rows.find((r) => r.method === method && r.label === label)!.group };
    expect(worst.get(key)!).toBeGreaterThanOrEqual(0.25);
    // A drop of 0.2 + 0.01 · seed: clear, and not the same in every seed.
    writeVariant('dropped', (rs) => rs.map((r) => (r.method === victim.method && r.label === victim.label ? { ...r, ap: String(Number(r.ap) - 0.2 - 0.01 * Number(r.seed)) } : r)));
  });

  it('identical results exit 0, directory or per_label.csv alike', () => {
    const copy = writeVariant('copy', (r) => r);
    const r = runCli(['compare', results, copy]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toMatch(/^no regression: no regression in 39 rows; paired over 5 shared seeds/);
    expect(r.stdout).not.toMatch(/REGRESSION/);
    expect(r.stdout).toContain(`current: ${copy}`);
  });

  it('a clear AP drop of one label exits 1 and leads the per-label rows of the markdown report', () => {
    const md = runCli(['compare', results, join(root, 'dropped'), '--format', 'md']);
    expect(md.code, md.stderr).toBe(1);
    const lines = md.stdout.split('\n');
    expect(lines[0]).toMatch(/^❌ \*\*regression: /);
    const flagged = lines.filter((l) => l.includes('**REGRESSION**'));
    expect(flagged.some((l) => l.startsWith(`| **per-label** | **${victim.method}** | **${victim.label}** |`))).toBe(true);
    expect(flagged.filter((l) => l.startsWith('| **per-label**'))).toHaveLength(1);
  });

  it('fewer shared seeds than the minimum exit 3; missing seeds fail unless --allow-missing', () => {
    const two = writeVariant('two-seeds', (rs) => rs.filter((r) => Number(r.seed) <= 2));
    const missing = runCli(['compare', results, two]);
    expect(missing.code).toBe(1);
    expect(missing.stdout.split('\n')[0]).toMatch(/missing from the current run/);
    const allowed = runCli(['compare', results, two, '--allow-missing']);
    expect(allowed.code).toBe(3);
    expect(allowed.stdout.split('\n')[0]).toMatch(/^inconclusive: only 2 shared seeds where the gate needs ≥ 5/);
    expect(runCli(['compare', results, two, '--allow-missing', '--min-seeds', '2']).code).toBe(0);
  });

  it('every flag reaches the comparison', () => {
    const otherGroup = ['head', 'medium', 'tail'].find((g) => g !== victim.group && rows.some((r) => r.group === g))!;
    const args = ['compare', results, join(root, 'dropped', 'per_label.csv'), '--labels', otherGroup, '--metric', 'f1', '--max-drop', '0.05', '--level', '0.9', '--min-seeds', '4', '--strict', '--format', 'json'];
    const r = runCli(args);
    const report = JSON.parse(r.stdout);
    expect(report.options).toMatchObject({ metric: 'f1', maxDropSummary: 0.05, maxDropLabel: 0.05, labels: otherGroup, level: 0.9, minSeeds: 4, strict: true });
    expect(r.code).toBe(report.exitCode);
    expect(report.rows.some((x: { family: string; label: string; method: string }) => x.family === 'per-label' && x.method === victim.method && x.label === victim.label)).toBe(false);
  });

  it('a malformed file exits 2 with one line naming file, line and column, and prints no report', () => {
    const broken = writeVariant('broken', (rs) => rs.map((r, i) => (i === 6 ? { ...r, f1: 'n/a' } : r)));
    const r = runCli(['compare', results, broken]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`skewbench: ${broken}:8: column "f1": expected a finite number, got "n/a"\n`);
  });

  it('a missing file and results that share no rows exit 2 with one line', () => {
    const missingFile = runCli(['compare', results, join(root, 'nowhere')]);
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toBe(`skewbench: ${join(root, 'nowhere')}: cannot read the per-label results (a results folder or a per_label.csv) (no such file)\n`);

    const elsewhere = writeVariant('elsewhere', (rs) => rs.map((r) => ({ ...r, skew: 'uniform' })));
    const disjoint = runCli(['compare', results, elsewhere]);
    expect(disjoint.code).toBe(2);
    expect(disjoint.stderr).toMatch(/^skewbench: no \(dataset, skew, method, label\) of .*per_label\.csv is also in .*elsewhere\/per_label\.csv \(30 and 30 keys with ap\); nothing to compare\n$/);
    expect(disjoint.stdout).toBe('');
  });
});
