import { createHash } from 'node:crypto';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../errors.js';
import { readLabelsCsv } from './labels-csv.js';
import type { ImageSet, SplitName } from './types.js';
import { POOL_SHARES } from './pools.js';

export interface FolderOptions {
  /** Directory holding the images. */
  dir: string;
  /** Labels CSV (first column: file name relative to `dir`); default `<dir>/labels.csv`. */
  labels?: string;
  /** Separator inside a `labels` column (default `|`). */
  sep?: string;
  /** Images are resized (stretched) to size × size. */
  size: number;
  /** 1 = greyscale, 3 = RGB; alpha is flattened onto black. */
  channels: 1 | 3;
}

const IMAGE_FILE = /\.(png|jpe?g|webp)$/i;
/** Images decoded at once: sharp works on libuv threads, and more in flight only costs memory. */
const PARALLEL = 8;

async function decode(file: string, size: number, channels: 1 | 3): Promise<Uint8Array> {
  // sharp (libvips) is loaded only when a folder is decoded, so other commands never start it.
  const { default: sharp } = await import('sharp');
  let pipeline = sharp(file, { failOn: 'error' }).flatten({ background: '#000000' }).resize(size, size, { fit: 'fill' });
  pipeline = channels === 1 ? pipeline.greyscale() : pipeline.toColourspace('srgb');
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== channels || info.width !== size || info.height !== size) {
    throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${size}×${size}×${channels}`);
  }
  return data;
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
  if (!existsSync(file) || !statSync(file).isFile()) return `image "${id}" is not a file in ${dir}`;
  if (!inside(realDir, realpathSync(file))) return `image "${id}" is a symlink to ${realpathSync(file)}, outside the image folder ${dir}`;
  return undefined;
}

/**
 * The user's images and labels: every CSV row's image decoded and resized with sharp. Any missing
 * or undecodable image is an `InputError` naming it, raised before anything is returned.
 */
export async function loadFolder(options: FolderOptions): Promise<ImageSet> {
  const dir = resolve(options.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`folder ${dir}: not a directory`);
  if (!readdirSync(dir).some((f) => IMAGE_FILE.test(f))) throw new InputError(`folder ${dir}: no PNG, JPEG or WebP images in it`);
  const csv = options.labels ? resolve(options.labels) : join(dir, 'labels.csv');
  if (!existsSync(csv)) throw new InputError(`folder ${dir}: labels file ${csv} not found (give one with the labels option)`);
  const realDir = realpathSync(dir);
  const labels = readLabelsCsv(csv, { sep: options.sep, checkId: (id) => imageProblem(dir, realDir, id) });
  const ids = labels.ids ?? [];
  if (ids.length === 0) throw new InputError(`${csv}: no image rows`);
  const bytes = options.size * options.size * options.channels;
  const images = new Uint8Array(ids.length * bytes);
  for (let from = 0; from < ids.length; from += PARALLEL) {
    await Promise.all(
      ids.slice(from, from + PARALLEL).map(async (id, k) => {
        const file = join(dir, id);
        try {
          images.set(await decode(file, options.size, options.channels), (from + k) * bytes);
        } catch (err) {
          throw new InputError(`${file}: cannot decode image (${(err as Error).message.split('\n')[0]})`);
        }
      }),
    );
  }
  return { images, height: options.size, width: options.size, channels: options.channels, labels };
}

/**
 * The split of a user image, from a hash of its id: the same image is in the same split whatever
 * the seed, the skew or the order of the CSV, in the proportions of the embedded sources' pools.
 */
export function splitOfId(id: string): SplitName {
  const u = createHash('sha256').update(id).digest().readUInt32LE(0) / 2 ** 32;
  if (u < POOL_SHARES.train[1]) return 'train';
  if (u < POOL_SHARES.val[1]) return 'val';
  return 'test';
}
