import { inflateSync } from 'node:zlib';

/*
 * A plain-JS decoder for the one PNG case that needs no colour processing: 8-bit grey or RGB, not
 * interlaced, no palette, no alpha, no colour profile. Such an image's bytes are exactly what libvips
 * would return, and decoding it here skips libvips' fixed cost per call, most of the time of a small
 * image. Anything else returns null and goes to sharp.
 */

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Chunks that change no pixel value (text, time, physical size, the sRGB intent, background hint). */
const HARMLESS = new Set(['IHDR', 'IDAT', 'IEND', 'tEXt', 'zTXt', 'iTXt', 'tIME', 'pHYs', 'sRGB', 'bKGD']);

/** A PNG's size from its header (the first chunk), or null when the bytes do not start as a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  if (String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]) !== 'IHDR') return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Decoded pixels: `channels` bytes per pixel, row-major. */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 3;
  pixels: Uint8Array;
}

/** The image's pixels as `channels` bytes per pixel, or null when it is not the simple case at this size. */
export function decodeSimplePng(bytes: Uint8Array, width: number, height: number, channels: 1 | 3): Uint8Array | null {
  const image = decodePlainPng(bytes, channels);
  return image && image.width === width && image.height === height ? image.pixels : null;
}

/**
 * A plain PNG (8-bit grey or RGB, not interlaced, no palette, alpha or colour profile) at its own
 * size as `channels` bytes per pixel, exactly what sharp returns for it; null for anything else, and
 * for RGB asked as grey (libvips' conversion to make).
 */
export function decodePlainPng(bytes: Uint8Array, channels: 1 | 3): DecodedImage | null {
  if (bytes.length < 33 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let colourType = -1;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  while (at + 8 <= bytes.length) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (data.length !== length) return null;
    if (!HARMLESS.has(type)) return null;
    if (type === 'IHDR') {
      if (length !== 13) return null;
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      const [depth, colour, compression, filter, interlace] = data.subarray(8, 13);
      if (width < 1 || height < 1 || depth !== 8 || compression !== 0 || filter !== 0 || interlace !== 0) return null;
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
  const pixels = unfilter(raw, width, height, inChannels);
  if (!pixels) return null;
  if (inChannels === channels) return { width, height, channels, pixels };
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < pixels.length; p++) rgb[3 * p] = rgb[3 * p + 1] = rgb[3 * p + 2] = pixels[p];
  return { width, height, channels, pixels: rgb };
}

/**
 * Undoes the PNG row filters (None, Sub, Up, Average, Paeth; the row above the first is zeros), one
 * loop per filter so the loop body does not branch on it. Null for an unknown filter byte.
 */
function unfilter(raw: Uint8Array, width: number, height: number, bpp: number): Uint8Array | null {
  const stride = width * bpp;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const up = row - stride;
    const first = y === 0;
    switch (filter) {
      case 0:
        out.set(raw.subarray(src, src + stride), row);
        break;
      case 1:
        for (let x = 0; x < bpp; x++) out[row + x] = raw[src + x];
        for (let x = bpp; x < stride; x++) out[row + x] = raw[src + x] + out[row + x - bpp];
        break;
      case 2:
        if (first) out.set(raw.subarray(src, src + stride), row);
        else for (let x = 0; x < stride; x++) out[row + x] = raw[src + x] + out[up + x];
        break;
      case 3:
        if (first) {
          for (let x = 0; x < bpp; x++) out[row + x] = raw[src + x];
          for (let x = bpp; x < stride; x++) out[row + x] = raw[src + x] + (out[row + x - bpp] >> 1);
        } else {
          for (let x = 0; x < bpp; x++) out[row + x] = raw[src + x] + (out[up + x] >> 1);
          for (let x = bpp; x < stride; x++) out[row + x] = raw[src + x] + ((out[row + x - bpp] + out[up + x]) >> 1);
        }
        break;
      case 4:
        if (first) {
          // Paeth with no row above predicts the left neighbour (Sub).
          for (let x = 0; x < bpp; x++) out[row + x] = raw[src + x];
          for (let x = bpp; x < stride; x++) out[row + x] = raw[src + x] + out[row + x - bpp];
        } else {
          // Paeth with no left neighbour predicts the one above (Up).
          for (let x = 0; x < bpp; x++) out[row + x] = raw[src + x] + out[up + x];
          for (let x = bpp; x < stride; x++) {
            const a = out[row + x - bpp];
            const b = out[up + x];
            const c = out[up + x - bpp];
            const pa = Math.abs(b - c);
            const pb = Math.abs(a - c);
            const pc = Math.abs(a + b - 2 * c);
            out[row + x] = raw[src + x] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          }
        }
        break;
      default:
        return null;
    }
  }
  return out;
}
