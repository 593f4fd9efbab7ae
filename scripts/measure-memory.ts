import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import sharp from 'sharp';
import { machineInfo } from '../src/bench/machine.js';
import { DIGIT_CLASSES, loadEmbedded } from '../src/data/embedded.js';
import { createRng } from '../src/labels/rng.js';
import { tintedPictures } from './example-images.js';

/*
 * Peak memory of one folder trial: writes a folder of `images` tinted-digit RGB PNGs of size × size
 * and a labels.csv, a one-trial suite (the reference cnn, one seed, the baseline method) on it, runs
 * that suite with the built CLI under GNU time (`/usr/bin/time -v`) and writes the maximum resident
 * set size with the command and the machine to results/bench/memory.json. The decode cache is a
 * fresh folder, so the run includes decoding the images. Needs `npm run build` first.
 *
 *   npx tsx scripts/measure-memory.ts [--images 4000] [--size 64] [--skew natural] [--epochs 2] [--out results/bench/memory.json] [--keep] [--cli dist/cli/main.js]
 *
 * --keep leaves the folder, suite and output in their temporary directory and prints where; --cli
 * measures another build of the CLI (e.g. of an earlier commit) on the same folder.
 */

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const images = Number(option('images', '4000'));
const size = Number(option('size', '64'));
const skew = option('skew', 'natural');
const epochs = Number(option('epochs', '2'));
const outFile = resolve(option('out', 'results/bench/memory.json'));
const cli = resolve(option('cli', 'dist/cli/main.js'));
if (!existsSync(cli)) throw new Error(`${cli} not found: run npm run build first`);
if (!existsSync('/usr/bin/time')) throw new Error('/usr/bin/time not found: GNU time is needed (apt-get install time)');

const root = mkdtempSync(join(tmpdir(), 'skewbench-memory-'));
try {
  const dir = join(root, 'images');
  mkdirSync(dir);
  const digits = loadEmbedded('digits');
  const weights = DIGIT_CLASSES.map((_, d) => 0.8 ** d);
  const { pixels, labels } = tintedPictures(digits, { count: images, size, cells: 2, maxItems: 3, classWeights: weights }, createRng(20261202).fork('memory-folder'));
  const rows = ['image,labels'];
  for (let p = 0; p < images; p++) {
    const name = `${String(p).padStart(5, '0')}.png`;
    const raw = pixels.subarray(p * size * size * 3, (p + 1) * size * size * 3);
    writeFileSync(join(dir, name), await sharp(Buffer.from(raw), { raw: { width: size, height: size, channels: 3 } }).png().toBuffer());
    rows.push(`${name},${labels[p].map((c) => DIGIT_CLASSES[c]).join('|')}`);
  }
  writeFileSync(join(dir, 'labels.csv'), `${rows.join('\n')}\n`);
  const spec = {
    name: 'memory',
    dataset: { name: 'folder', options: { dir: 'images', size, channels: 3 } },
    skews: [skew],
    model: 'cnn',
    train: { epochs },
    methods: [{ name: 'baseline' }],
    seeds: 1,
  };
  const specFile = join(root, 'memory.json');
  writeFileSync(specFile, JSON.stringify(spec, null, 2));
  const machine = machineInfo();
  // The trial on one thread and on two (a second backend and model replica), each with a fresh decode cache.
  const runs = [1, 2].map((threads) => {
    const args = ['-v', process.execPath, cli, 'run', specFile, '--workers', '1', '--threads', String(threads), '--backend', 'wasm', '--out', join(root, `out${threads}`)];
    const started = performance.now();
    const run = spawnSync('/usr/bin/time', args, { encoding: 'utf8', env: { ...process.env, SKEWBENCH_CACHE_DIR: join(root, `cache${threads}`) } });
    const seconds = (performance.now() - started) / 1000;
    const peakKB = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1]);
    if (run.status !== 0 || !Number.isFinite(peakKB)) {
      throw new Error(`the trial failed (exit ${run.status}):\n${run.stderr.split('\n').slice(-30).join('\n')}`);
    }
    return { threads, peakRssMB: Math.round((peakKB / 1024) * 10) / 10, seconds: Math.round(seconds * 10) / 10 };
  });
  const result = {
    machine,
    command: `/usr/bin/time -v node ${relative(process.cwd(), cli)} run <suite> --workers 1 --threads T --backend wasm --out <dir>`,
    suite: spec,
    images,
    imageShape: [size, size, 3],
    runs,
  };
  mkdirSync(resolve(outFile, '..'), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
  for (const r of runs) console.log(`${images} × ${size}×${size}×3 PNGs, skew ${skew}, ${epochs} epochs, ${r.threads} thread(s): peak RSS ${r.peakRssMB} MB in ${r.seconds} s (${outFile})`);
} finally {
  if (process.argv.includes('--keep')) console.log(`kept ${root}`);
  else rmSync(root, { recursive: true, force: true });
}
