import { InputError } from '../errors.js';
import { LabelMatrix } from '../labels/matrix.js';
import type { Rng } from '../labels/rng.js';
import type { ImageSet, SplitName } from './types.js';

/** Where mosaic tiles come from: items of known class, each split drawing from its own disjoint pool. */
export interface ItemSource {
  classNames: readonly string[];
  itemSize: number;
  /** Items of class `cls` available to `split` (Infinity for a generated source). */
  poolSize(split: SplitName, cls: number): number;
  /** `count` distinct items of class `cls` from `split`'s pool, in seeded order: count·itemSize² bytes. */
  draw(split: SplitName, cls: number, count: number, rng: Rng): Uint8Array;
}

export interface MosaicOptions {
  /** Tiles per side: an image holds 1 … grid² items. */
  grid: number;
  /** Side of a tile in pixels; items are area-averaged down to it, so it must divide the item size. */
  tileSize: number;
}

/**
 * Which labels each image carries so that label l is on exactly `targets[l]` images and every image
 * carries between 1 and `maxPerImage` distinct labels.
 *
 * Row sizes are drawn uniformly from 1 … maxPerImage and nudged until they sum to Σ targets; then
 * labels, most frequent first, go to the images with the most free slots (seeded tie-breaks). That
 * greedy is the constructive proof of the Gale–Ryser theorem, so it fills every slot whenever the
 * row and column sums admit any 0/1 matrix at all; when they do not, more images with fewer labels
 * each are tried (one label per image is always feasible). The greedy's structure (the fullest
 * images all get the commonest labels) is then mixed away by random swaps — image i trades label a
 * for image j's label b when neither already has the other's — which keep every count and every
 * image's size, so label sets are spread as under a uniform draw with these margins. Rare labels end
 * up beside common ones, as in real multi-label data.
 */
export function assignLabels(targets: readonly number[], maxPerImage: number, rng: Rng): number[][] {
  const L = targets.length;
  const kmax = Math.max(1, Math.min(maxPerImage, L));
  const total = targets.reduce((a, b) => a + b, 0);
  if (total === 0) return [];
  const largest = Math.max(...targets);
  let n = Math.max(largest, Math.ceil(total / ((1 + kmax) / 2)));
  for (;;) {
    const rows = tryAssign(targets, n, kmax, total, rng);
    if (rows) return rows;
    n = Math.min(total, n + Math.max(1, Math.ceil(n * 0.05)));
  }
}

function tryAssign(targets: readonly number[], n: number, kmax: number, total: number, rng: Rng): number[][] | null {
  const size = new Int32Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += size[i] = 1 + rng.int(kmax);
  while (sum > total) {
    const i = rng.int(n);
    if (size[i] > 1) (size[i]--, sum--);
  }
  while (sum < total) {
    const i = rng.int(n);
    if (size[i] < kmax) (size[i]++, sum++);
  }
  const free = Int32Array.from(size);
  const rows: number[][] = Array.from({ length: n }, () => []);
  const byFrequency = Array.from(targets.keys()).sort((a, b) => targets[b] - targets[a] || a - b);
  const tieBreak = new Float64Array(n);
  const order = Array.from({ length: n }, (_, i) => i);
  for (const label of byFrequency) {
    for (let i = 0; i < n; i++) tieBreak[i] = rng.float();
    order.sort((a, b) => free[b] - free[a] || tieBreak[a] - tieBreak[b]);
    for (let k = 0; k < targets[label]; k++) {
      const i = order[k];
      if (free[i] === 0) return null;
      free[i]--;
      rows[i].push(label);
    }
  }
  mixBySwaps(rows, total * SWAPS_PER_LABEL, rng);
  for (const r of rows) r.sort((a, b) => a - b);
  return rows;
}

/** Swap attempts per placed label: enough for the swap chain to forget the greedy's starting point. */
const SWAPS_PER_LABEL = 10;

