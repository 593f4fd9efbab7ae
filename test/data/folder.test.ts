import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../src/data/build.js';
import { decodeCalls, FOLDER_SHARES, loadFolder } from '../../src/data/folder.js';
import { parseSkew } from '../../src/data/skew.js';
import { inputErrorMessage } from './input-error.js';

const root = mkdtempSync(join(tmpdir(), 'skewbench-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
// Decoded folders and image hashes are cached: here, in this test's own folder.
const cache = join(root, 'cache');
process.env.SKEWBENCH_CACHE_DIR = cache;

const LABELS = ['cat', 'dog', 'sky'];

/** A folder of n solid-colour images whose labels follow from the index, as PNG, JPEG and WebP. */
async function makeFolder(name: string, n: number): Promise<string> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const lines = ['file,labels'];
  for (let i = 0; i < n; i++) {
    const ext = ['png', 'jpg', 'webp'][i % 3];
    const file = `img${i}.${ext}`;
    const grey = (i * 37) % 256;
    await sharp({ create: { width: 12, height: 8, channels: 3, background: { r: grey, g: grey, b: grey } } })
      .toFormat(ext === 'jpg' ? 'jpeg' : (ext as 'png' | 'webp'), ext === 'webp' ? { lossless: true } : {})
      .toFile(join(dir, file));
    const labels = LABELS.filter((_, l) => i % (l + 2) === 0 || (l === 2 && i % 2 === 1));
    lines.push(`${file},${labels.join('|')}`);
  }
  writeFileSync(join(dir, 'labels.csv'), lines.join('\n') + '\n');
  return dir;
}

let dir: string;
beforeAll(async () => {
  dir = await makeFolder('ok', 90);
});

describe('loadFolder', () => {
  it('decodes PNG, JPEG and WebP, resized to the asked size and channels', async () => {
    const grey = await loadFolder({ dir, size: 6, channels: 1 });
    expect(grey.labels.rows).toBe(90);
    expect([grey.height, grey.width, grey.channels]).toEqual([6, 6, 1]);
    expect(grey.images.length).toBe(90 * 36);
    // Image 3 is a solid grey of 111: every pixel decodes to (about) that value. Rows follow the ids.
    const row = grey.labels.ids!.indexOf('img3.png');
    for (const v of grey.images.subarray(row * 36, (row + 1) * 36)) expect(Math.abs(v - 111)).toBeLessThanOrEqual(2);
    expect(grey.labels.labels).toEqual(LABELS);
    const rgb = await loadFolder({ dir, size: 4, channels: 3 });
    expect(rgb.images.length).toBe(90 * 4 * 4 * 3);
  });

  it('names an absent file, an undecodable file, an empty folder and a missing labels file', async () => {
    const absent = await makeFolder('absent', 3);
    writeFileSync(join(absent, 'labels.csv'), 'file,labels\nimg0.png,cat\nghost.png,dog\n');
    expect(await inputErrorMessage(loadFolder({ dir: absent, size: 8, channels: 1 }))).toMatch(/labels\.csv:3: image "ghost\.png" is not a file in .*absent/);

    const broken = await makeFolder('broken', 3);
    writeFileSync(join(broken, 'img1.jpg'), 'not a jpeg at all');
    expect(await inputErrorMessage(loadFolder({ dir: broken, size: 8, channels: 1 }))).toMatch(/broken[/\\]img1\.jpg: cannot decode image/);

    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(await inputErrorMessage(loadFolder({ dir: empty, size: 8, channels: 1 }))).toMatch(/folder .*empty: no PNG, JPEG or WebP images in it/);

    const noCsv = join(root, 'nocsv');
    mkdirSync(noCsv);
    await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } }).png().toFile(join(noCsv, 'a.png'));
    expect(await inputErrorMessage(loadFolder({ dir: noCsv, size: 8, channels: 1 }))).toMatch(/labels file .*nocsv[/\\]labels\.csv not found/);

    expect(await inputErrorMessage(loadFolder({ dir: join(root, 'nowhere'), size: 8, channels: 1 }))).toMatch(/nowhere: not a directory/);

    // Images in subfolders, named by their paths in the labels file, as many people keep them.
    const nested = join(root, 'nested');
    for (const [sub, colour] of [['cats', '#a03020'], ['dogs', '#2040a0']] as const) {
      mkdirSync(join(nested, sub), { recursive: true });
      for (let i = 0; i < 3; i++) await sharp({ create: { width: 4, height: 4, channels: 3, background: colour } }).png().toFile(join(nested, sub, `${i}.png`));
    }
    writeFileSync(join(nested, 'labels.csv'), `file,labels,split\n${['cats', 'dogs'].flatMap((sub) => ['train', 'val', 'test'].map((split, i) => `${sub}/${i}.png,${sub},${split}`)).join('\n')}\n`);
    const loaded = await loadFolder({ dir: nested });
    expect([loaded.labels.rows, loaded.height, loaded.width, loaded.channels]).toEqual([6, 4, 4, 3]);
  });
});

