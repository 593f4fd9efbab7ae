import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildDataset, subsampleToProfile } from '../../src/data/build.js';
import { loadEmbedded } from '../../src/data/embedded.js';
import { datasetHash } from '../../src/data/hash.js';
import { splitPools } from '../../src/data/pools.js';
import { parseSkew, profileShares } from '../../src/data/skew.js';
import { SPLITS, type ImageSet, type SplitName } from '../../src/data/types.js';
import { LabelMatrix } from '../../src/labels/matrix.js';
import { createRng } from '../../src/labels/rng.js';
import { inputErrorMessage } from './input-error.js';

const small = { nMax: 40, testPerLabel: 12 };

describe('buildDataset: skew natural on balanced pools', () => {
  it('is a one-line InputError naming the dataset and the folder dataset', async () => {
    expect(await inputErrorMessage(buildDataset({ name: 'shapes', options: small }, parseSkew('natural'), 1))).toBe(
      'dataset shapes: skew natural needs data with its own label frequencies: the folder dataset',
    );
  });
});

describe('buildDataset: shapes', () => {
  it('same dataset, skew and seed ⇒ identical hashes; another seed ⇒ different data', async () => {
    const skew = parseSkew('exponential:10');
    const a = await buildDataset({ name: 'shapes', options: small }, skew, 7);
    const b = await buildDataset({ name: 'shapes', options: small }, skew, 7);
    const c = await buildDataset({ name: 'shapes', options: small }, skew, 8);
    for (const split of SPLITS) {
      expect(datasetHash(a[split])).toBe(datasetHash(b[split]));
      expect(datasetHash(a[split])).not.toBe(datasetHash(c[split]));
    }
  });

  it('realizes the profile exactly in train, follows it in val, balances test', async () => {
    const skew = parseSkew('exponential:10');
    const d = await buildDataset({ name: 'shapes', options: small }, skew, 3);
    expect(d.labels).toHaveLength(10);
    expect(Array.from(d.train.labels.counts())).toEqual(d.targets);
    // The targets are the profile's, in a seeded label order.
    const expected = profileShares(skew, 10).map((s) => Math.max(1, Math.round(40 * s)));
    expect([...d.targets].sort((x, y) => y - x)).toEqual(expected);
    expect(Array.from(d.val.labels.counts())).toEqual(d.targets.map((t) => Math.max(1, Math.round(t * 0.25))));
    expect(Array.from(d.test.labels.counts())).toEqual(new Array(10).fill(12));
    for (const split of SPLITS) {
      const set = d[split];
      expect([set.height, set.width, set.channels]).toEqual([28, 28, 1]);
      expect(set.images.length).toBe(set.labels.rows * 28 * 28);
      for (let i = 0; i < set.labels.rows; i++) {
        expect(set.labels.rowCount(i)).toBeGreaterThanOrEqual(1);
        expect(set.labels.rowCount(i)).toBeLessThanOrEqual(4);
      }
    }
    // Rare labels share images with common ones.
    const rare = d.targets.indexOf(Math.min(...d.targets));
    const rows = Array.from({ length: d.train.labels.rows }, (_, i) => i).filter((i) => d.train.labels.has(i, rare));
    expect(rows.some((i) => d.train.labels.rowCount(i) > 1)).toBe(true);
  });

  it('puts each item in its own tile: tileSize 28 gives 56 × 56, a 3 × 3 grid up to 9 labels', async () => {
    const big = await buildDataset({ name: 'shapes', options: { ...small, tileSize: 28 } }, parseSkew('uniform'), 1);
    expect([big.train.height, big.train.width]).toEqual([56, 56]);
    const grid = await buildDataset({ name: 'shapes', options: { ...small, grid: 3 } }, parseSkew('uniform'), 1);
    expect(grid.train.height).toBe(42);
    const most = Math.max(...Array.from({ length: grid.train.labels.rows }, (_, i) => grid.train.labels.rowCount(i)));
    expect(most).toBeGreaterThan(4);
    expect(most).toBeLessThanOrEqual(9);
  });

  it('declares its label-preserving augmentations', async () => {
    const d = await buildDataset({ name: 'shapes', options: small }, parseSkew('uniform'), 1);
    expect(d.augmentations).toEqual(['flip', 'zoom', 'brightness']);
  });

  it('rejects bad input with one-line errors naming what was expected', async () => {
    expect(await inputErrorMessage(buildDataset({ name: 'cifar' }, parseSkew('uniform'), 1))).toMatch(/unknown dataset "cifar" \(expected one of fashion-mosaic, digits-mosaic, mixed-mosaic, shapes, folder\)/);
    expect(await inputErrorMessage(buildDataset({ name: 'shapes', options: { gird: 3 } }, parseSkew('uniform'), 1))).toMatch(/dataset "shapes": options: Unrecognized key: "gird"/i);
    expect(await inputErrorMessage(buildDataset({ name: 'shapes', options: { nMax: -3 } }, parseSkew('uniform'), 1))).toMatch(/dataset "shapes": options\.nMax: /);
    expect(await inputErrorMessage(buildDataset({ name: 'shapes', options: { tileSize: 10 } }, parseSkew('uniform'), 1))).toMatch(/tileSize must divide the item size 28/);
    expect(await inputErrorMessage(buildDataset({ name: 'folder' }, parseSkew('uniform'), 1))).toMatch(/dataset "folder": options\.dir: /);
  });
});

