import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parse } from 'csv-parse/sync';
import { runCli } from './run-cli.js';
import { readPredictions } from '../../src/report/predictions.js';
import { evaluate } from '../../src/eval/evaluate.js';

const PER_LABEL = ['trial', 'dataset', 'skew', 'method', 'seed', 'label', 'train_count', 'group', 'support', 'precision', 'recall', 'f1', 'threshold', 'f1_tuned', 'ap'];
type Row = Record<string, string>;
const readCsv = (path: string): Row[] => parse(readFileSync(path, 'utf8'), { columns: true }) as Row[];

describe('skewbench run experiments/smoke.json (end to end)', () => {
  const root = mkdtempSync(join(tmpdir(), 'skewbench-run-'));
  const first = join(root, 'first');
  const second = join(root, 'second');
  let run1: ReturnType<typeof runCli>;

  beforeAll(() => {
    run1 = runCli(['run', 'experiments/smoke.json', '--out', first, '--save-predictions']);
  });

  it('exits 0, prints the tables and the wall time', () => {
    expect(run1.code, run1.stderr).toBe(0);
    expect(run1.stdout).toMatch(/backend (wasm|tensorflow|cpu)/);
    expect(run1.stdout).toMatch(/\[6\/6\] /);
    expect(run1.stdout).toMatch(/macro-F1 ± sd/);
    expect(run1.stdout).toMatch(/per-label f1/);
    expect(run1.stdout).toMatch(/wall time: [\d.]+ s for 6 trials/);
  });

  it('writes every result file with the documented columns', () => {
    for (const f of ['trials.csv', 'per_label.csv', 'summary.csv', 'per_label_summary.csv', 'manifest.json']) expect(existsSync(join(first, f)), f).toBe(true);
    const perLabel = readCsv(join(first, 'per_label.csv'));
    expect(Object.keys(perLabel[0]).slice(0, PER_LABEL.length)).toEqual(PER_LABEL);
    expect(perLabel).toHaveLength(6 * 10);
    const trials = readCsv(join(first, 'trials.csv'));
    expect(trials.map((t) => t.status)).toEqual(Array(6).fill('ok'));
    for (const c of ['trial', 'method', 'seed', 'macro_f1', 'micro_f1', 'map', 'train_seconds', 'images_per_second', 'backend', 'status']) expect(Object.keys(trials[0])).toContain(c);
    const summary = readCsv(join(first, 'summary.csv'));
    expect(new Set(summary.map((r) => r.method))).toEqual(new Set(['baseline', 'oversample', 'weighted']));
    const manifest = JSON.parse(readFileSync(join(first, 'manifest.json'), 'utf8'));
    expect(manifest.spec.name).toBe('smoke');
    expect(manifest.trials).toHaveLength(6);
    expect(manifest.backends[0].backend).toMatch(/^(wasm|tensorflow|cpu)$/);
    expect(readdirSync(join(first, 'predictions'))).toHaveLength(6);
    expect(readdirSync(first).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // The training history: one row per trial and epoch it trained, listed and hashed in the manifest.
    const history = readCsv(join(first, 'history.csv'));
    expect(Object.keys(history[0])).toEqual(['trial', 'epoch', 'step', 'loss', 'val_loss', 'val_macro_f1', 'seconds']);
    for (const t of trials) {
      const rows = history.filter((h) => h.trial === t.trial);
      expect(rows.map((h) => h.epoch)).toEqual(Array.from({ length: Number(t.epochs) }, (_, i) => String(i + 1)));
      expect(rows.at(-1)!.step).toBe(t.steps);
    }
    expect(history.length).toBeGreaterThanOrEqual(6);
    for (const h of history) {
      expect(Number(h.val_macro_f1)).toBeGreaterThanOrEqual(0);
      expect(Number(h.val_macro_f1)).toBeLessThanOrEqual(1);
      expect(Number.isFinite(Number(h.val_loss))).toBe(true);
    }
    expect(manifest.files).toContain('history.csv');
    expect(Object.keys(manifest.sha256)).toContain('history.csv');
    const page = readFileSync(join(first, 'report.html'), 'utf8');
    expect(page).toContain('id="chart-curves"');
    expect(page).not.toContain('id="no-curves"');
  });

  it('per-label numbers agree with the saved predictions', () => {
    const perLabel = readCsv(join(first, 'per_label.csv'));
    for (const trial of new Set(perLabel.map((r) => r.trial))) {
      const { truth, scores } = readPredictions(join(first, 'predictions', `${trial}.csv`));
      const rows = perLabel.filter((r) => r.trial === trial);
      const again = evaluate({ scores, truth, trainCounts: rows.map((r) => Number(r.train_count)) });
      again.perLabel.forEach((m, l) => {
        expect(rows[l].label).toBe(m.label);
        for (const key of ['support', 'precision', 'recall', 'f1', 'ap'] as const) expect(Number(rows[l][key]), `${trial} ${m.label} ${key}`).toBe(m[key]);
      });
    }
  });

  it('a second run with the same seeds gives identical metric values', () => {
    const run2 = runCli(['run', 'experiments/smoke.json', '--out', second]);
    expect(run2.code, run2.stderr).toBe(0);
    expect(readFileSync(join(second, 'per_label.csv'), 'utf8')).toBe(readFileSync(join(first, 'per_label.csv'), 'utf8'));
    const metrics = (rows: Row[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !/seconds|images_per_second/.test(k))));
    expect(metrics(readCsv(join(second, 'trials.csv')))).toEqual(metrics(readCsv(join(first, 'trials.csv'))));
    const stats = (rows: Row[]) => rows.filter((r) => !/seconds|images_per_second/.test(r.metric));
    expect(stats(readCsv(join(second, 'summary.csv')))).toEqual(stats(readCsv(join(first, 'summary.csv'))));
  });

  it('an invalid spec: one line per problem naming its JSON path, exit 2, nothing written', () => {
    const bad = join(root, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'bad', dataset: { name: 'shapes' }, skews: ['exponential:10'], methods: [{ name: 'baseline', loss: { kind: 'nope' } }], seeds: 'x' }));
    const out = join(root, 'bad-out');
    const r = runCli(['run', bad, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: methods\[0\]\.loss\.kind: expected one of/);
    expect(r.stderr).toMatch(/bad\.json: seeds: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });
});
