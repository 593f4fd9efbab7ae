/*
 * The one resampler every folder image goes through after decoding, whichever decoder read it, so a
 * folder's pixels do not depend on its images' file formats. Separable triangle (linear) filter:
 * output pixel r of an axis scaled from S to R source pixels samples the source at
 * s = (r + 0.5) · S / R − 0.5, weighting source pixel j by max(0, 1 − |j − s| / h) with
 * h = max(1, S / R), so upscaling is bilinear interpolation and downscaling averages every source
 * pixel under the output pixel's footprint (no aliasing). Weights are normalised over the source
 * pixels inside the image, so edges are not darkened. Same size is the identity; a constant image
 * stays constant; every output lies between the smallest and largest input of its channel. Rows
 * first, then columns; sums in double precision, the intermediate rows kept as float32, the result
 * rounded to the nearest level.
 */

export const FITS = ['fill', 'cover', 'contain'] as const;
/** How an image meets the asked shape: stretched (`fill`), cropped to it (`cover`) or padded with black (`contain`). */
export type Fit = (typeof FITS)[number];

/** Names the resampler in the decode cache key: change it whenever resized pixels change. */
export const RESIZE_KERNEL = 'triangle-1';

/** How one axis of the output is filled: the output range [start, start + count) comes from the source through `taps`. */
interface AxisPlan {
  start: number;
  count: number;
  /** Per output pixel of the range: its first source index and number of taps; its weights start `stride` apart in `weights`. */
  first: Int32Array;
  taps: Int32Array;
  weights: Float32Array;
  /** Maximum taps of any output pixel (the stride of `weights`). */
  stride: number;
}

/**
 * The plan of an axis of `source` pixels scaled to `scaled` and then cropped (centre, `scaled` > `out`)
 * or padded with black (centre, `scaled` < `out`) to `out` pixels.
 */
function axisPlan(source: number, scaled: number, out: number): AxisPlan {
  const start = scaled < out ? Math.floor((out - scaled) / 2) : 0;
  const count = Math.min(scaled, out);
  // An odd spare pixel is cropped on the left (top) and padded on the right (bottom), as sharp places them.
  const crop = scaled > out ? Math.ceil((scaled - out) / 2) : 0;
  const ratio = source / scaled;
  const half = Math.max(1, ratio);
  const stride = Math.ceil(2 * half) + 1;
  const first = new Int32Array(count);
  const taps = new Int32Array(count);
  const weights = new Float32Array(count * stride);
  for (let i = 0; i < count; i++) {
    const centre = (i + crop + 0.5) * ratio - 0.5;
    const lo = Math.max(0, Math.ceil(centre - half));
    const hi = Math.min(source - 1, Math.floor(centre + half));
    let sum = 0;
    for (let j = lo; j <= hi; j++) sum += Math.max(0, 1 - Math.abs(j - centre) / half);
    first[i] = lo;
    taps[i] = hi - lo + 1;
    for (let j = lo; j <= hi; j++) weights[i * stride + j - lo] = Math.max(0, 1 - Math.abs(j - centre) / half) / sum;
  }
  return { start, count, first, taps, weights, stride };
}

const plans = new Map<string, AxisPlan>();
/** Plans by geometry: a folder's images usually share one, so each is computed once. */
function cachedPlan(source: number, scaled: number, out: number): AxisPlan {
  const key = `${source},${scaled},${out}`;
  let plan = plans.get(key);
  if (!plan) {
    if (plans.size >= 64) plans.clear();
    plan = axisPlan(source, scaled, out);
    plans.set(key, plan);
  }
  return plan;
}

/**
 * The size a `width` × `height` image is scaled to before it is cropped or padded to `outWidth` ×
 * `outHeight`: fill stretches each axis to the output, cover scales both by the larger ratio (then the
 * centre is cropped), contain by the smaller (then it is centred on black); rounded, at least 1.
 */
export function scaledSize(width: number, height: number, outWidth: number, outHeight: number, fit: Fit): { width: number; height: number } {
  if (fit === 'fill') return { width: outWidth, height: outHeight };
  const scale = fit === 'cover' ? Math.max(outWidth / width, outHeight / height) : Math.min(outWidth / width, outHeight / height);
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  // The axis that sets the scale meets the output exactly, whatever the rounding of the product.
  return fit === 'cover' ? { width: Math.max(w, outWidth), height: Math.max(h, outHeight) } : { width: Math.min(w, outWidth), height: Math.min(h, outHeight) };
}

let rowsBuffer = new Float32Array(0);
let sumsBuffer = new Float64Array(0);

/**
 * `pixels` (`width` × `height` × `channels` bytes, row-major) resampled to `outWidth` × `outHeight`
 * with `fit`; the same array when nothing changes (same size).
 */
export function resizeImage(pixels: Uint8Array, width: number, height: number, channels: number, outWidth: number, outHeight: number, fit: Fit): Uint8Array {
  if (pixels.length !== width * height * channels) throw new Error(`${pixels.length} bytes are not a ${width}×${height}×${channels} image`);
  if (width === outWidth && height === outHeight) return pixels;
  const scaled = scaledSize(width, height, outWidth, outHeight, fit);
  const px = cachedPlan(width, scaled.width, outWidth);
  const py = cachedPlan(height, scaled.height, outHeight);
  // Rows first: every source row the columns pass reads, resampled to the output's columns.
  const rowLength = px.count * channels;
  const rowFrom = py.count > 0 ? py.first[0] : 0;
  const rowTo = py.count > 0 ? py.first[py.count - 1] + py.taps[py.count - 1] : 0;
  if (rowsBuffer.length < height * rowLength) rowsBuffer = new Float32Array(height * rowLength);
  if (sumsBuffer.length < rowLength) sumsBuffer = new Float64Array(rowLength);
  const rows = rowsBuffer;
  const sums = sumsBuffer;
  const { first: xFirst, taps: xTaps, weights: xWeights, stride: xStride } = px;
  for (let y = rowFrom; y < rowTo; y++) {
    const src = y * width * channels;
    let dst = y * rowLength;
    for (let i = 0; i < px.count; i++) {
      const w0 = i * xStride;
      const n = xTaps[i];
      let at = src + xFirst[i] * channels;
      if (channels === 3) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let t = 0; t < n; t++, at += 3) {
          const w = xWeights[w0 + t];
          r += w * pixels[at];
          g += w * pixels[at + 1];
          b += w * pixels[at + 2];
        }
        rows[dst++] = r;
        rows[dst++] = g;
        rows[dst++] = b;
      } else {
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (let t = 0; t < n; t++) sum += xWeights[w0 + t] * pixels[at + t * channels + c];
          rows[dst++] = sum;
        }
      }
    }
  }
  // Then columns: each output row is a weighted sum of whole resampled rows.
  const out = new Uint8Array(outWidth * outHeight * channels);
  const { first: yFirst, taps: yTaps, weights: yWeights, stride: yStride } = py;
  for (let k = 0; k < py.count; k++) {
    const w0 = k * yStride;
    const n = yTaps[k];
    sums.fill(0, 0, rowLength);
    for (let t = 0; t < n; t++) {
      const w = yWeights[w0 + t];
      const base = (yFirst[k] + t) * rowLength;
      for (let e = 0; e < rowLength; e++) sums[e] += w * rows[base + e];
    }
    const dst = ((py.start + k) * outWidth + px.start) * channels;
    // Weights are non-negative and sum to 1: every sum lies in [0, 255].
    for (let e = 0; e < rowLength; e++) out[dst + e] = Math.round(sums[e]);
  }
  return out;
}
