import type { LabelGroup } from '../../src/labels/stats.js';
import type { ComparisonSide } from '../../src/report/compare.js';
import type { PerLabelRow } from '../../src/report/results.js';
import { labelRow } from './fixtures.js';

export const LABELS: Array<[string, LabelGroup]> = [
  ['cat', 'head'],
  ['dog', 'medium'],
  ['eel', 'tail'],
  ['fox', 'tail'],
];

export const SEEDS = [1, 2, 3, 4, 5, 6];

/** Per-label rows of one run: `value(method, label, seed)` is the metric (ap and f1 alike). */
export function run(value: (method: string, label: string, seed: number) => number, options: { methods?: string[]; seeds?: number[]; labels?: Array<[string, LabelGroup]> } = {}): PerLabelRow[] {
  const rows: PerLabelRow[] = [];
  for (const method of options.methods ?? ['baseline', 'oversample']) {
    for (const seed of options.seeds ?? SEEDS) {
      for (const [label, group] of options.labels ?? LABELS) {
        const v = value(method, label, seed);
        rows.push({ ...labelRow(label, { group, ap: v, f1: v, f1_tuned: v }), trial: `${method}-${seed}`, dataset: 'shapes', skew: 'exponential:10', method, seed, line: rows.length + 2 });
      }
    }
  }
  return rows;
}

export const side = (file: string, rows: PerLabelRow[]): ComparisonSide => ({ file, rows });

/** A baseline with seed-to-seed noise that is shared by label and seed (as training noise would be). */
export function noisy(method: string, label: string, seed: number): number {
  const l = LABELS.findIndex(([x]) => x === label);
  return 0.3 + 0.1 * l + 0.02 * Math.sin(seed * 7.1 + l * 3.3 + (method === 'baseline' ? 0 : 1.7));
}

/** Deterministic "measurement noise" in ±amp for a current run. */
export function jitter(label: string, seed: number, amp: number): number {
  return amp * Math.sin(seed * 12.9898 + label.length * 78.233 + label.charCodeAt(0));
}
