import type { ItemStore } from '../src/data/cache.js';
import type { Rng } from '../src/labels/rng.js';

/*
 * Colour pictures made from the embedded greyscale items, in one style for two uses: the images the
 * shipped backbone is pretrained on (Fashion-MNIST items) and the folder of the README's transfer
 * experiment (MNIST digits, which the backbone never saw). Each picture is a `cells` × `cells` grid;
 * some cells hold an item, tinted a random bright colour over a random dark background. A picture's
 * labels are the classes of the items in it.
 */

export interface TintedOptions {
  /** Pictures to make. */
  count: number;
  /** Side of a picture in pixels; a cell is size / cells. */
  size: number;
  cells: number;
  /** Items per picture, from 1 to this (distinct cells). */
  maxItems: number;
  /** Relative frequency of each class (it need not sum to 1). */
  classWeights: readonly number[];
  /** Which items of each class may be drawn (e.g. a pool), by class; default all. */
  itemsOf?: readonly Int32Array[];
}

export interface TintedPictures {
  /** count · size · size · 3 bytes, RGB. */
  pixels: Uint8Array;
  /** Classes in each picture, ascending. */
  labels: number[][];
}

/** Item `index` (28 × 28 × 1) resampled to `cell` × `cell` by bilinear interpolation, 0–1. */
function resampled(store: ItemStore, index: number, cell: number): Float32Array {
  const side = store.height;
  const src = store.pixels.subarray(index * side * side, (index + 1) * side * side);
  const out = new Float32Array(cell * cell);
  const scale = side / cell;
  for (let y = 0; y < cell; y++) {
    const sy = Math.min(side - 1, Math.max(0, (y + 0.5) * scale - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(side - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < cell; x++) {
      const sx = Math.min(side - 1, Math.max(0, (x + 0.5) * scale - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(side - 1, x0 + 1);
      const fx = sx - x0;
      const top = src[y0 * side + x0] * (1 - fx) + src[y0 * side + x1] * fx;
      const bottom = src[y1 * side + x0] * (1 - fx) + src[y1 * side + x1] * fx;
      out[y * cell + x] = (top * (1 - fy) + bottom * fy) / 255;
    }
  }
  return out;
}

export function tintedPictures(store: ItemStore, options: TintedOptions, rng: Rng): TintedPictures {
  const { count, size, cells, maxItems, classWeights } = options;
  const cell = Math.floor(size / cells);
  const classes = classWeights.length;
  const itemsOf =
    options.itemsOf ??
    Array.from({ length: classes }, (_, c) => Int32Array.from(Array.from(store.classes.keys()).filter((i) => store.classes[i] === c)));
  const total = classWeights.reduce((a, b) => a + b, 0);
  const drawClass = (): number => {
    let u = rng.float() * total;
    for (let c = 0; c < classes; c++) {
      u -= classWeights[c];
      if (u < 0) return c;
    }
    return classes - 1;
  };
  const pixels = new Uint8Array(count * size * size * 3);
  const labels: number[][] = [];
  for (let p = 0; p < count; p++) {
    const background = [rng.int(70), rng.int(70), rng.int(70)];
    const base = p * size * size * 3;
    for (let i = 0; i < size * size; i++) for (let ch = 0; ch < 3; ch++) pixels[base + i * 3 + ch] = background[ch];
    const slots = rng.shuffle(Int32Array.from({ length: cells * cells }, (_, k) => k));
    const items = 1 + rng.int(maxItems);
    const present = new Set<number>();
    for (let k = 0; k < items; k++) {
      const c = drawClass();
      present.add(c);
      const pool = itemsOf[c];
      const item = resampled(store, pool[rng.int(pool.length)], cell);
      // A bright tint: one channel near full, the others anywhere.
      const tint = [rng.int(256), rng.int(256), rng.int(256)];
      tint[rng.int(3)] = 200 + rng.int(56);
      const top = Math.floor(slots[k] / cells) * cell;
      const left = (slots[k] % cells) * cell;
      for (let y = 0; y < cell; y++) {
        for (let x = 0; x < cell; x++) {
          const a = item[y * cell + x];
          const at = base + ((top + y) * size + left + x) * 3;
          for (let ch = 0; ch < 3; ch++) pixels[at + ch] = Math.round(background[ch] * (1 - a) + tint[ch] * a);
        }
      }
    }
    labels.push([...present].sort((a, b) => a - b));
  }
  return { pixels, labels };
}
