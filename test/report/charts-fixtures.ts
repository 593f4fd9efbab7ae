import type { TrialRecord } from '../../src/records/records.js';
import { labelRow, okRecord } from './fixtures.js';

/**
 * Per-label F1 of five labels: cat (head, 120 training images), fox and dog (medium, 41 and 40 —
 * close enough on a log axis to share one name text), eel (tail, 8) and yak (tail, no training
 * images: it cannot sit on a log axis).
 */
export function chartLabels(f1: { cat: number; dog: number; fox: number; eel: number; yak?: number }) {
  return [
    labelRow('cat', { f1: f1.cat, train_count: 120, group: 'head' }),
    labelRow('dog', { f1: f1.dog, train_count: 40, group: 'medium' }),
    labelRow('fox', { f1: f1.fox, train_count: 41, group: 'medium' }),
    labelRow('eel', { f1: f1.eel, train_count: 8, group: 'tail' }),
    labelRow('yak', { f1: f1.yak ?? 0, train_count: 0, group: 'tail' }),
  ];
}

export const SKEW_A = 'exponential:10';
export const SKEW_B = 'exponential:50';

/**
 * Two skews × baseline and weighted. On SKEW_A three seeds each; on SKEW_B the baseline ran seeds 1
 * and 2 and weighted only seed 1, so its difference has one pair and no interval.
 */
export function chartRecords(): TrialRecord[] {
  const a = SKEW_A;
  const b = SKEW_B;
  return [
    okRecord({ method: 'baseline', seed: 1, skew: a, perLabel: chartLabels({ cat: 0.9, dog: 0.5, fox: 0.5, eel: 0.1 }) }),
    okRecord({ method: 'baseline', seed: 2, skew: a, perLabel: chartLabels({ cat: 0.8, dog: 0.6, fox: 0.5, eel: 0.2 }) }),
    okRecord({ method: 'baseline', seed: 3, skew: a, perLabel: chartLabels({ cat: 0.85, dog: 0.55, fox: 0.5, eel: 0.0 }) }),
    okRecord({ method: 'weighted', seed: 1, skew: a, perLabel: chartLabels({ cat: 0.85, dog: 0.6, fox: 0.5, eel: 0.4 }) }),
    okRecord({ method: 'weighted', seed: 2, skew: a, perLabel: chartLabels({ cat: 0.8, dog: 0.5, fox: 0.5, eel: 0.5 }) }),
    okRecord({ method: 'weighted', seed: 3, skew: a, perLabel: chartLabels({ cat: 0.8, dog: 0.55, fox: 0.5, eel: 0.35 }) }),
    okRecord({ method: 'baseline', seed: 1, skew: b, perLabel: chartLabels({ cat: 0.9, dog: 0.4, fox: 0.3, eel: 0.0 }) }),
    okRecord({ method: 'baseline', seed: 2, skew: b, perLabel: chartLabels({ cat: 0.7, dog: 0.4, fox: 0.3, eel: 0.2 }) }),
    okRecord({ method: 'weighted', seed: 1, skew: b, perLabel: chartLabels({ cat: 0.8, dog: 0.4, fox: 0.3, eel: 0.5 }) }),
  ];
}
