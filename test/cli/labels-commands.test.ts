import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'csv-parse/sync';
import { runCli } from './run-cli.js';

const sample = 'test/fixtures/sample-labels.csv';
const onehot = 'test/fixtures/sample-onehot.csv';

describe('skewbench stats / weights / plan', () => {
  it('stats prints a table and the dataset measures, and JSON with the documented fields', () => {
    const t = runCli(['stats', sample]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/label\s+│\s+count\s+│\s+share\s+│\s+IRLbl\s+│\s+group/);
    expect(t.stdout).toMatch(/SCUMBLE/);
    const j = runCli(['stats', sample, '--json']);
    const s = JSON.parse(j.stdout);
    expect(Object.keys(s).sort()).toEqual(['cardinality', 'cvIR', 'density', 'images', 'labels', 'labelsets', 'maxIR', 'meanIR', 'scumble'].sort());
    expect(s.images).toBe(400);
    expect(s.labels.find((l: { name: string }) => l.name === 'sheep')).toMatchObject({ count: 5, group: 'tail' });
  });

  it('stats warns on stderr about a label with no images and keeps stdout valid JSON', () => {
    const j = runCli(['stats', onehot, '--json']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout).labels.find((l: { name: string }) => l.name === 'zebra').irlbl).toBeNull();
    expect(j.stderr).toMatch(/warning: .*zebra/);
  });

  it('weights prints pos/neg per label', () => {
    const j = runCli(['weights', sample, '--scheme', 'inverse-frequency', '--json']);
    expect(j.code).toBe(0);
    const w = JSON.parse(j.stdout);
    expect(w.scheme).toBe('inverse-frequency');
    for (const l of w.labels) expect(l.pos * l.count).toBeCloseTo(400 / 10, 9);
    expect(runCli(['weights', sample, '--scheme', 'effective-number', '--beta', '0.99', '--clip', '3']).stdout).toMatch(/pos weight/);
  });

  it('plan prints before/after, JSON, and writes index,id,copies atomically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skewbench-plan-'));
    const out = join(dir, 'plan.csv');
    const j = runCli(['plan', sample, '--method', 'targeted', '--target', 'median', '--seed', '4', '--json', '--out', out]);
    expect(j.code).toBe(0);
    const p = JSON.parse(j.stdout);
    expect(p).toMatchObject({ method: 'targeted', images: 400 });
    const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Array<{ index: string; id: string; copies: string }>;
    expect(rows.map((r) => [Number(r.index), Number(r.copies)])).toEqual(p.copies);
    expect(rows[0].id).toMatch(/^img_\d{4}\.png$/);
    expect(rows.reduce((a, r) => a + Number(r.copies), 0)).toBe(p.added);
    const again = runCli(['plan', sample, '--method', 'targeted', '--target', 'median', '--seed', '4', '--json']);
    expect(again.stdout).toBe(j.stdout);
    expect(runCli(['plan', sample, '--method', 'ml-ros', '--percent', '50']).stdout).toMatch(/ml-ros: 400 images \+ \d+ copies/);
  });

  it('bad input: one line naming the problem, exit code 2, no stack trace, nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skewbench-bad-'));
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'id,a,b\nx,1,0\ny,0,2\n');
    const out = join(dir, 'plan.csv');
    const cases: Array<[string[], RegExp]> = [
      [['stats', bad], /bad\.csv:3: column "b" holds "2"; expected 0 or 1/],
      [['stats', join(dir, 'none.csv')], /none\.csv: cannot read file/],
      [['weights', sample, '--scheme', 'magic'], /--scheme: expected one of none, inverse-frequency/],
      [['weights', sample, '--scheme', 'effective-number', '--beta', '1'], /--beta: expected a number/],
      [['plan', bad, '--method', 'rfs', '--out', out], /bad\.csv:3/],
      [['plan', sample, '--method', 'targeted', '--target', 'most'], /--target: expected a number ≥ 0, got "most"/],
      [['plan', sample, '--method', 'rfs', '--threshold', '0'], /--threshold: expected a number > 0 and ≤ 1/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    }
    expect(existsSync(out)).toBe(false);
  });
});
