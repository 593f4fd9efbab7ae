import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { DIGIT_CLASSES, loadEmbedded } from '../src/data/embedded.js';
import { createRng } from '../src/labels/rng.js';
import { tintedPictures } from './example-images.js';

/*
 * Writes the folder of the README's transfer experiment: PNG pictures of tinted MNIST digits and a
 * labels.csv, as a user's own folder would be (no split column: skewbench stratifies it). Digit d
 * appears with relative frequency 0.65^d, a natural long tail (digit 0 in about a third of the
 * pictures, digit 9 in about 1 %). Deterministic: the same folder byte for byte on every run.
 *
 *   npx tsx scripts/make-example-folder.ts [out-dir] [count]
 */

const out = resolve(process.argv[2] ?? '.cache/example-folder');
const count = Number(process.argv[3] ?? 4000);
const size = 32;
const digits = loadEmbedded('digits');
const weights = DIGIT_CLASSES.map((_, d) => 0.65 ** d);
const { pixels, labels } = tintedPictures(digits, { count, size, cells: 2, maxItems: 3, classWeights: weights }, createRng(20261202).fork('example-folder'));
mkdirSync(out, { recursive: true });
const rows = ['image,labels'];
for (let p = 0; p < count; p++) {
  const name = `${String(p).padStart(5, '0')}.png`;
  const raw = pixels.subarray(p * size * size * 3, (p + 1) * size * size * 3);
  writeFileSync(join(out, name), await sharp(Buffer.from(raw), { raw: { width: size, height: size, channels: 3 } }).png().toBuffer());
  rows.push(`${name},${labels[p].map((c) => DIGIT_CLASSES[c]).join('|')}`);
}
writeFileSync(join(out, 'labels.csv'), `${rows.join('\n')}\n`);
const counts = DIGIT_CLASSES.map((_, c) => labels.filter((l) => l.includes(c)).length);
console.log(`${out}: ${count} pictures, ${size}×${size} RGB; pictures per digit ${counts.join(', ')}`);