/** Tiles of every image, each hashed, with the image's row. */
function tiles(set: ImageSet, tile: number): Array<{ row: number; hash: string; bytes: Uint8Array }> {
  const out: Array<{ row: number; hash: string; bytes: Uint8Array }> = [];
  const grid = set.width / tile;
  for (let i = 0; i < set.labels.rows; i++) {
    for (let ty = 0; ty < grid; ty++) {
      for (let tx = 0; tx < grid; tx++) {
        const bytes = new Uint8Array(tile * tile);
        for (let y = 0; y < tile; y++) bytes.set(set.images.subarray(i * set.width * set.height + (ty * tile + y) * set.width + tx * tile, i * set.width * set.height + (ty * tile + y) * set.width + tx * tile + tile), y * tile);
        if (bytes.some((v) => v !== 0)) out.push({ row: i, hash: createHash('sha1').update(bytes).digest('hex'), bytes });
      }
    }
  }
  return out;
}

describe('buildDataset: digits mosaics', () => {
  it('composes real MNIST items: each tile is an item of its split pool, of a class the image is labelled with', async () => {
    const d = await buildDataset({ name: 'digits-mosaic', options: { nMax: 60, testPerLabel: 30, tileSize: 28 } }, parseSkew('step:0.3:10'), 5);
    const store = loadEmbedded('digits');
    const pools = splitPools(store.classes, 10);
    const itemSplit = new Map<string, { split: SplitName; cls: number }>();
    for (const split of SPLITS) {
      pools[split].forEach((indices, cls) => {
        for (const i of indices) itemSplit.set(createHash('sha1').update(store.pixels.subarray(i * 784, (i + 1) * 784)).digest('hex'), { split, cls });
      });
    }
    const seen: Record<SplitName, Set<string>> = { train: new Set(), val: new Set(), test: new Set() };
    for (const split of SPLITS) {
      const set = d[split];
      const classesOf = new Map<number, Set<number>>();
      for (const t of tiles(set, 28)) {
        const item = itemSplit.get(t.hash);
        expect(item?.split).toBe(split);
        seen[split].add(t.hash);
        if (!classesOf.has(t.row)) classesOf.set(t.row, new Set());
        classesOf.get(t.row)!.add(item!.cls);
      }
      for (let i = 0; i < set.labels.rows; i++) expect([...classesOf.get(i)!].sort()).toEqual(set.labels.labelsOf(i));
    }
    for (const h of seen.train) expect(seen.test.has(h) || seen.val.has(h)).toBe(false);
    expect(Array.from(d.train.labels.counts())).toEqual(d.targets);
    expect(d.augmentations).not.toContain('flip');
  });

  it('names the label and the numbers when the profile needs more items than a class has', async () => {
    const message = await inputErrorMessage(buildDataset({ name: 'digits-mosaic', options: { nMax: 700 } }, parseSkew('uniform'), 1));
    // Class 2 (the first too small) has 991 items, ⌊0.7 · 991⌋ = 693 of them in the train pool.
    expect(message).toBe('digits-mosaic: label "2" needs 700 train items but its train pool holds 693; lower nMax or the skew');
  });
});

