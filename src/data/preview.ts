import sharp from 'sharp';
import { augment } from './augment.js';
import type { Dataset } from './build.js';
import { formatSkew } from './skew.js';
import { createRng } from '../labels/rng.js';

const CAPTION = 13;
const GAP = 6;
const TITLE = 20;
const BACKGROUND = 32;

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

interface Cell {
  pixels: Uint8Array;
  caption: string[];
}

/**
 * A contact sheet: rows of sample training images with their label names under each, then rows of
 * originals (images of the rarest labels) each followed by its augmented copies.
 */
export async function renderPreview(d: Dataset, options: { samples: number; copies: number; scale: number; seed: number }): Promise<Buffer> {
  const { height: h, width: w, channels: c } = d.train;
  const size = h * w * c;
  const n = d.train.labels.rows;
  const names = d.labels;
  const image = (i: number) => d.train.images.subarray(i * size, (i + 1) * size);
  const captionOf = (i: number) => d.train.labels.labelsOf(i).map((l) => names[l]);
  const rng = createRng(options.seed).fork('preview');
  const sample = rng.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, Math.min(n, options.samples));
  const sampleCells: Cell[] = sample.map((i) => ({ pixels: image(i), caption: captionOf(i) }));

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
  const augmentRows: Cell[][] = originals.map((i, r) => [
    { pixels: image(i), caption: ['original', ...captionOf(i)] },
    ...Array.from({ length: copies }, (_, k) => ({ pixels: augmented.subarray((r * copies + k) * size, (r * copies + k + 1) * size), caption: [`copy ${k + 1}`] })),
  ]);

  const columns = Math.max(Math.min(8, sampleCells.length), copies + 1);
  const maxLines = Math.max(1, ...sampleCells.map((cell) => cell.caption.length), ...augmentRows.flat().map((cell) => cell.caption.length));
  const cellW = w * options.scale;
  const cellH = h * options.scale + maxLines * CAPTION + 4;
  const sampleRows: Cell[][] = [];
  for (let k = 0; k < sampleCells.length; k += columns) sampleRows.push(sampleCells.slice(k, k + columns));
  const sections: Array<{ title: string; rows: Cell[][] }> = [
    { title: `${d.name} · train samples · skew ${formatSkew(d.skew)} · seed ${d.seed}`, rows: sampleRows },
    { title: `augmentations: ${d.augmentations.join(', ') || 'none (copies are duplicates)'}`, rows: augmentRows },
  ];
  const width = GAP + columns * (cellW + GAP);
  const height = sections.reduce((s, sec) => s + TITLE + sec.rows.length * (cellH + GAP), GAP);
  const canvas = new Uint8Array(width * height * 3).fill(BACKGROUND);
  const text: string[] = [];
  let y = GAP;
  for (const section of sections) {
    text.push(`<text x="${GAP}" y="${y + 14}" font-size="14" font-weight="bold">${escapeXml(section.title)}</text>`);
    y += TITLE;
    for (const row of section.rows) {
      row.forEach((cell, col) => {
        const x0 = GAP + col * (cellW + GAP);
        for (let py = 0; py < h * options.scale; py++) {
          for (let px = 0; px < cellW; px++) {
            const src = (Math.floor(py / options.scale) * w + Math.floor(px / options.scale)) * c;
            const dst = ((y + py) * width + x0 + px) * 3;
            for (let k = 0; k < 3; k++) canvas[dst + k] = cell.pixels[src + (c === 1 ? 0 : k)];
          }
        }
        cell.caption.forEach((line, k) => {
          text.push(`<text x="${x0}" y="${y + h * options.scale + CAPTION * (k + 1)}" font-size="11">${escapeXml(line)}</text>`);
        });
      });
      y += cellH + GAP;
    }
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><g font-family="sans-serif" fill="#e8e8e8">${text.join('')}</g></svg>`;
  return sharp(Buffer.from(canvas), { raw: { width, height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toBuffer();
}