describe('buildDataset: folder', () => {
  it('splits by a stratification of the ids and subsamples train to the skew', async () => {
    const d = await buildDataset({ name: 'folder', options: { dir, size: 8 } }, parseSkew('exponential:2'), 3);
    expect(d.labels).toEqual(LABELS);
    const trainIds = new Set(d.train.labels.ids);
    for (const id of d.test.labels.ids!) expect(trainIds.has(id)).toBe(false);
    const { split, labels } = await loadFolder({ dir, size: 8 });
    const splitOf = new Map(labels.ids!.map((id, i) => [id, split[i]]));
    for (const id of d.train.labels.ids!) expect(splitOf.get(id)).toBe('train');
    for (const id of d.test.labels.ids!) expect(splitOf.get(id)).toBe('test');
    const counts = d.train.labels.counts();
    d.targets.forEach((t, l) => expect(counts[l]).toBeGreaterThanOrEqual(t));
    expect(Math.max(...d.targets) / Math.min(...d.targets)).toBeCloseTo(2, 0);
    expect(d.augmentations).toEqual(['flip', 'rotate', 'zoom', 'brightness']);
    // Test is balanced at what the scarcest label supplies (the folder is small), and says so.
    const testCounts = d.test.labels.counts();
    const perLabel = d.testTargets[0];
    expect(d.testTargets.every((t) => t === perLabel)).toBe(true);
    testCounts.forEach((c) => expect(c).toBeGreaterThanOrEqual(perLabel));
    expect(Math.min(...testCounts)).toBe(perLabel);
    expect(d.warnings).toEqual([expect.stringMatching(new RegExp(`has ${perLabel} test images, so test is balanced at ${perLabel} per label \\(testPerLabel 100\\)`))]);
    const again = await buildDataset({ name: 'folder', options: { dir, size: 8 } }, parseSkew('exponential:2'), 3);
    expect(again.train.labels.ids).toEqual(d.train.labels.ids);
  });

  it('names the label and the numbers when nMax asks for more than the folder has', async () => {
    expect(await inputErrorMessage(buildDataset({ name: 'folder', options: { dir, size: 8, nMax: 500 } }, parseSkew('uniform'), 1))).toMatch(
      /train split: skew uniform with nMax 500 needs 500 images of label "\w+" but only \d+ have it/,
    );
  });
});

/** A folder from rows of [file, grey level or RGB, labels, split?]; a header with a split column when any row has one. */
async function folderOf(name: string, rows: Array<{ file: string; colour: number | [number, number, number]; labels: string[]; split?: string }>, size = { width: 6, height: 4 }): Promise<string> {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  const withSplit = rows.some((r) => r.split !== undefined);
  const lines = [withSplit ? 'file,labels,split' : 'file,labels'];
  for (const r of rows) {
    const [red, green, blue] = typeof r.colour === 'number' ? [r.colour, r.colour, r.colour] : r.colour;
    await sharp({ create: { ...size, channels: 3, background: { r: red, g: green, b: blue } } })
      .png()
      .toFile(join(d, r.file));
    lines.push([r.file, r.labels.join('|'), ...(withSplit ? [r.split ?? ''] : [])].join(','));
  }
  writeFileSync(join(d, 'labels.csv'), lines.join('\n') + '\n');
  return d;
}

