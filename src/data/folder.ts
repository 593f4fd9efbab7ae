import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../fs-atomic.js';
import type { LabelMatrix } from '../labels/matrix.js';
import { iterativeStratification } from '../labels/stratify.js';
import { cacheDir, decodeStore, encodeStore, type ItemStore } from './cache.js';
import { folderImageHashes, sha256 } from './fingerprint.js';
import { readLabelsTable, type LabelsTable } from './labels-csv.js';
import { decodePlainPng, pngSize, type DecodedImage } from './png.js';
import { RESIZE_KERNEL, resizeImage, type Fit } from './resize.js';
import { SPLITS, type ImageSet, type SplitName } from './types.js';

export { FITS, type Fit } from './resize.js';

export interface FolderOptions {
  /** Directory holding the images. */
  dir: string;
  /** Labels CSV (first column: file name relative to `dir`); default `<dir>/labels.csv`. */
  labels?: string;
  /** Separator inside a `labels` column (default `|`). */
  sep?: string;
  /** Square shorthand: height = width = size. Not with height / width; neither given: the images' own size. */
  size?: number;
  height?: number;
  width?: number;
  /** How an image of another aspect ratio meets height × width (default `fill`). */
  fit?: Fit;
  /** 1 = greyscale, 3 = RGB; absent: 3 when any image has colour, else 1. Alpha is flattened onto black. */
  channels?: 1 | 3;
}

/** What a folder's images are decoded to. */
export interface DecodeShape {
  /** `auto`: the images' own size, which they must share. */
  height: number | 'auto';
  width: number | 'auto';
  fit: Fit;
  /** `auto`: detected from the images. */
  channels: 1 | 3 | 'auto';
}

/** The decode shape of folder options; `size` together with `height` or `width` is an InputError. */
export function decodeShape(options: Pick<FolderOptions, 'size' | 'height' | 'width' | 'fit' | 'channels'>): DecodeShape {
  const { size, height, width } = options;
  if (size !== undefined && (height !== undefined || width !== undefined)) {
    throw new InputError('folder options: give either size (a square) or height and width, not both');
  }
  if ((height === undefined) !== (width === undefined)) throw new InputError(`folder options: give both height and width (got only ${height === undefined ? 'width' : 'height'}), or size for a square`);
  const h = height ?? size ?? 'auto';
  const w = width ?? size ?? 'auto';
  return { height: h, width: w, fit: options.fit ?? 'fill', channels: options.channels ?? 'auto' };
}

/** A folder's images with each row's split (as the labels file gives it, else stratified). */
export interface LoadedFolder extends ImageSet {
  split: SplitName[];
  /** True when the labels file has a `split` column. */
  splitGiven: boolean;
  /** Where the folder could not be read as asked (a mix of grey and colour images). */
  warnings: string[];
  /** True when the pixels came from the decode cache. */
  cached: boolean;
}

const IMAGE_FILE = /\.(png|jpe?g|webp)$/i;
/**
 * Images decoded at once: sharp works on libuv threads, one image per thread (concurrency 1), so a
 * few more in flight than threads keeps them busy; more only costs memory.
 */
const PARALLEL = 16;
/** A pixel whose channels differ by more than this is colour (JPEG leaves grey a level or two off). */
const GREY_TOLERANCE = 2;

type Sharp = typeof import('sharp');
let sharpModule: Sharp | undefined;
async function loadSharp(): Promise<Sharp> {
  // sharp (libvips) is loaded only when a folder is decoded, so other commands never start it.
  if (!sharpModule) {
    sharpModule = (await import('sharp')).default;
    // Each small image is one libvips pipeline: threads inside one buy nothing, many in flight do.
    sharpModule.concurrency(1);
    sharpModule.cache(false);
  }
  return sharpModule;
}

/** Counts the decoder's calls (tests check that a cached folder is not decoded). */
export const decodeCalls = { count: 0 };

/** A decode shape whose size is known. */
type SizedShape = DecodeShape & { height: number; width: number };

/**
 * One image at the asked shape, `channels` bytes per pixel: decoded at its own size (a plain PNG in
 * JavaScript, anything else by sharp), then resampled by resize.ts. One resampler for every image,
 * whichever decoder read it, so the pixels never depend on the path.
 */
