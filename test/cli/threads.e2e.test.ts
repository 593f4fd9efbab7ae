import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('skewbench run --threads: data-parallel training of one trial', () => {
  const root = mkdtempSync(join(tmpdir(), 'skewbench-threads-'));
  const smoke = JSON.parse(readFileSync('experiments/smoke.json', 'utf8')) as Record<string, unknown>;
  const spec = (train: Record<string, unknown> = {}) => {
    const file = join(root, `suite-${Object.keys(train).join('-') || 'plain'}.json`);
    // The smoke suite's data, smaller, with the cnn (which splits each batch in two micro-batches).
    const methods = (smoke.methods as Array<{ name: string }>).filter((m) => m.name !== 'weighted');
    const dataset = { name: 'shapes', options: { nMax: 30, testPerLabel: 8 } };
    writeFileSync(file, JSON.stringify({ ...smoke, dataset, model: 'cnn', methods, seeds: [1], train: { ...(smoke.train as object), ...train } }));
    return file;
  };

  it('writes the same per_label.csv, byte for byte, on 1 or 2 threads', () => {
    const file = spec();
    const outs = [
      ['--workers', '1', '--threads', '1'],
      ['--workers', '1', '--threads', '2'],
    ].map((flags, i) => {
      const out = join(root, `out${i}`);
      const run = runCli(['run', file, '--out', out, ...flags], { timeout: 170_000 });
      expect(run.code, run.stderr).toBe(0);
      return readFileSync(join(out, 'per_label.csv'), 'utf8');
    });
    expect(outs[1]).toBe(outs[0]);
  }, 180_000);

  it('refuses a thread count that is not a positive integer, in one line and before training', () => {
    const bad = runCli(['run', spec(), '--out', join(root, 'bad'), '--threads', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toMatch(/^skewbench: --threads: expected an integer ≥ 1/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const inSpec = runCli(['run', spec({ threads: 1.5 }), '--out', join(root, 'bad2')]);
    expect(inSpec.code).toBe(2);
    expect(inSpec.stderr).toMatch(/train\.threads/);
  });
});