/** n images, label "a" on every image, "b" on every third, "c" on every fourth; split cycling train ×3, val, test when `split`. */
function rowsOf(n: number, split: boolean): Array<{ file: string; colour: number; labels: string[]; split?: string }> {
  return Array.from({ length: n }, (_, i) => ({
    file: `p${i}.png`,
    colour: (i * 13) % 256,
    labels: ['a', ...(i % 3 === 0 ? ['b'] : []), ...(i % 4 === 0 ? ['c'] : [])],
    ...(split ? { split: ['train', 'TRAIN', 'Train', 'val', 'test'][i % 5] } : {}),
  }));
}

describe('folder splits and skew natural', () => {
  it('natural keeps every image: train, val and test are the splits as they are, targets their counts', async () => {
    const d = await buildDataset({ name: 'folder', options: { dir, size: 4 } }, parseSkew('natural'), 1);
    expect(d.train.labels.rows + d.val.labels.rows + d.test.labels.rows).toBe(90);
    expect(d.targets).toEqual(Array.from(d.train.labels.counts()));
    expect(d.valTargets).toEqual(Array.from(d.val.labels.counts()));
    expect(d.testTargets).toEqual(Array.from(d.test.labels.counts()));
    const counts = d.targets;
    expect(d.ranks).toEqual([0, 1, 2].sort((a, b) => counts[b] - counts[a] || a - b));
    const ids = [...d.train.labels.ids!, ...d.val.labels.ids!, ...d.test.labels.ids!];
    expect(new Set(ids).size).toBe(90);
    // The seed draws nothing: another seed gives the same sets.
    const other = await buildDataset({ name: 'folder', options: { dir, size: 4 } }, parseSkew('natural'), 7);
    expect(other.test.labels.ids).toEqual(d.test.labels.ids);
  });

  it('stratifies a folder without a split column: each label in about the shares 0.7 / 0.1 / 0.2, whatever the row order', async () => {
    const { split, labels } = await loadFolder({ dir, size: 4 });
    const totals = labels.counts();
    for (const s of ['train', 'val', 'test'] as const) {
      const counts = labels.select(split.flatMap((x, i) => (x === s ? [i] : []))).counts();
      counts.forEach((c, l) => expect(Math.abs(c - FOLDER_SHARES[s] * totals[l]), `${s} ${labels.labels[l]}`).toBeLessThanOrEqual(2));
    }
    // The same file with its rows reversed puts every image in the same split.
    const csv = readFileSync(join(dir, 'labels.csv'), 'utf8').trim().split('\n');
    const reversed = join(root, 'reversed.csv');
    writeFileSync(reversed, [csv[0], ...csv.slice(1).reverse()].join('\n') + '\n');
    const again = await loadFolder({ dir, labels: reversed, size: 4 });
    const splitOf = new Map(labels.ids!.map((id, i) => [id, split[i]]));
    again.labels.ids!.forEach((id, i) => expect(again.split[i]).toBe(splitOf.get(id)));
  });

  it('gives the same data whatever the row order of the labels file: rows follow the image ids', async () => {
    const csv = readFileSync(join(dir, 'labels.csv'), 'utf8').trim().split('\n');
    const reversed = join(root, 'reversed-rows.csv');
    writeFileSync(reversed, [csv[0], ...csv.slice(1).reverse()].join('\n') + '\n');
    for (const skew of ['natural', 'exponential:2']) {
      const a = await buildDataset({ name: 'folder', options: { dir, size: 4 } }, parseSkew(skew), 2);
      const b = await buildDataset({ name: 'folder', options: { dir, labels: reversed, size: 4 } }, parseSkew(skew), 2);
      for (const s of ['train', 'val', 'test'] as const) {
        expect(b[s].labels.ids, `${skew} ${s}`).toEqual(a[s].labels.ids);
        expect(b[s].images).toEqual(a[s].images);
      }
    }
    const ids = (await loadFolder({ dir, size: 4 })).labels.ids!;
    expect(ids).toEqual([...ids].sort());
  });

  it('honours a split column as given (any case), never as a label', async () => {
    const d = await folderOf('given', rowsOf(25, true));
    const loaded = await loadFolder({ dir: d, size: 4 });
    expect(loaded.labels.labels).toEqual(['a', 'b', 'c']);
    expect(loaded.splitGiven).toBe(true);
    loaded.split.forEach((s, row) => expect(s).toBe(['train', 'train', 'train', 'val', 'test'][Number(loaded.labels.ids![row].slice(1, -4)) % 5]));
    const natural = await buildDataset({ name: 'folder', options: { dir: d, size: 4 } }, parseSkew('natural'), 1);
    expect(natural.test.labels.ids).toEqual(['p14.png', 'p19.png', 'p24.png', 'p4.png', 'p9.png']);
    expect(natural.train.labels.rows).toBe(15);
  });

  it('an unknown split value is a one-line InputError naming file:line and the allowed values', async () => {
    const d = await folderOf('badsplit', rowsOf(6, true));
    writeFileSync(join(d, 'labels.csv'), readFileSync(join(d, 'labels.csv'), 'utf8').replace('p1.png,a,TRAIN', 'p1.png,a,dev'));
    expect(await inputErrorMessage(loadFolder({ dir: d, size: 4 }))).toMatch(/badsplit[/\\]labels\.csv:3: split "dev" is not one of train, val, test/);
  });

  it('a label with no test images is a one-line InputError naming the label, the file and the way out', async () => {
    const rows = rowsOf(25, true).map((r) => ({ ...r, labels: r.split === 'test' ? r.labels.filter((l) => l !== 'c') : r.labels }));
    const d = await folderOf('notest', rows);
    expect(await inputErrorMessage(buildDataset({ name: 'folder', options: { dir: d, size: 4 } }, parseSkew('natural'), 1))).toMatch(
      /notest[/\\]labels\.csv: label "c" has no test images in the split column \(\d+ images, none marked test\): mark some of its images test, or remove the label/,
    );
    const few = await folderOf('fewc', rowsOf(25, false).map((r, i) => ({ ...r, labels: i === 0 ? ['a', 'c'] : r.labels.filter((l) => l !== 'c') })));
    expect(await inputErrorMessage(loadFolder({ dir: few, size: 4 }))).toMatch(/label "c" has 1 image, too few for the stratified split to put one in test: add images of "c", give the file a split column, or remove the label/);
  });
});

