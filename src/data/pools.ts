import type { Rng } from '../labels/rng.js';
import type { ItemStore } from './cache.js';
import type { ItemSource } from './mosaic.js';
import type { SplitName } from './types.js';

/**
 * Shares of each class's items, by index, that form the train / val / test pools. Splitting by index
 * (not by seed) keeps every item image in one split whatever the seed, skew or dataset options.
 */
export const POOL_SHARES: Readonly<Record<SplitName, readonly [number, number]>> = {
  train: [0, 0.7],
  val: [0.7, 0.85],
  test: [0.85, 1],
};

/** Item indices of each class in each split's pool. */
export function splitPools(classes: Uint8Array, numClasses: number): Record<SplitName, Int32Array[]> {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  classes.forEach((c, i) => byClass[c].push(i));
  const pools = { train: [] as Int32Array[], val: [] as Int32Array[], test: [] as Int32Array[] };
  for (const indices of byClass) {
    for (const split of Object.keys(POOL_SHARES) as SplitName[]) {
      const [from, to] = POOL_SHARES[split];
      pools[split].push(Int32Array.from(indices.slice(Math.floor(from * indices.length), Math.floor(to * indices.length))));
    }
  }
  return pools;
}

/** An item source over one or more stores of 28 × 28 × 1 items; classes of later stores are numbered after earlier ones. */
export function storeSource(parts: Array<{ store: ItemStore; classNames: readonly string[] }>): ItemSource {
  const classNames: string[] = [];
  const entries: Array<{ store: ItemStore; pools: Record<SplitName, Int32Array[]>; local: number }> = [];
  for (const { store, classNames: names } of parts) {
    const pools = splitPools(store.classes, names.length);
    names.forEach((name, local) => {
      classNames.push(name);
      entries.push({ store, pools, local });
    });
  }
  const itemSize = parts[0].store.height;
  const bytes = itemSize * itemSize;
  return {
    classNames,
    itemSize,
    poolSize: (split, cls) => entries[cls].pools[split][entries[cls].local].length,
    draw(split: SplitName, cls: number, count: number, rng: Rng): Uint8Array {
      const { store, pools, local } = entries[cls];
      const pool = rng.shuffle(Int32Array.from(pools[split][local]));
      const out = new Uint8Array(count * bytes);
      for (let k = 0; k < count; k++) out.set(store.pixels.subarray(pool[k] * bytes, (pool[k] + 1) * bytes), k * bytes);
      return out;
    },
  };
}
