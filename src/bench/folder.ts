import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { loadFolder } from '../data/folder.js';
import { createRng } from '../labels/rng.js';
import { machineInfo, type MachineInfo } from './machine.js';

export interface FolderBenchOptions {
  /** Images in the folder. */
  images?: number;
  /** Side of each square RGB image, in pixels (decoded at the same size). */
  size?: number;
  /** Timed runs per task (after one warm-up run). */
  iterations?: number;
}

export interface FolderBenchRow {
  task: string;
  meanMs: number;
  minMs: number;
  maxMs: number;
  samples: number;
  /** Mean milliseconds per image. */
  perImageMs: number;
  imagesPerSecond: number;
}

export interface FolderBenchResult {
  images: number;
  height: number;
  width: number;
  channels: number;
  /** Size of the PNG files on disk. */
  pngMB: number;
  /** Size of the decode cache file. */
  cacheMB: number;
  rows: FolderBenchRow[];
  machine: MachineInfo;
}

/**
 * Times reading a user's folder: decoding every image at its own size (the plain-PNG path) and
 * resized to three quarters (the plain-PNG path, then the resampler of data/resize.ts) — the decode cache emptied before each run, the content hashes
 * cached, as on any second look at a folder — and loading the same pixels from the decode cache. The folder is made first (untimed): `images` noisy RGB PNGs of size × size and
 * a labels CSV, in a temporary folder with its own cache, both removed afterwards.
 */
export async function runFolderBench(options: FolderBenchOptions = {}): Promise<FolderBenchResult> {
  const machine = machineInfo();
  const { images = 5000, size = 64, iterations = 3 } = options;
  const root = mkdtempSync(join(tmpdir(), 'skewbench-folder-bench-'));
  const dir = join(root, 'images');
  const cache = join(root, 'cache');
  mkdirSync(dir);
  const savedCache = process.env.SKEWBENCH_CACHE_DIR;
  process.env.SKEWBENCH_CACHE_DIR = cache;
  try {
    const { default: sharp } = await import('sharp');
    const rng = createRng(1).fork('bench-folder');
    const lines = ['file,labels'];
    let pngBytes = 0;
    const pixels = new Uint8Array(size * size * 3);
    for (let i = 0; i < images; i++) {
      // Smooth colour blobs plus noise: compresses like a small photo, not like a flat fill.
      const [r0, g0, b0] = [rng.int(256), rng.int(256), rng.int(256)];
      for (let p = 0; p < size * size; p++) {
        const x = p % size;
        const y = Math.floor(p / size);
        pixels[3 * p] = (r0 + x * 2 + rng.int(24)) & 255;
        pixels[3 * p + 1] = (g0 + y * 2 + rng.int(24)) & 255;
        pixels[3 * p + 2] = (b0 + x + y + rng.int(24)) & 255;
      }
      const file = join(dir, `img${i}.png`);
      await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png().toFile(file);
      pngBytes += statSync(file).size;
      lines.push(`img${i}.png,${['a', ...(i % 3 === 0 ? ['b'] : []), ...(i % 7 === 0 ? ['c'] : [])].join('|')}`);
    }
    writeFileSync(join(dir, 'labels.csv'), lines.join('\n') + '\n');
    const load = () => loadFolder({ dir, size });
    const first = await load(); // hashes the files once, untimed
    const smaller = Math.max(1, Math.round((size * 3) / 4));
    const bench = new Bench({ iterations, time: 0, warmupIterations: 1, warmupTime: 0 });
    const uncached = { async: true, beforeEach: () => rmSync(join(cache, 'folder-images'), { recursive: true, force: true }) };
    bench.add(`decode ${images} × ${size}×${size} RGB PNG at their size (plain-PNG path, no decode cache)`, async () => void (await load()), uncached);
    bench.add(`decode ${images} × ${size}×${size} RGB PNG resized to ${smaller}×${smaller} (plain-PNG path and the JS resampler, no decode cache)`, async () => void (await loadFolder({ dir, size: smaller })), uncached);
    bench.add(`load ${images} × ${size}×${size} RGB from the decode cache`, async () => {
      const loaded = await load();
      if (!loaded.cached) throw new Error('the decode cache was not used');
    }, {
      async: true,
      // The decode runs above leave other shapes' files: the cache holds this one alone.
      beforeAll: async () => {
        rmSync(join(cache, 'folder-images'), { recursive: true, force: true });
        await load();
      },
    });
    await bench.run();
    const rows = bench.tasks.map((task): FolderBenchRow => {
      const r = task.result;
      if (r.state !== 'completed') throw new Error(`benchmark task ${task.name} ${r.state === 'errored' ? `failed: ${r.error.message}` : r.state}`);
      return { task: task.name, meanMs: r.latency.mean, minMs: r.latency.min, maxMs: r.latency.max, samples: r.latency.samplesCount, perImageMs: r.latency.mean / images, imagesPerSecond: (images / r.latency.mean) * 1000 };
    });
    // The last task left one cache file: the pixels at the images' own size.
    const cacheBytes = readdirSync(join(cache, 'folder-images')).reduce((sum, f) => sum + statSync(join(cache, 'folder-images', f)).size, 0);
    return { images, height: first.height, width: first.width, channels: first.channels, pngMB: pngBytes / 2 ** 20, cacheMB: cacheBytes / 2 ** 20, rows, machine };
  } finally {
    if (savedCache === undefined) delete process.env.SKEWBENCH_CACHE_DIR;
    else process.env.SKEWBENCH_CACHE_DIR = savedCache;
    rmSync(root, { recursive: true, force: true });
  }
}