describe('folder shapes and channels', () => {
  /** An 8 × 4 image whose column c has grey level 30·c (a horizontal ramp). */
  async function ramp(): Promise<string> {
    const d = join(root, 'ramp');
    mkdirSync(d, { recursive: true });
    const pixels = Buffer.alloc(8 * 4);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) pixels[y * 8 + x] = 30 * x;
    await sharp(pixels, { raw: { width: 8, height: 4, channels: 1 } }).png().toFile(join(d, 'r.png'));
    writeFileSync(join(d, 'labels.csv'), 'file,labels,split\nr.png,a,test\n');
    return d;
  }
  const rowsOfImage = (img: Uint8Array, w: number, h: number): number[][] => Array.from({ length: h }, (_, y) => Array.from(img.subarray(y * w, (y + 1) * w)));

  it('height and width with fit fill, cover and contain give the right pixels on an asymmetric image', async () => {
    const d = await ramp();
    const fill = await loadFolder({ dir: d, height: 4, width: 4, fit: 'fill' });
    const cover = await loadFolder({ dir: d, height: 4, width: 4, fit: 'cover' });
    const contain = await loadFolder({ dir: d, height: 4, width: 4, fit: 'contain' });
    for (const s of [fill, cover, contain]) expect([s.height, s.width, s.channels]).toEqual([4, 4, 1]);
    // cover: the centre 4 × 4 (columns 2 … 5) unscaled.
    for (const row of rowsOfImage(cover.images, 4, 4)) row.forEach((v, x) => expect(Math.abs(v - 30 * (x + 2))).toBeLessThanOrEqual(2));
    // fill: the whole ramp squeezed into 4 columns, every row alike.
    const filled = rowsOfImage(fill.images, 4, 4);
    for (const row of filled) {
      row.forEach((v, x) => expect(Math.abs(v - (30 * 2 * x + 15))).toBeLessThanOrEqual(12));
      expect(row).toEqual(filled[0]);
    }
    // contain: the squeezed ramp in the middle two rows, black above and below.
    const contained = rowsOfImage(contain.images, 4, 4);
    expect(contained[0]).toEqual([0, 0, 0, 0]);
    expect(contained[3]).toEqual([0, 0, 0, 0]);
    for (const row of contained.slice(1, 3)) row.forEach((v, x) => expect(Math.abs(v - (30 * 2 * x + 15))).toBeLessThanOrEqual(12));
    const wide = await loadFolder({ dir: d, height: 2, width: 6 });
    expect([wide.height, wide.width, wide.images.length]).toEqual([2, 6, 12]);
  });

  it('gives the same pixels whichever decoder reads an image: a plain PNG (JavaScript), an opaque RGBA PNG and a lossless WebP (sharp), resized alike', async () => {
    const d = join(root, 'paths');
    mkdirSync(d, { recursive: true });
    const [w, h] = [10, 7];
    const pixels = Buffer.from(Array.from({ length: w * h * 3 }, (_, i) => (i * 53 + (i % 3) * 90) % 256));
    const opaque = Buffer.alloc(w * h * 4, 255);
    for (let p = 0; p < w * h; p++) pixels.copy(opaque, p * 4, p * 3, p * 3 + 3);
    await sharp(pixels, { raw: { width: w, height: h, channels: 3 } }).png().toFile(join(d, 'plain.png'));
    await sharp(opaque, { raw: { width: w, height: h, channels: 4 } }).png().toFile(join(d, 'alpha.png'));
    await sharp(pixels, { raw: { width: w, height: h, channels: 3 } }).webp({ lossless: true }).toFile(join(d, 'lossless.webp'));
    writeFileSync(join(d, 'labels.csv'), 'file,labels,split\nalpha.png,a,test\nlossless.webp,a,test\nplain.png,a,test\n');
    for (const options of [{}, { height: 4, width: 6 }, { size: 5, fit: 'cover' as const }, { size: 13, fit: 'contain' as const }]) {
      const set = await loadFolder({ dir: d, channels: 3, ...options });
      const size = set.height * set.width * 3;
      const [alpha, lossless, plain] = [0, 1, 2].map((i) => Array.from(set.images.subarray(i * size, (i + 1) * size)));
      expect(alpha, JSON.stringify(options)).toEqual(plain);
      expect(lossless, JSON.stringify(options)).toEqual(plain);
    }
  });

  it('without height and width, the images are read at the size they share; several sizes are a one-line InputError naming two', async () => {
    const own = await loadFolder({ dir, channels: 3 });
    expect([own.height, own.width, own.channels]).toEqual([8, 12, 3]);
    // A 12×8 PNG read at its own size: its pixels, not a resampling of them.
    const row = own.labels.ids!.indexOf('img3.png');
    expect(Array.from(new Set(own.images.subarray(row * 288, (row + 1) * 288)))).toEqual([111]);
    const mixed = await makeFolder('mixed-sizes', 4);
    await sharp({ create: { width: 20, height: 10, channels: 3, background: '#808080' } }).png().toFile(join(mixed, 'img2.png'));
    writeFileSync(join(mixed, 'labels.csv'), 'file,labels\nimg0.png,cat\nimg1.jpg,dog\nimg2.png,sky\n');
    const message = await inputErrorMessage(loadFolder({ dir: mixed }));
    expect(message).toMatch(/^folder .*mixed-sizes: the images have 2 different sizes \(img0\.png is 12×8, img2\.png is 20×10\); give dataset\.options height and width \(or size\), and fit/);
    expect(message).not.toContain('\n');
  });

  it('size together with height or width, or height alone, is an InputError', async () => {
    const d = await ramp();
    expect(await inputErrorMessage(loadFolder({ dir: d, size: 4, height: 4, width: 4 }))).toMatch(/give either size \(a square\) or height and width, not both/);
    expect(await inputErrorMessage(loadFolder({ dir: d, height: 4 }))).toMatch(/give both height and width \(got only height\)/);
    expect(await inputErrorMessage(buildDataset({ name: 'folder', options: { dir: d, size: 4, width: 4 } }, parseSkew('natural'), 1))).toMatch(/not both/);
  });

  it('detects channels: an RGB folder is 3, a grey one 1, a mixed one 3 with one warning; an explicit count wins', async () => {
    const rows = rowsOf(25, true);
    const colour = await folderOf('colour', rows.map((r, i) => ({ ...r, colour: [i * 9, 200, 40] as [number, number, number] })));
    const grey = await folderOf('grey', rows);
    const mixed = await folderOf('mixed', rows.map((r, i) => (i % 4 === 0 ? { ...r, colour: [250, 10, 10] as [number, number, number] } : r)));
    expect((await loadFolder({ dir: colour, size: 4 })).channels).toBe(3);
    const g = await loadFolder({ dir: grey, size: 4 });
    expect([g.channels, g.images.length, g.warnings]).toEqual([1, 25 * 16, []]);
    expect(Math.abs(g.images[16] - 13)).toBeLessThanOrEqual(1);
    const m = await buildDataset({ name: 'folder', options: { dir: mixed, size: 4 } }, parseSkew('natural'), 1);
    expect(m.train.channels).toBe(3);
    expect(m.warnings).toEqual([expect.stringMatching(/mixed: 7 of 25 images are in colour and 18 greyscale; all are read as RGB \(3 channels; set channels: 1 to read all as grey\)/)]);
    expect((await loadFolder({ dir: colour, size: 4, channels: 1 })).channels).toBe(1);
    expect((await loadFolder({ dir: grey, size: 4, channels: 3 })).channels).toBe(3);
  });
});

