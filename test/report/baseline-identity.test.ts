import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePerLabelCsv } from '../../src/report/results.js';
import { runCli } from '../cli/run-cli.js';

describe('the committed regression baseline', () => {
  const file = 'results/baseline/per_label.csv';
  const rows = parsePerLabelCsv(readFileSync(file, 'utf8'), file);

  it('has ten seeds, enough for the gate', () => {
    expect(new Set(rows.map((r) => r.seed)).size).toBe(10);
  });

  it('keeps label identity: with the fixed order a label has the same training count in every seed', () => {
    const counts = new Map<string, Set<number>>();
    for (const r of rows) {
      const key = `${r.method}/${r.label}`;
      counts.set(key, (counts.get(key) ?? new Set()).add(r.train_count));
    }
    expect(counts.size).toBe(30);
    for (const [key, values] of counts) expect([key, values.size]).toEqual([key, 1]);
  });
});

describe('the committed regression baseline is what the code computes', () => {
  it('two of its trials rerun today give the same per-label rows, byte for byte', () => {
    const root = mkdtempSync(join(tmpdir(), 'skewbench-baseline-'));
    // Seed 1 of baseline and oversampling (plan, copies and augmentation): a trial's id and numbers do
    // not depend on which other trials its suite has.
    const spec = JSON.parse(readFileSync('experiments/quick.json', 'utf8')) as { seeds: unknown; methods: Array<{ name: string }> };
    const specFile = join(root, 'quick.json');
    writeFileSync(specFile, JSON.stringify({ ...spec, seeds: [1], methods: spec.methods.filter((m) => m.name !== 'weighted') }));
    const run = runCli(['run', specFile, '--out', join(root, 'out'), '--workers', '2']);
    expect(run.code, run.stderr).toBe(0);
    const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n');
    const rerun = lines(join(root, 'out', 'per_label.csv'));
    const committed = new Set(lines('results/baseline/per_label.csv'));
    expect(rerun.length).toBe(1 + 2 * 10);
    for (const line of rerun) expect(committed.has(line), line).toBe(true);
  }, 180_000);
});
