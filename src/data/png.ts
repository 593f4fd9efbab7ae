import { inflateSync } from 'node:zlib';

/*
 * A plain-JS decoder for the one PNG case that needs no image processing: 8-bit grey or RGB, not
 * interlaced, no palette, no alpha, no colour profile, already at the asked size. Such an image's
 * bytes are exactly what libvips would return, and decoding it here skips libvips' fixed cost per call,
 * most of the time of a small image. Anything else returns null and goes to sharp.
 */

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Chunks that change no pixel value (text, time, physical size, the sRGB intent, background hint). */
const HARMLESS = new Set(['IHDR', 'IDAT', 'IEND', 'tEXt', 'zTXt', 'iTXt', 'tIME', 'pHYs', 'sRGB', 'bKGD']);

/** The image's pixels as `channels` bytes per pixel, or null when it is not the simple case at this size. */
export function decodeSimplePng(bytes: Uint8Array, width: number, height: number, channels: 1 | 3): Uint8Array | null {
  if (bytes.length < 33 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let colourType = -1;
  const idat: Uint8Array[] = [];
  while (at + 8 <= bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (data.length !== length) return null;
    if (!HARMLESS.has(type)) return null;
    if (type === 'IHDR') {
      if (length !== 13) return null;
      const w = view.getUint32(at + 8);
      const h = view.getUint32(at + 12);
      const [depth, colour, compression, filter, interlace] = data.subarray(8, 13);
      if (w !== width || h !== height || depth !== 8 || compression !== 0 || filter !== 0 || interlace !== 0) return null;
      if (colour !== 0 && colour !== 2) return null;
      colourType = colour;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  if (colourType < 0 || idat.length === 0) return null;
  const inChannels = colourType === 2 ? 3 : 1;
  // Grey to RGB repeats the level; RGB to grey is libvips' to make.
  if (inChannels === 3 && channels === 1) return null;
  let raw: Uint8Array;
  try {
    raw = inflateSync(idat.length === 1 ? idat[0] : Buffer.concat(idat));
  } catch {
    return null;
  }
  const stride = width * inChannels;
  if (raw.length !== height * (stride + 1)) return null;
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : null;
    const bpp = inChannels;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[x - bpp] : 0;
      const b = up ? up[x] : 0;
      const c = up && x >= bpp ? up[x - bpp] : 0;
      let v: number;
      switch (filter) {
        case 0:
          v = line[x];
          break;
        case 1:
          v = line[x] + a;
          break;
        case 2:
          v = line[x] + b;
          break;
        case 3:
          v = line[x] + ((a + b) >> 1);
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v = line[x] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          return null;
      }
      out[x] = v & 255;
    }
  }
  if (inChannels === channels) return pixels;
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < pixels.length; p++) rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = pixels[p];
  return rgb;
}
