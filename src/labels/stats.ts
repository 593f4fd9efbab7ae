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

const GROUP_RARITY: Record<LabelGroup, number> = { head: 0, medium: 1, tail: 2 };

/** The group a label has in most of `groups` (one per seed); a tie goes to the rarer group. */
export function majorityGroup(groups: readonly LabelGroup[]): LabelGroup {
  const tally = new Map<LabelGroup, number>();
  for (const g of groups) tally.set(g, (tally.get(g) ?? 0) + 1);
  let best: LabelGroup = groups[0];
  for (const [g, n] of tally) {
    const bestN = tally.get(best)!;
    if (n > bestN || (n === bestN && GROUP_RARITY[g] > GROUP_RARITY[best])) best = g;
  }
  return best;
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
    let geometric: number;
    if (k === 2) {
      const x = irValue[labels[a]];
      const y = irValue[labels[a + 1]];
      sum = x + y;
      geometric = Math.sqrt(x * y);
    } else {
      let logSum = 0;
      for (let j = a; j < b; j++) {
        sum += irValue[labels[j]];
        logSum += logIr[labels[j]];
      }
      geometric = Math.exp(logSum / k);
    }
    scumbleSum += 1 - geometric / (sum / k);
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
 * Distinct rows of the bitset, exactly. Rows are first partitioned by the top byte of a hash, with
 * their words copied beside them, so that each partition's hash table and row comparisons stay in
 * cache instead of probing millions of rows at random.
 */
function countLabelsets(matrix: LabelMatrix): number {
  const n = matrix.rows;
  const W = matrix.wordsPerRow;
  const words = matrix.words;
  const hashes = new Uint32Array(n);
  const start = new Int32Array(257);
  for (let i = 0; i < n; i++) {
    let h = 0x9e3779b9;
    for (let w = 0; w < W; w++) {
      h = Math.imul(h ^ words[i * W + w], 0x85ebca6b);
      h ^= h >>> 15;
    }
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h = (h ^ (h >>> 16)) >>> 0;
    hashes[i] = h;
    start[(h >>> 24) + 1]++;
  }
  let largest = 0;
  for (let b = 0; b < 256; b++) {
    largest = Math.max(largest, start[b + 1]);
    start[b + 1] += start[b];
  }
  const localHash = new Uint32Array(n);
  const localWords = new Uint32Array(n * W);
  const fill = start.slice(0, 256);
  for (let i = 0; i < n; i++) {
    const to = fill[hashes[i] >>> 24]++;
    localHash[to] = hashes[i];
    for (let w = 0; w < W; w++) localWords[to * W + w] = words[i * W + w];
  }
  let size = 1;
  while (size < largest * 2) size <<= 1;
  const table = new Int32Array(size);
  let distinct = 0;
  for (let b = 0; b < 256; b++) {
    const from = start[b];
    const to = start[b + 1];
    if (from === to) continue;
    let bucketSize = 1;
    while (bucketSize < (to - from) * 2) bucketSize <<= 1;
    const mask = bucketSize - 1;
    table.fill(-1, 0, bucketSize);
    for (let r = from; r < to; r++) {
      const h = localHash[r];
      let slot = h & mask;
      for (;;) {
        const q = table[slot];
        if (q === -1) {
          table[slot] = r;
          distinct++;
          break;
        }
        if (localHash[q] === h && sameRow(localWords, r, q, W)) break;
        slot = (slot + 1) & mask;
      }
    }
  }
  return distinct;
}

function sameRow(words: Uint32Array, i: number, j: number, W: number): boolean {
  for (let w = 0; w < W; w++) if (words[i * W + w] !== words[j * W + w]) return false;
  return true;
}