describe('buildDataset: fashion-mosaic defaults', () => {
  it('builds a 2–3 k image training set that follows exponential:50 exactly, with a balanced test of 100 per label', async () => {
    const d = await buildDataset({ name: 'fashion-mosaic' }, parseSkew('exponential:50'), 1);
    expect(d.train.labels.rows).toBeGreaterThan(2000);
    expect(d.train.labels.rows).toBeLessThan(3000);
    expect(Array.from(d.train.labels.counts())).toEqual(d.targets);
    expect(Math.max(...d.targets)).toBe(2000);
    expect(Math.min(...d.targets)).toBe(40);
    expect(Array.from(d.test.labels.counts())).toEqual(new Array(10).fill(100));
    expect(d.labels).toEqual(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
  });
});

describe('subsampleToProfile', () => {
  it('draws a profile from single-label data exactly, rarest first, with n_max the most every label allows', () => {
    const rng = createRng(4);
    const names = ['a', 'b', 'c', 'd'];
    const sizes = [300, 200, 120, 90];
    const rows = sizes.flatMap((n, l) => new Array(n).fill([l]));
    rng.shuffle(rows);
    const set: ImageSet = { images: new Uint8Array(rows.length), height: 1, width: 1, channels: 1, labels: LabelMatrix.fromRows(names, rows) };
    const { set: sub, targets } = subsampleToProfile(set, parseSkew('exponential:3'), createRng(1));
    // Ranks follow the data's own order; n_max = min(300, 200 / 3^(−1/3), 120 / 3^(−2/3), 90 · 3) = 249.
    expect(targets).toEqual([249, 173, 120, 83]);
    expect(Array.from(sub.labels.counts())).toEqual(targets);
  });

  it('keeps realized counts of co-occurring labels at or above their targets', () => {
    const rng = createRng(9);
    const names = ['a', 'b', 'c', 'd', 'e'];
    const rows = Array.from({ length: 800 }, () => names.map((_, l) => l).filter((l) => rng.float() < 0.5 / (l + 1)));
    const set: ImageSet = { images: new Uint8Array(800), height: 1, width: 1, channels: 1, labels: LabelMatrix.fromRows(names, rows) };
    const { set: sub, targets } = subsampleToProfile(set, parseSkew('exponential:5'), createRng(2));
    const counts = sub.labels.counts();
    targets.forEach((t, l) => expect(counts[l]).toBeGreaterThanOrEqual(t));
    // Images taken for commoner labels also carry rarer ones, so those overshoot — but only a little,
    // because images adding to labels already at target are taken last.
    targets.forEach((t, l) => expect(counts[l] - t).toBeLessThanOrEqual(Math.max(2, 0.05 * t)));
  });

  it('names the label and the numbers when n_max asks for more than the data holds', () => {
    const set: ImageSet = { images: new Uint8Array(3), height: 1, width: 1, channels: 1, labels: LabelMatrix.fromRows(['cat', 'dog'], [[0], [0], [1]]) };
    expect(() => subsampleToProfile(set, parseSkew('uniform'), createRng(1), { nMax: 2, what: 'pets' })).toThrow('pets: skew uniform with nMax 2 needs 2 images of label "dog" but only 1 have it');
  });
});