async function decode(file: string, shape: SizedShape, channels: 1 | 3): Promise<Uint8Array> {
  decodeCalls.count++;
  const bytes = readFileSync(file);
  const resize = (image: DecodedImage) => resizeImage(image.pixels, image.width, image.height, channels, shape.width, shape.height, shape.fit);
  // Synchronous, so one image at a time: its full-size pixels never pile up.
  const plain = decodePlainPng(bytes, channels);
  if (plain) return resize(plain);
  const { width = 1, height = 1 } = pngSize(bytes) ?? (await (await loadSharp())(bytes).metadata());
  return withinDecodeBudget(width * height * channels, async () => resize(await decodeWithSharp(bytes, channels)));
}

/**
 * Full-size decoded bytes the sharp path may hold at once. An image is decoded whole before it is
 * resampled, so 16 large photos in flight would hold 16 full-size copies; under the budget a few
 * do (one, when a single image is larger than the budget).
 */
const DECODE_BUDGET_BYTES = 32 * 2 ** 20;
let decodeBytesInFlight = 0;
const waitingForBudget: Array<() => void> = [];

async function withinDecodeBudget<T>(bytes: number, work: () => Promise<T>): Promise<T> {
  const need = Math.min(bytes, DECODE_BUDGET_BYTES);
  while (decodeBytesInFlight > 0 && decodeBytesInFlight + need > DECODE_BUDGET_BYTES) await new Promise<void>((wake) => waitingForBudget.push(wake));
  decodeBytesInFlight += need;
  try {
    return await work();
  } finally {
    decodeBytesInFlight -= need;
    for (const wake of waitingForBudget.splice(0)) wake();
  }
}

/**
 * An image at its own size through libvips (one pipeline: flatten alpha onto black, convert to grey
 * or sRGB, raw bytes); for a plain PNG exactly what decodePlainPng gives.
 */
async function decodeWithSharp(bytes: Buffer, channels: 1 | 3): Promise<DecodedImage> {
  const sharp = await loadSharp();
  // Handing libvips the bytes is cheaper than letting it open the file (about a tenth per small image).
  let pipeline = sharp(bytes, { failOn: 'error' }).flatten({ background: '#000000' });
  pipeline = channels === 1 ? pipeline.greyscale() : pipeline.toColourspace('srgb');
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== channels) throw new Error(`decoded to ${info.channels} channels, expected ${channels}`);
  return { width: info.width, height: info.height, channels, pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * The size every image of the folder has, read from the files' headers: what a folder is decoded to
 * when no height and width are given. Images of different sizes are an InputError naming two of
 * them: which size to train at (and how to fit the others to it) is the user's choice.
 */
async function commonSize(dir: string, ids: readonly string[]): Promise<{ height: number; width: number }> {
  const sharp = await loadSharp();
  const sizes = new Array<string>(ids.length);
  await forEachImage(dir, ids, async (file, i) => {
    const bytes = readFileSync(file);
    // A PNG says its size in its first chunk; other formats ask libvips.
    const { width, height } = pngSize(bytes) ?? (await sharp(bytes).metadata());
    sizes[i] = `${width}×${height}`;
  });
  const other = sizes.findIndex((s) => s !== sizes[0]);
  if (other >= 0) {
    const count = new Set(sizes).size;
    throw new InputError(
      `folder ${dir}: the images have ${count} different sizes (${ids[0]} is ${sizes[0]}, ${ids[other]} is ${sizes[other]}); give dataset.options height and width (or size), and fit (fill, cover or contain) for the others`,
    );
  }
  const [width, height] = sizes[0].split('×').map(Number);
  return { height, width };
}

/**
 * Runs `work` on every image of the folder, PARALLEL at a time; an image it fails on is an InputError
 * naming the file.
 */
async function forEachImage(dir: string, ids: readonly string[], work: (file: string, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < ids.length; i = next++) {
      const file = join(dir, ids[i]);
      try {
        await work(file, i);
      } catch (err) {
        throw new InputError(`${file}: cannot decode image (${(err as Error).message.split('\n')[0]})`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, ids.length) }, worker));
}

/** Whether RGB pixels hold any colour. */
function hasColour(rgb: Uint8Array): boolean {
  for (let p = 0; p < rgb.length; p += 3) {
    const r = rgb[p];
    const g = rgb[p + 1];
    const b = rgb[p + 2];
    if (Math.abs(r - g) > GREY_TOLERANCE || Math.abs(g - b) > GREY_TOLERANCE || Math.abs(r - b) > GREY_TOLERANCE) return true;
  }
  return false;
}

/** Whether `path` is `dir` or below it (both absolute and normalised). */
function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * Why an image id cannot be read, if it cannot. An id is a path inside the folder: a labels file
 * must not make the tool read (and fingerprint, and train on) a file elsewhere — a shared or
 * downloaded CSV naming `../../home/x/.ssh/id_rsa` is refused, not opened; so is a symlink out.
 */
