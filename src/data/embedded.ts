import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cacheDir, loadOrBuild, type ItemStore } from './cache.js';

/** The two image sources shipped inside npm packages (no download at run time). */
export type EmbeddedName = 'fashion' | 'digits';

export const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
export const DIGIT_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

const ITEM = 28;
const PIXELS = ITEM * ITEM;

interface EmbeddedSpec {
  pkg: string;
  folder: string;
  classes: string[];
  /** Converts one class file's parsed JSON into item pixel rows. */
  rows(json: unknown, file: string): Iterable<ArrayLike<number>>;
  /** Maps a stored value to a byte. */
  scale: number;
}

function dataOf(json: unknown, file: string): unknown[] {
  const data = (json as { data?: unknown }).data;
  if (!Array.isArray(data)) throw new Error(`${file}: expected {"data": [...]}`);
  return data;
}

const SPECS: Record<EmbeddedName, EmbeddedSpec> = {
  // fashion-mnist: one array of 784 integers 0–255 per item (two items of class 0 are empty arrays).
  fashion: {
    pkg: 'fashion-mnist',
    folder: 'src/clothes',
    classes: FASHION_CLASSES,
    scale: 1,
    *rows(json, file) {
      for (const item of dataOf(json, file)) if (Array.isArray(item) && item.length === PIXELS) yield item as number[];
    },
  },
  // mnist: one flat array of 784·n floats 0–1 per class.
  digits: {
    pkg: 'mnist',
    folder: 'src/digits',
    classes: DIGIT_CLASSES,
    scale: 255,
    *rows(json, file) {
      const flat = dataOf(json, file) as number[];
      if (flat.length % PIXELS !== 0) throw new Error(`${file}: ${flat.length} values is not a multiple of ${PIXELS}`);
      for (let o = 0; o < flat.length; o += PIXELS) yield flat.slice(o, o + PIXELS);
    },
  },
};

function packageDir(pkg: string): string {
  return dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
}

export function packageVersion(pkg: string): string {
  return (JSON.parse(readFileSync(join(packageDir(pkg), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Parses the package's JSON files (one class at a time, so only one is in memory at once). */
function parsePackage(spec: EmbeddedSpec): ItemStore {
  const dir = join(packageDir(spec.pkg), spec.folder);
  const classChunks: Uint8Array[] = [];
  const pixelChunks: Uint8Array[] = [];
  let count = 0;
  spec.classes.forEach((_, c) => {
    const file = join(dir, `${c}.json`);
    const rows = [...spec.rows(JSON.parse(readFileSync(file, 'utf8')), file)];
    const pixels = new Uint8Array(rows.length * PIXELS);
    rows.forEach((row, i) => {
      for (let p = 0; p < PIXELS; p++) {
        const v = Math.round(row[p] * spec.scale);
        pixels[i * PIXELS + p] = Math.min(255, Math.max(0, v));
      }
    });
    classChunks.push(new Uint8Array(rows.length).fill(c));
    pixelChunks.push(pixels);
    count += rows.length;
  });
  const classes = new Uint8Array(count);
  const pixels = new Uint8Array(count * PIXELS);
  let at = 0;
  classChunks.forEach((chunk, k) => {
    classes.set(chunk, at);
    pixels.set(pixelChunks[k], at * PIXELS);
    at += chunk.length;
  });
  return { classes, pixels, count, height: ITEM, width: ITEM, channels: 1 };
}

/** The cache file of a source: named by package version so an upgraded package gets a fresh cache. */
export function embeddedCachePath(name: EmbeddedName, dir = cacheDir()): string {
  const spec = SPECS[name];
  return join(dir, `${spec.pkg}-${packageVersion(spec.pkg)}.items.bin`);
}

// Experiments build many datasets in one process; the items are immutable, so load each once.
const loaded = new Map<string, ItemStore>();

/** Items of an embedded source with their classes, from the binary cache (built on first use). */
export function loadEmbedded(name: EmbeddedName, options: { cacheDir?: string } = {}): ItemStore & { classNames: string[]; rebuilt: boolean } {
  const path = embeddedCachePath(name, options.cacheDir);
  const memo = loaded.get(path);
  if (memo) return { ...memo, classNames: SPECS[name].classes, rebuilt: false };
  const { store, rebuilt } = loadOrBuild(path, () => parsePackage(SPECS[name]));
  loaded.set(path, store);
  return { ...store, classNames: SPECS[name].classes, rebuilt };
}

/** Forgets loaded stores (tests that corrupt a cache file use this to force a re-read). */
export function clearEmbeddedMemo(): void {
  loaded.clear();
}
