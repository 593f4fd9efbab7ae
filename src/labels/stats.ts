import type { LabelMatrix } from './matrix.js';

export type LabelGroup = 'head' | 'medium' | 'tail';

/** Count thresholds for the head / medium / tail groups: head ≥ `head`, tail < `tail`, medium between. */
export interface GroupThresholds {
  head: number;
  tail: number;
}

export const DEFAULT_GROUPS: GroupThresholds = { head: 100, tail: 20 };

export interface LabelStat {
  name: string;
  count: number;
  share: number;
  /** max count / count; null for a label with no images. */
  irlbl: number | null;
  group: LabelGroup;
}

export interface LabelStats {
  images: number;
  /** Mean number of labels per image. */
  cardinality: number;
  /** cardinality / number of labels. */
  density: number;
  /** Distinct label sets among the images (the empty set counts when an image has no label). */
  labelsets: number;
  meanIR: number;
  maxIR: number;
  cvIR: number;
  scumble: number;
  labels: LabelStat[];
  warnings: string[];
}

export function groupOf(count: number, groups: GroupThresholds = DEFAULT_GROUPS): LabelGroup {
  if (count >= groups.head) return 'head';
  if (count < groups.tail) return 'tail';
  return 'medium';
}

export function checkGroups(groups: GroupThresholds): void {
  if (!(Number.isFinite(groups.head) && Number.isFinite(groups.tail) && groups.tail >= 0 && groups.head >= groups.tail)) {
    throw new RangeError(`group thresholds must satisfy 0 ≤ tail ≤ head, got head=${groups.head}, tail=${groups.tail}`);
  }
}

/**
 * Per-label IRLbl = max count / count, null where count is 0 (such labels are left out of every
 * aggregate, as mldr does when it drops empty labels).
 */
export function irlbl(counts: ArrayLike<number>): Array<number | null> {
  let max = 0;
  for (let l = 0; l < counts.length; l++) if (counts[l] > max) max = counts[l];
  return Array.from(counts, (c) => (c > 0 ? max / c : null));
}

/**
 * Imbalance measures of Charte et al. (IRLbl, MeanIR, MaxIR, CVIR, SCUMBLE) as mldr defines them,
 * plus cardinality, density and distinct label sets.
 */
export function labelStats(matrix: LabelMatrix, options: { groups?: GroupThresholds } = {}): LabelStats {
  const groups = options.groups ?? DEFAULT_GROUPS;
  checkGroups(groups);
  const n = matrix.rows;
  const L = matrix.numLabels;
  const { offsets, labels } = matrix.positives();
  const counts = matrix.counts();
  const ir = irlbl(counts);
  const warnings: string[] = [];
  const empty = matrix.labels.filter((_, l) => counts[l] === 0);
  if (empty.length > 0) {
    warnings.push(`${empty.length === 1 ? 'label' : 'labels'} with no images, left out of MeanIR/MaxIR/CVIR/SCUMBLE: ${empty.join(', ')}`);
  }

  const present = ir.filter((v): v is number => v !== null);
  const q = present.length;
  const meanIR = q > 0 ? present.reduce((a, b) => a + b, 0) / q : 0;
  const maxIR = q > 0 ? Math.max(...present) : 0;
  let cvIR = 0;
  if (q > 1 && meanIR > 0) {
    let ss = 0;
    for (const v of present) ss += (v - meanIR) ** 2;
    cvIR = Math.sqrt(ss / (q - 1)) / meanIR;
  }

  const logIr = new Float64Array(L);
  const irValue = new Float64Array(L);
  for (let l = 0; l < L; l++) {
    irValue[l] = ir[l] ?? 0;
    logIr[l] = ir[l] !== null ? Math.log(ir[l] as number) : 0;
  }
  let scumbleSum = 0;
  for (let i = 0; i < n; i++) {
    const a = offsets[i];
    const b = offsets[i + 1];
    const k = b - a;
    if (k < 2) continue; // no label, or one label: geometric mean = arithmetic mean, SCUMBLE 0
    let sum = 0;
    let logSum = 0;
    for (let j = a; j < b; j++) {
      sum += irValue[labels[j]];
      logSum += logIr[labels[j]];
    }
    scumbleSum += 1 - Math.exp(logSum / k) / (sum / k);
  }

  const total = offsets[n];
  const cardinality = n > 0 ? total / n : 0;
  return {
    images: n,
    cardinality,
    density: L > 0 ? cardinality / L : 0,
    labelsets: countLabelsets(matrix),
    meanIR,
    maxIR,
    cvIR,
    scumble: n > 0 ? scumbleSum / n : 0,
    labels: matrix.labels.map((name, l) => ({
      name,
      count: counts[l],
      share: n > 0 ? counts[l] / n : 0,
      irlbl: ir[l],
      group: groupOf(counts[l], groups),
    })),
    warnings,
  };
}

/**
 * Distinct rows of the bitset, exactly: hash every row, radix-sort the rows by hash (sequential
 * passes, unlike a hash table's random probes over millions of rows), then compare the rows within
 * each run of equal hashes.
 */
function countLabelsets(matrix: LabelMatrix): number {
  const n = matrix.rows;
  const W = matrix.wordsPerRow;
  const words = matrix.words;
  const hashes = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let h = 0x9e3779b9;
    for (let w = 0; w < W; w++) {
      h = Math.imul(h ^ words[i * W + w], 0x85ebca6b);
      h ^= h >>> 15;
    }
    hashes[i] = h >>> 0;
  }
  // LSD radix sort of (hash, row) pairs, moving keys with their rows so every pass reads sequentially.
  let keys = hashes.slice();
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let keys2 = new Uint32Array(n);
  let order2 = new Int32Array(n);
  const bucket = new Int32Array(257);
  for (let shift = 0; shift < 32; shift += 8) {
    bucket.fill(0);
    for (let k = 0; k < n; k++) bucket[((keys[k] >>> shift) & 255) + 1]++;
    for (let b = 0; b < 256; b++) bucket[b + 1] += bucket[b];
    for (let k = 0; k < n; k++) {
      const to = bucket[(keys[k] >>> shift) & 255]++;
      keys2[to] = keys[k];
      order2[to] = order[k];
    }
    [keys, keys2] = [keys2, keys];
    [order, order2] = [order2, order];
  }
  let distinct = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && keys[end] === keys[start]) end++;
    // Rows with equal hashes: count those unlike every earlier row of the run (runs are tiny).
    for (let a = start; a < end; a++) {
      let seen = false;
      for (let b = start; b < a && !seen; b++) seen = sameRow(words, order[a], order[b], W);
      if (!seen) distinct++;
    }
    start = end;
  }
  return distinct;
}

function sameRow(words: Uint32Array, i: number, j: number, W: number): boolean {
  for (let w = 0; w < W; w++) if (words[i * W + w] !== words[j * W + w]) return false;
  return true;
}