function imageProblem(dir: string, realDir: string, id: string): string | undefined {
  if (isAbsolute(id)) return `image id "${id}" is an absolute path; expected a path relative to ${dir}`;
  const file = resolve(dir, id);
  if (!inside(dir, file)) return `image id "${id}" points outside the image folder ${dir}`;
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch {
    return `image "${id}" is not a file in ${dir}`;
  }
  // A plain file right inside the folder cannot lead out of it: one system call for the usual case.
  if (st.isFile() && dirname(file) === dir) return undefined;
  if (!existsSync(file) || !statSync(file).isFile()) return `image "${id}" is not a file in ${dir}`;
  if (!inside(realDir, realpathSync(file))) return `image "${id}" is a symlink to ${realpathSync(file)}, outside the image folder ${dir}`;
  return undefined;
}

/**
 * Shares of a folder's images in train / val / test when its labels file has no `split` column.
 * Test gets more than val: per-label F1 needs test positives (a label of 3 images gets one in test),
 * val only picks thresholds and draws the learning curves.
 */
export const FOLDER_SHARES: Readonly<Record<SplitName, number>> = { train: 0.7, val: 0.1, test: 0.2 };

/**
 * A folder's directory, labels file and labels table (rows sorted by image id), every id checked to
 * be a file inside the folder.
 */
