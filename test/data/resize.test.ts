import fc from 'fast-check';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { FITS, resizeImage, scaledSize, type Fit } from '../../src/data/resize.js';

const side = fc.integer({ min: 1, max: 20 });
const channels = fc.constantFrom(1, 3);
const fit = fc.constantFrom<Fit>(...FITS);
/** An image of random size and bytes. */
const image = fc
  .record({ width: side, height: side, channels })
  .chain(({ width, height, channels }) => fc.uint8Array({ minLength: width * height * channels, maxLength: width * height * channels }).map((pixels) => ({ width, height, channels, pixels })));

/** Where the image lands in the output: all of it for fill and cover, the centred scaled size for contain. */
function region(width: number, height: number, outWidth: number, outHeight: number, f: Fit): { x0: number; y0: number; w: number; h: number } {
  if (f !== 'contain') return { x0: 0, y0: 0, w: outWidth, h: outHeight };
  const s = scaledSize(width, height, outWidth, outHeight, f);
  return { x0: Math.floor((outWidth - s.width) / 2), y0: Math.floor((outHeight - s.height) / 2), w: s.width, h: s.height };
}

describe('resizeImage (the triangle-filter resampler every folder image goes through)', () => {
  it('is the identity at the same size, for every fit', () => {
    fc.assert(
      fc.property(image, fit, ({ width, height, channels, pixels }, f) => {
        expect(resizeImage(pixels, width, height, channels, width, height, f)).toEqual(pixels);
      }),
    );
  });

  it('keeps a constant image constant where the image lands (contain pads with black), at any sizes', () => {
    fc.assert(
      fc.property(side, side, side, side, channels, fit, fc.integer({ min: 1, max: 255 }), (width, height, outWidth, outHeight, c, f, level) => {
        const out = resizeImage(new Uint8Array(width * height * c).fill(level), width, height, c, outWidth, outHeight, f);
        expect(out.length).toBe(outWidth * outHeight * c);
        const { x0, y0, w, h } = region(width, height, outWidth, outHeight, f);
        for (let y = 0; y < outHeight; y++) {
          for (let x = 0; x < outWidth; x++) {
            const inside = x >= x0 && x < x0 + w && y >= y0 && y < y0 + h;
            for (let k = 0; k < c; k++) expect(out[(y * outWidth + x) * c + k]).toBe(inside ? level : 0);
          }
        }
      }),
    );
  });

  it('never leaves the range of its input: each output lies between the channel’s smallest and largest input', () => {
    fc.assert(
      fc.property(image, side, side, fc.constantFrom<Fit>('fill', 'cover'), ({ width, height, channels, pixels }, outWidth, outHeight, f) => {
        const out = resizeImage(pixels, width, height, channels, outWidth, outHeight, f);
        for (let k = 0; k < channels; k++) {
          const values = pixels.filter((_, i) => i % channels === k);
          const [lo, hi] = [Math.min(...values), Math.max(...values)];
          out.forEach((v, i) => {
            if (i % channels === k) expect(v >= lo && v <= hi).toBe(true);
          });
        }
      }),
    );
  });

  it('keeps a linear ramp linear away from the edges, shrinking and enlarging', () => {
    for (const [from, to] of [[8, 4], [12, 6], [6, 12], [30, 10]]) {
      const ramp = Uint8Array.from({ length: from }, (_, x) => 8 * x);
      const out = resizeImage(ramp, from, 1, 1, to, 1, 'fill');
      // output pixel r is centred on source coordinate (r + 0.5)·from/to − 0.5
      for (let r = 2; r < to - 2; r++) expect(out[r]).toBe(Math.round(8 * ((r + 0.5) * (from / to) - 0.5)));
    }
  });

  it('crops cover to the centre and centres contain on black, in whole pixels', () => {
    // 8 × 2 ramp (column c = 30·c) to 4 × 2: cover keeps columns 2 … 5 as they are.
    const ramp = Uint8Array.from({ length: 16 }, (_, i) => 30 * (i % 8));
    expect(Array.from(resizeImage(ramp, 8, 2, 1, 4, 2, 'cover'))).toEqual([60, 90, 120, 150, 60, 90, 120, 150]);
    // contain: scaled to 4 × 1 and centred on row 0 of 2 (floor of the spare row halved), row 1 black.
    const contained = resizeImage(ramp, 8, 2, 1, 4, 2, 'contain');
    expect(Array.from(contained.subarray(4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(contained.subarray(0, 4)).every((v, x) => Math.abs(v - (60 * x + 15)) <= 12)).toBe(true);
  });

  it('agrees with sharp’s default (Lanczos 3) resize within 3 levels on average and 10 at most on a smooth image', async () => {
    const [w, h] = [64, 48];
    const pixels = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const at = (y * w + x) * 3;
        pixels[at] = Math.round(127.5 + 120 * Math.sin(x / 7) * Math.cos(y / 9));
        pixels[at + 1] = Math.round((255 * x) / (w - 1));
        pixels[at + 2] = Math.round((255 * y) / (h - 1));
      }
    }
    // Measured: mean 0.2–0.5 and at most 3 levels shrinking, mean 2.1 and at most 7 enlarging (Lanczos rings, the triangle does not).
    for (const [ow, oh, f] of [[48, 36, 'fill'], [32, 32, 'cover'], [96, 72, 'fill'], [40, 40, 'contain']] as const) {
      const ours = resizeImage(pixels, w, h, 3, ow, oh, f);
      const theirs = await sharp(pixels, { raw: { width: w, height: h, channels: 3 } }).resize(ow, oh, { fit: f, background: { r: 0, g: 0, b: 0, alpha: 1 } }).raw().toBuffer();
      let total = 0;
      let worst = 0;
      ours.forEach((v, i) => {
        const d = Math.abs(v - theirs[i]);
        total += d;
        worst = Math.max(worst, d);
      });
      expect(total / ours.length, `${ow}×${oh} ${f}: mean difference`).toBeLessThanOrEqual(3);
      expect(worst, `${ow}×${oh} ${f}: largest difference`).toBeLessThanOrEqual(10);
    }
  });
});
