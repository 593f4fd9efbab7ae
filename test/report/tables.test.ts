import { describe, expect, it } from 'vitest';
import { aggregate } from '../../src/report/aggregate.js';
import { formatFailures, formatPerLabelTable, formatSummaryTable } from '../../src/report/tables.js';
import { failedRecord, labelRow, okRecord } from './fixtures.js';

const GREEN = '\x1b[32m';
const RED = '\x1b[31m';

/** Table rows as cell arrays (cli-table3 draws cells between │ or | characters). */
function cells(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => /^[│|]/.test(l))
    .map((l) => l.split(/[│|]/).slice(1, -1).map((c) => c.trim()));
}

function labels(cat: number, dog: number, eel: number) {
  return [
    labelRow('eel', { f1: eel, train_count: 8, group: 'tail' }),
    labelRow('cat', { f1: cat, train_count: 120, group: 'head' }),
    labelRow('dog', { f1: dog, train_count: 40, group: 'medium' }),
  ];
}

/** weighted gains on eel in every seed (significant), loses a little on cat, and dog is a wash. */
function suite() {
  return [
    okRecord({ method: 'baseline', seed: 1, perLabel: labels(0.9, 0.5, 0.1) }),
    okRecord({ method: 'baseline', seed: 2, perLabel: labels(0.8, 0.6, 0.2) }),
    okRecord({ method: 'baseline', seed: 3, perLabel: labels(0.85, 0.55, 0.0) }),
    okRecord({ method: 'weighted', seed: 1, perLabel: labels(0.85, 0.6, 0.4) }),
    okRecord({ method: 'weighted', seed: 2, perLabel: labels(0.8, 0.5, 0.5) }),
    okRecord({ method: 'weighted', seed: 3, perLabel: labels(0.8, 0.55, 0.31) }),
    failedRecord({ method: 'weighted', seed: 4 }),
  ];
}

describe('formatSummaryTable', () => {
  it('has one row per method with the means, Δ macro-F1 with its interval, and training seconds', () => {
    const text = formatSummaryTable(aggregate(suite()), { color: false });
    expect(text.split('\n')[0]).toBe('shapes · exponential:10');
    const rows = cells(text);
    expect(rows[0]).toEqual(['method', 'seeds', 'macro-F1 ± sd', 'micro-F1', 'mAP', 'head F1', 'medium F1', 'tail F1', 'Δ macro-F1 [95 % CI]', 'train s']);
    // baseline macro-F1 per seed: 0.5, 0.5333…, 0.4666… → mean 0.5, sd 0.0333…
    expect(rows[1]).toEqual(['baseline', '3', '0.500 ± 0.033', '0.545', '0.550', '0.850', '0.550', '0.100', '', '2.5']);
    // weighted: 0.6166…, 0.6, 0.5533… → mean 0.59; paired Δ 0.1166…, 0.0666…, 0.0866… → mean 0.09
    expect(rows[2].slice(0, 8)).toEqual(['weighted', '3 (1 failed)', '0.590 ± 0.033', '0.545', '0.550', '0.817', '0.550', '0.403']);
    expect(rows[2][8]).toMatch(/^\+0\.090\* \[\+0\.0\d\d, \+0\.1\d\d\]$/);
    expect(text).toContain('* its interval excludes 0');
    expect(text).not.toContain('\x1b[');
  });

  it('colours the Δ only when asked', () => {
    const text = formatSummaryTable(aggregate(suite()), { color: true });
    expect(text).toContain(`${GREEN}+0.090*`);
  });

  it('says so when nothing finished', () => {
    expect(formatSummaryTable(aggregate([failedRecord({ method: 'baseline', seed: 1 })]), { color: false })).toMatch(/^shapes · exponential:10\n/);
    expect(formatSummaryTable(aggregate([]), { color: false })).toBe('no finished trials');
  });
});

describe('formatPerLabelTable', () => {
  it('sorts labels by training count, rarest last, and shows each method’s Δ', () => {
    const text = formatPerLabelTable(aggregate(suite()), { color: false });
    expect(text.split('\n')[0]).toBe('shapes · exponential:10 · per-label f1');
    const rows = cells(text);
    expect(rows[0]).toEqual(['label', 'group', 'train', 'baseline', 'weighted (Δ)']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(['cat', 'dog', 'eel']);
    expect(rows[1]).toEqual(['cat', 'head', '120', '0.850', '0.817 -0.033']);
    expect(rows[2]).toEqual(['dog', 'medium', '40', '0.550', '0.550 ±0.000']);
    // eel: differences 0.3, 0.3, 0.31 → mean 0.303, interval well above 0
    expect(rows[3]).toEqual(['eel', 'tail', '8', '0.100', '0.403 +0.303*']);
  });

  it('colours gains green and losses red only when asked', () => {
    const colored = formatPerLabelTable(aggregate(suite()), { color: true });
    expect(colored).toContain(`${GREEN}+0.303*`);
    expect(colored).toContain(`${RED}-0.033`);
    // a difference that rounds to zero is neither
    expect(colored).toContain('0.550 ±0.000 ');
    expect(formatPerLabelTable(aggregate(suite()), { color: false })).not.toContain('\x1b[');
  });

  it('shows another metric when asked', () => {
    const text = formatPerLabelTable(aggregate(suite()), { color: false, metric: 'ap' });
    expect(text.split('\n')[0]).toBe('shapes · exponential:10 · per-label ap');
    expect(cells(text)[1]).toEqual(['cat', 'head', '120', '0.550', '0.550 ±0.000']);
  });
});

describe('formatFailures', () => {
  it('lists each failed trial with its reason', () => {
    const records = suite();
    expect(formatFailures(aggregate(records))).toBe(`failed: trial ${records[6].trial} (weighted, exponential:10, seed 4): loss became NaN at epoch 2, step 7`);
  });
});