function mixBySwaps(rows: number[][], attempts: number, rng: Rng): void {
  const n = rows.length;
  if (n < 2) return;
  for (let t = 0; t < attempts; t++) {
    const i = rng.int(n);
    const j = rng.int(n);
    if (i === j) continue;
    const ri = rows[i];
    const rj = rows[j];
    const ka = rng.int(ri.length);
    const kb = rng.int(rj.length);
    const a = ri[ka];
    const b = rj[kb];
    if (a === b || ri.includes(b) || rj.includes(a)) continue;
    ri[ka] = b;
    rj[kb] = a;
  }
}

/** Area-averages a square item of side `from` down to side `to` (an integer factor). */
export function downscale(item: Uint8Array, from: number, to: number, out: Uint8Array = new Uint8Array(to * to)): Uint8Array {
  const f = from / to;
  if (f === 2) {
    // The default tile: a specialised loop, as this is the hottest part of building a mosaic split.
    for (let y = 0; y < to; y++) {
      const row = 2 * y * from;
      for (let x = 0; x < to; x++) {
        const p = row + 2 * x;
        out[y * to + x] = (item[p] + item[p + 1] + item[p + from] + item[p + from + 1] + 2) >> 2;
      }
    }
    return out;
  }
  const area = f * f;
  for (let y = 0; y < to; y++) {
    for (let x = 0; x < to; x++) {
      let s = 0;
      for (let dy = 0; dy < f; dy++) {
        const row = (y * f + dy) * from + x * f;
        for (let dx = 0; dx < f; dx++) s += item[row + dx];
      }
      out[y * to + x] = Math.floor(s / area + 0.5);
    }
  }
  return out;
}

/**
 * Builds one split of mosaics: each label on exactly `targets[l]` images, each image a grid of
 * tiles holding its items (one per label) at seeded positions, the other tiles blank.
 */
export function composeMosaics(
  source: ItemSource,
  split: SplitName,
  targets: readonly number[],
  options: MosaicOptions,
  rng: Rng,
  datasetName: string,
): ImageSet {
  const { grid, tileSize } = options;
  const item = source.itemSize;
  if (!Number.isInteger(tileSize) || tileSize < 1 || item % tileSize !== 0) {
    throw new InputError(`${datasetName}: tileSize must divide the item size ${item} (e.g. ${item / 2} or ${item}), got ${tileSize}`);
  }
  targets.forEach((t, l) => {
    const pool = source.poolSize(split, l);
    if (t > pool) {
      throw new InputError(
        `${datasetName}: label "${source.classNames[l]}" needs ${t} ${split} items but its ${split} pool holds ${pool}; lower nMax or the skew`,
      );
    }
  });
  const rows = assignLabels(targets, grid * grid, rng.fork('labels'));
  rng.fork('rows').shuffle(rows);
  const items = targets.map((t, l) => source.draw(split, l, t, rng.fork(`items:${l}`)));
  const taken = new Int32Array(targets.length);
  const side = grid * tileSize;
  const images = new Uint8Array(rows.length * side * side);
  const tile = new Uint8Array(tileSize * tileSize);
  const place = rng.fork('placement');
  const cells = Array.from({ length: grid * grid }, (_, i) => i);
  rows.forEach((labels, i) => {
    place.shuffle(cells);
    labels.forEach((label, k) => {
      const at = taken[label]++;
      downscale(items[label].subarray(at * item * item, (at + 1) * item * item), item, tileSize, tile);
      const cell = cells[k];
      const top = Math.floor(cell / grid) * tileSize;
      const left = (cell % grid) * tileSize;
      for (let y = 0; y < tileSize; y++) images.set(tile.subarray(y * tileSize, (y + 1) * tileSize), i * side * side + (top + y) * side + left);
    });
  });
  return { images, height: side, width: side, channels: 1, labels: LabelMatrix.fromRows(source.classNames, rows) };
}