describe('decode cache', () => {
  it('a second load reads the cache instead of decoding; a corrupt cache file is rebuilt', async () => {
    const d = await folderOf('cached', rowsOf(20, true));
    const before = decodeCalls.count;
    const first = await loadFolder({ dir: d, height: 3, width: 5 });
    expect(decodeCalls.count - before).toBe(20);
    expect(first.cached).toBe(false);
    const second = await loadFolder({ dir: d, height: 3, width: 5 });
    expect(decodeCalls.count - before).toBe(20);
    expect(second.cached).toBe(true);
    expect(second.images).toEqual(first.images);
    expect([second.channels, second.height, second.width]).toEqual([first.channels, 3, 5]);
    // Another shape is another cache entry.
    await loadFolder({ dir: d, height: 5, width: 3 });
    expect(decodeCalls.count - before).toBe(40);
    // Tear every cache file: the next load decodes again and gets the same pixels.
    const files = readdirSync(join(cache, 'folder-images'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) writeFileSync(join(cache, 'folder-images', f), readFileSync(join(cache, 'folder-images', f)).subarray(0, 100));
    const rebuilt = await loadFolder({ dir: d, height: 3, width: 5 });
    expect(rebuilt.cached).toBe(false);
    expect(decodeCalls.count - before).toBe(60);
    expect(rebuilt.images).toEqual(first.images);
    expect((await loadFolder({ dir: d, height: 3, width: 5 })).cached).toBe(true);
    expect(existsSync(join(cache, 'folder-images'))).toBe(true);
  });
});
