import type { ContactSheet, SheetCell } from '../records/preview.js';

const CAPTION = 13;
const GAP = 6;
const TITLE = 20;
const BACKGROUND = 32;

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** Draws a contact sheet as a PNG: each image scaled up `scale` times, its caption lines under it. */
export async function renderContactSheet(sheet: ContactSheet, scale: number): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  const { height: h, width: w, channels: c, copies, samples: sampleCells, augmentRows } = sheet;
  const options = { scale };
  const columns = Math.max(Math.min(8, sampleCells.length), copies + 1);
  const maxLines = Math.max(1, ...sampleCells.map((cell) => cell.caption.length), ...augmentRows.flat().map((cell) => cell.caption.length));
  const cellW = w * options.scale;
  const cellH = h * options.scale + maxLines * CAPTION + 4;
  const sampleRows: SheetCell[][] = [];
  for (let k = 0; k < sampleCells.length; k += columns) sampleRows.push(sampleCells.slice(k, k + columns));
  const sections: Array<{ title: string; rows: SheetCell[][] }> = [
    { title: sheet.sampleTitle, rows: sampleRows },
    { title: sheet.augmentTitle, rows: augmentRows },
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
