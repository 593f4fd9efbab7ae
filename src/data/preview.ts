import { augment } from './augment.js';
import type { Dataset } from './build.js';
import { formatSkew } from './skew.js';
import { createRng } from '../labels/rng.js';
import type { ContactSheet, SheetCell } from '../records/preview.js';

/**
 * The cells of a contact sheet: sample training images with their label names, then rows of
 * originals (images of the rarest labels) each followed by its augmented copies. Drawing it is the
 * report's job (`renderContactSheet`).
 */
export function previewSheet(d: Dataset, options: { samples: number; copies: number; seed: number }): ContactSheet {
  const { height: h, width: w, channels: c } = d.train;
  const size = h * w * c;
  const n = d.train.labels.rows;
  const names = d.labels;
  const image = (i: number) => d.train.images.subarray(i * size, (i + 1) * size);
  const captionOf = (i: number) => d.train.labels.labelsOf(i).map((l) => names[l]);
  const rng = createRng(options.seed).fork('preview');
  const sample = rng.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, Math.min(n, options.samples));
  const sampleCells: SheetCell[] = sample.map((i) => ({ pixels: image(i), caption: captionOf(i) }));

  // Originals: one image for each of the rarest labels, so the sheet shows what oversampling multiplies.
  const byRarity = Array.from(names.keys()).sort((a, b) => d.targets[a] - d.targets[b]);
  const originals: number[] = [];
  for (const label of byRarity) {
    if (originals.length >= 4) break;
    const i = sample.concat(Array.from({ length: n }, (_, k) => k)).find((k) => d.train.labels.has(k, label) && !originals.includes(k));
    if (i !== undefined) originals.push(i);
  }
  const copies = options.copies;
  const sources = originals.flatMap((i) => new Array(copies).fill(i));
  const copyIds = originals.flatMap(() => Array.from({ length: copies }, (_, k) => k));
  const batch = new Uint8Array(sources.length * size);
  sources.forEach((i, k) => batch.set(image(i), k * size));
  const augmented = d.augmentations.length > 0 ? augment({ images: batch, height: h, width: w, channels: c }, { sources, copies: copyIds }, d.augmentations, options.seed) : batch;
  const augmentRows: SheetCell[][] = originals.map((i, r) => [
    { pixels: image(i), caption: ['original', ...captionOf(i)] },
    ...Array.from({ length: copies }, (_, k) => ({ pixels: augmented.subarray((r * copies + k) * size, (r * copies + k + 1) * size), caption: [`copy ${k + 1}`] })),
  ]);

  return {
    height: h,
    width: w,
    channels: c,
    samples: sampleCells,
    sampleTitle: `${d.name} · train samples · skew ${formatSkew(d.skew)} · seed ${d.seed}`,
    augmentTitle: `augmentations: ${d.augmentations.join(', ') || 'none (copies are duplicates)'}`,
    augmentRows,
    copies,
  };
}