export function readFolderLabels(options: Pick<FolderOptions, 'dir' | 'labels' | 'sep'>): { dir: string; csv: string; table: LabelsTable } {
  const dir = resolve(options.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`folder ${dir}: not a directory`);
  const csv = options.labels ? resolve(options.labels) : join(dir, 'labels.csv');
  if (!existsSync(csv)) {
    // Images may sit in subfolders (ids like cats/1.png); a folder with neither images nor subfolders is the wrong folder.
    const entries = readdirSync(dir, { withFileTypes: true });
    if (!entries.some((e) => e.isDirectory() || IMAGE_FILE.test(e.name))) throw new InputError(`folder ${dir}: no PNG, JPEG or WebP images in it`);
    throw new InputError(`folder ${dir}: labels file ${csv} not found (give one with the labels option)`);
  }
  const realDir = realpathSync(dir);
  const read = readLabelsTable(csv, { sep: options.sep, checkId: (id) => imageProblem(dir, realDir, id) });
  if (read.labels.rows === 0) throw new InputError(`${csv}: no image rows`);
  // Rows in the order of their ids, not of the file: a re-sorted labels file gives the same data.
  const ids = read.labels.ids!;
  const order = Array.from(ids.keys()).sort((a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
  if (order.every((i, k) => i === k)) return { dir, csv, table: read };
  const table: LabelsTable = { labels: read.labels.select(order) };
  if (read.splits) table.splits = order.map((i) => read.splits![i]);
  return { dir, csv, table };
}

/**
 * Each row's split: the labels file's `split` column as given, else an iterative stratification
 * (labels/stratify.ts) in FOLDER_SHARES, deterministic in the image ids. A label with no test
 * image is an InputError naming it, the file and the ways out: its F1 could not be measured.
 */
export function folderSplit(csv: string, table: LabelsTable): SplitName[] {
  const { labels } = table;
  const split = table.splits ?? Array.from(iterativeStratification(labels, labels.ids!, SPLITS.map((s) => FOLDER_SHARES[s])), (j) => SPLITS[j]);
  const total = labels.counts();
  const test = new Int32Array(labels.numLabels);
  split.forEach((s, i) => {
    if (s === 'test') for (const l of labels.labelsOf(i)) test[l]++;
  });
  const missing = Array.from(test.keys()).find((l) => test[l] === 0);
  if (missing !== undefined) {
    const name = labels.labels[missing];
    const n = total[missing];
    throw new InputError(
      table.splits
        ? `${csv}: label "${name}" has no test images in the split column (${n} image${n === 1 ? '' : 's'}, none marked test): mark some of its images test, or remove the label`
        : `${csv}: label "${name}" has ${n} image${n === 1 ? '' : 's'}, too few for the stratified split to put one in test: add images of "${name}", give the file a split column, or remove the label`,
    );
  }
  return split;
}

/** Per split, per label name, how many images carry the label. */
export function splitCounts(labels: LabelMatrix, split: readonly SplitName[]): Record<SplitName, Record<string, number>> {
  const out = Object.fromEntries(SPLITS.map((s) => [s, Object.fromEntries(labels.labels.map((name) => [name, 0]))])) as Record<SplitName, Record<string, number>>;
  split.forEach((s, i) => {
    for (const l of labels.labelsOf(i)) out[s][labels.labels[l]]++;
  });
  return out;
}

/** The per-split label counts of a folder, from its labels file alone (nothing decoded). */
export function folderSplitCounts(options: Pick<FolderOptions, 'dir' | 'labels' | 'sep'>): Record<SplitName, Record<string, number>> {
  const { csv, table } = readFolderLabels(options);
  return splitCounts(table.labels, folderSplit(csv, table));
}

/**
 * The user's images and labels, in the order of their ids: every CSV row's image decoded at the
 * asked shape, and each row's split. Decoded pixels are cached on disk, keyed by the images' content and the decode
 * shape, so a second run reads one file instead of decoding every image; a torn or corrupt cache
 * file is rebuilt. Any missing or undecodable image is an `InputError` naming it, raised before
 * anything is returned.
 */
export async function loadFolder(options: FolderOptions): Promise<LoadedFolder> {
  const shape = decodeShape(options);
  const { dir, csv, table } = readFolderLabels(options);
  const labels = table.labels;
  const ids = labels.ids!;
  // The resampler is part of the key: cached pixels are never those of an older one.
  const key = sha256(JSON.stringify({ format: 2, resize: RESIZE_KERNEL, shape, images: folderImageHashes(dir, ids) }));
  const cacheFile = join(cacheDir(), 'folder-images', `${key.slice(0, 32)}.bin`);
  let store: ItemStore | null = null;
  let cached = false;
  if (existsSync(cacheFile)) {
    try {
      store = decodeStore(readFileSync(cacheFile));
    } catch {
      store = null;
    }
    cached = store !== null && store.count === ids.length && (shape.height === 'auto' || (store.height === shape.height && store.width === shape.width));
    if (!cached) store = null;
  }
  if (!store) {
    store = await decodeAll(dir, ids, shape);
    try {
      writeFileAtomic(cacheFile, encodeStore(store));
    } catch {
      // a read-only cache only costs the next run the decoding
    }
  }
  // After decoding: an image that cannot be read is the first thing to fix.
  const split = folderSplit(csv, table);
  const warnings: string[] = [];
  if (shape.channels === 'auto') {
    const colour = store.classes.reduce((n, c) => n + (c === 3 ? 1 : 0), 0);
    if (colour > 0 && colour < ids.length) {
      warnings.push(`folder ${dir}: ${colour} of ${ids.length} images are in colour and ${ids.length - colour} greyscale; all are read as RGB (3 channels; set channels: 1 to read all as grey)`);
    }
  }
  // A plain Uint8Array view, whether the bytes came from a file (a Buffer) or the decoder.
  const images = new Uint8Array(store.pixels.buffer, store.pixels.byteOffset, store.pixels.byteLength);
  return { images, height: store.height, width: store.width, channels: store.channels, labels, split, splitGiven: table.splits !== undefined, warnings, cached };
}

/**
 * Decodes every image. With channels `auto` each is decoded as RGB and checked for colour; when none
 * has any, the folder is kept as one grey channel. `classes` records per image whether it had colour
 * (3) or not (1), so a cached folder can repeat the mixed-folder warning.
 */
async function decodeAll(dir: string, ids: readonly string[], given: DecodeShape): Promise<ItemStore> {
  const shape = given.height === 'auto' || given.width === 'auto' ? { ...given, ...(await commonSize(dir, ids)) } : (given as SizedShape);
  const asked = shape.channels === 'auto' ? 3 : shape.channels;
  const pixels = shape.height * shape.width;
  const bytes = pixels * asked;
  let images = new Uint8Array(ids.length * bytes);
  const classes = new Uint8Array(ids.length).fill(asked);
  await forEachImage(dir, ids, async (file, i) => {
    const data = await decode(file, shape, asked);
    images.set(data, i * bytes);
    if (shape.channels === 'auto') classes[i] = hasColour(data) ? 3 : 1;
  });
  let channels = asked;
  if (shape.channels === 'auto' && classes.every((c) => c === 1)) {
    // No colour anywhere: one channel, the mean of three that (nearly) agree.
    const grey = new Uint8Array(ids.length * pixels);
    for (let p = 0, q = 0; p < grey.length; p++, q += 3) grey[p] = Math.round((images[q] + images[q + 1] + images[q + 2]) / 3);
    images = grey;
    channels = 1;
  }
  return { classes, pixels: images, count: ids.length, height: shape.height, width: shape.width, channels };
}
