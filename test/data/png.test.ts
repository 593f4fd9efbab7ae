import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodePlainPng, decodeSimplePng, pngSize } from '../../src/data/png.js';
import { createRng } from '../../src/labels/rng.js';

/** Pixels of a w × h image with c channels: smooth ramps plus noise, so every PNG filter gets used. */
function pixels(w: number, h: number, c: number, seed: number): Buffer {
  const rng = createRng(seed);
  const out = Buffer.alloc(w * h * c);
  for (let p = 0; p < w * h; p++) for (let k = 0; k < c; k++) out[p * c + k] = ((p % w) * (k + 1) * 3 + Math.floor(p / w) * 5 + rng.int(seed % 2 ? 4 : 60)) & 255;
  return out;
}

/** What sharp (the general path) returns for these PNG bytes at their own size. */
async function viaSharp(png: Buffer, w: number, h: number, channels: 1 | 3): Promise<Uint8Array> {
  const p = sharp(png).flatten({ background: '#000000' }).resize(w, h, { fit: 'fill' });
  return new Uint8Array(await (channels === 1 ? p.greyscale() : p.toColourspace('srgb')).raw().toBuffer());
}

describe('decodeSimplePng', () => {
  it('gives exactly the bytes sharp gives for 8-bit grey and RGB PNGs at their own size', async () => {
    let seed = 1;
    for (const [w, h] of [[1, 1], [5, 3], [64, 64], [17, 40]]) {
      for (const c of [1, 3] as const) {
        for (const options of [{ compressionLevel: 0 }, { compressionLevel: 9, adaptiveFiltering: true }, { compressionLevel: 6, adaptiveFiltering: false }]) {
          const image = sharp(pixels(w, h, c, seed++), { raw: { width: w, height: h, channels: c } });
          const png = await (c === 1 ? image.toColourspace('b-w') : image).png(options).toBuffer();
          expect(png[25], 'PNG colour type').toBe(c === 1 ? 0 : 2);
          for (const want of c === 1 ? ([1, 3] as const) : ([3] as const)) {
            const fast = decodeSimplePng(png, w, h, want);
            expect(fast, `${w}×${h}×${c} → ${want}, ${JSON.stringify(options)}`).not.toBeNull();
            expect(fast).toEqual(await viaSharp(png, w, h, want));
          }
        }
      }
    }
  });

  it('decodes a plain PNG at whatever size it has, and reads any PNG\'s size from its header', async () => {
    const rgb = await sharp(pixels(9, 5, 3, 3), { raw: { width: 9, height: 5, channels: 3 } }).png().toBuffer();
    const image = decodePlainPng(rgb, 3);
    expect(image && [image.width, image.height, image.channels]).toEqual([9, 5, 3]);
    expect(image!.pixels).toEqual(await viaSharp(rgb, 9, 5, 3));
    const palette = await sharp(pixels(7, 4, 3, 2), { raw: { width: 7, height: 4, channels: 3 } }).png({ palette: true }).toBuffer();
    expect(pngSize(palette)).toEqual({ width: 7, height: 4 });
    expect(pngSize(Buffer.from('not a png at all, not even close'))).toBeNull();
  });

  it('leaves everything else to sharp: another size, alpha, a palette, 16 bits, interlacing, RGB to grey, not a PNG', async () => {
    const rgb = await sharp(pixels(8, 6, 3, 2), { raw: { width: 8, height: 6, channels: 3 } }).png().toBuffer();
    expect(decodeSimplePng(rgb, 8, 6, 3)).not.toBeNull();
    expect(decodeSimplePng(rgb, 6, 8, 3)).toBeNull();
    expect(decodeSimplePng(rgb, 8, 6, 1)).toBeNull();
    const rgba = await sharp(pixels(8, 6, 4, 2), { raw: { width: 8, height: 6, channels: 4 } }).png().toBuffer();
    expect(decodeSimplePng(rgba, 8, 6, 3)).toBeNull();
    const palette = await sharp(pixels(8, 6, 3, 2), { raw: { width: 8, height: 6, channels: 3 } }).png({ palette: true }).toBuffer();
    expect(decodeSimplePng(palette, 8, 6, 3)).toBeNull();
    const deep = await sharp(pixels(8, 6, 3, 2), { raw: { width: 8, height: 6, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
    expect(decodeSimplePng(deep, 8, 6, 3)).toBeNull();
    const interlaced = await sharp(pixels(8, 6, 3, 2), { raw: { width: 8, height: 6, channels: 3 } }).png({ progressive: true }).toBuffer();
    expect(decodeSimplePng(interlaced, 8, 6, 3)).toBeNull();
    const jpeg = await sharp(pixels(8, 6, 3, 2), { raw: { width: 8, height: 6, channels: 3 } }).jpeg().toBuffer();
    expect(decodeSimplePng(jpeg, 8, 6, 3)).toBeNull();
    expect(decodeSimplePng(rgb.subarray(0, rgb.length - 20), 8, 6, 3)).toBeNull();
  });
});
