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
    const run = runCli(['run', 'experiments/smoke.json', '--out', results]);
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(join(results, 'per_label.csv'), 'utf8');
    rows = parse(text, { columns: true }) as Row[];
    columns = text.slice(0, text.indexOf('\n')).split(',');
    const worst = new Map<string, number>();
    for (const r of rows) {
      const key = JSON.stringify([r.method, r.label]);
      worst.set(key, Math.min(worst.get(key) ?? Infinity, Number(r.f1)));
    }
    const [key] = [...worst].sort((a, b) => b[1] - a[1])[0];
    const [method, label] = JSON.parse(key) as [string, string];
    victim = { method, label, group: rows.find((r) => r.method === method && r.label === label)!.group };
    // A 0.2 drop must leave a valid F1; the smoke suite's best label clears that by far.
    expect(worst.get(key)!).toBeGreaterThanOrEqual(0.2);
    writeVariant('dropped', (rs) => rs.map((r) => (r.method === victim.method && r.label === victim.label ? { ...r, f1: String(Number(r.f1) - 0.2) } : r)));
  });

  it('identical results exit 0, directory or per_label.csv alike', () => {
    const copy = writeVariant('copy', (r) => r);
    const r = runCli(['compare', results, copy]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^no regression: none of 30 labels dropped in F1 by more than 0\.02/);
    expect(r.stdout).not.toMatch(/REGRESSION|not compared/);
    expect(r.stdout).toContain(`current: ${copy}`);
  });

  it('a 0.2 F1 drop of one label in every seed exits 1 and leads the markdown report', () => {
    const md = runCli(['compare', results, join(root, 'dropped'), '--format', 'md']);
    expect(md.code, md.stderr).toBe(1);
    const lines = md.stdout.split('\n');
    expect(lines[0]).toMatch(/^❌ \*\*regression: 1 of 30 labels dropped in F1 by more than 0\.02/);
    expect(lines[4]).toMatch(
      new RegExp(`^\\| \\*\\*${victim.method}\\*\\* \\| \\*\\*${victim.label}\\*\\* \\|.*\\*\\*-0\\.200\\*\\* \\| \\*\\*\\[-0\\.200, -0\\.200\\]\\*\\* \\| \\*\\*paired, 2 seeds\\*\\* \\| \\*\\*REGRESSION\\*\\* \\|$`),
    );
    expect(lines.filter((l) => l.includes('**REGRESSION**'))).toHaveLength(1);
  });

  it('every flag reaches the comparison: the drop passes outside its label group', () => {
    const otherGroup = ['head', 'medium', 'tail'].find((g) => g !== victim.group && rows.some((r) => r.group === g))!;
    const args = ['compare', results, join(root, 'dropped', 'per_label.csv'), '--labels', otherGroup, '--metric', 'f1', '--max-drop', '0.05', '--level', '0.9', '--format', 'json'];
    const r = runCli(args);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ metric: 'f1', maxDrop: 0.05, labels: otherGroup, level: 0.9, regressions: 0 });
    expect(report.compared).toBe(new Set(rows.filter((x) => x.group === otherGroup).map((x) => `${x.method}/${x.label}`)).size);
    expect(report.rows.some((x: { label: string; method: string }) => x.method === victim.method && x.label === victim.label)).toBe(false);
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
    expect(disjoint.stderr).toMatch(/^skewbench: no \(dataset, skew, method, label\) of .*per_label\.csv is also in .*elsewhere\/per_label\.csv \(30 and 30 keys with f1\); nothing to compare\n$/);
    expect(disjoint.stdout).toBe('');
  });
});
