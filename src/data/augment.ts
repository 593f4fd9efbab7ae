import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { streamOf, type Rng } from '../labels/rng.js';
import type { AugmentationName } from './types.js';
import type { ImageBatch } from '../records/images.js';

/** Keras `RandomRotation(0.2)`: up to 0.2 of a full turn either way. */
export const MAX_ROTATION_TURNS = 0.2;
/** Keras `RandomZoom(0.2)`: scale in [0.8, 1.2]. */
export const MAX_ZOOM = 0.2;
/** Keras `RandomBrightness(0.2)` over the range 0–255: shift by up to ±0.2 · 255. */
export const MAX_BRIGHTNESS = 0.2;

/** The random draw behind one augmented copy. */
export interface AugmentParams {
  flip: boolean;
  /** Radians. */
  angle: number;
  /** > 1 magnifies. */
  scale: number;
  /** Added to every pixel, as a fraction of 255. */
  brightness: number;
}

/**
 * The parameters of copy `copy` of source image `source`: a pure function of (seed, source, copy)
 * (`seed` may be passed as the already-created root stream of that seed),
 * so a copy is the same whatever batch it is computed in and whichever other copies exist. All four
 * values are always drawn (then the disabled ones ignored) so enabling one augmentation does not
 * change the draws of another.
 */
export function augmentParams(seed: number | Rng, source: number, copy: number, augment: readonly AugmentationName[]): AugmentParams {
  const rng = streamOf(seed).fork(source).fork(copy);
  const flip = rng.float() < 0.5;
  const angle = (rng.float() * 2 - 1) * MAX_ROTATION_TURNS * 2 * Math.PI;
  const scale = 1 + (rng.float() * 2 - 1) * MAX_ZOOM;
  const brightness = (rng.float() * 2 - 1) * MAX_BRIGHTNESS;
  return {
    flip: augment.includes('flip') && flip,
    angle: augment.includes('rotate') ? angle : 0,
    scale: augment.includes('zoom') ? scale : 1,
    brightness: augment.includes('brightness') ? brightness : 0,
  };
}

/**
 * The projective transform (tfjs `image.transform` convention: output pixel → input pixel) that
 * flips, rotates by `angle` and scales by `scale` about the image centre.
 */
export function inverseTransform(p: AugmentParams, height: number, width: number): number[] {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const f = p.flip ? -1 : 1;
  const c = Math.cos(p.angle) / p.scale;
  const s = Math.sin(p.angle) / p.scale;
  // input − centre = F · R(−angle) · (output − centre) / scale
  const m00 = f * c;
  const m01 = f * s;
  const m10 = -s;
  const m11 = c;
  return [m00, m01, cx - m00 * cx - m01 * cy, m10, m11, cy - m10 * cx - m11 * cy, 0, 0];
}

export type { ImageBatch } from '../records/images.js';

/**
 * Augments a batch in one pass of tfjs ops (one projective transform with bilinear sampling and a
 * zero fill, one brightness shift, clip, round) on the active backend. Image i gets the parameters of
 * copy `copies[i]` of source `sources[i]`. Returns new bytes; all tensors are released before return.
 */
export function augment(batch: ImageBatch, key: { sources: ArrayLike<number>; copies: ArrayLike<number> }, names: readonly AugmentationName[], seed: number | Rng): Uint8Array {
  const n = imageCount(batch);
  if (key.sources.length !== n || key.copies.length !== n) throw new Error(`augment: ${n} images but ${key.sources.length} sources and ${key.copies.length} copies`);
  const root = streamOf(seed);
  const params = Array.from({ length: n }, (_, i) => augmentParams(root, key.sources[i], key.copies[i], names));
  return applyAugmentations(batch, params);
}

function imageCount(batch: ImageBatch): number {
  const n = batch.images.length / (batch.height * batch.width * batch.channels);
  if (!Number.isInteger(n)) throw new Error(`augment: ${batch.images.length} bytes is not a whole number of ${batch.height}×${batch.width}×${batch.channels} images`);
  return n;
}

/**
 * Applies explicit parameters, one per image: one batched projective transform (bilinear, black
 * outside the image; skipped when no image moves), one brightness shift. Rounding and clipping to
 * 0–255 happen as the floats become bytes (Uint8ClampedArray conversion: round half to even, clamp).
 */
export function applyAugmentations(batch: ImageBatch, params: readonly AugmentParams[]): Uint8Array {
  const { height, width, channels } = batch;
  const n = imageCount(batch);
  if (params.length !== n) throw new Error(`augment: ${n} images but ${params.length} parameter sets`);
  if (n === 0) return new Uint8Array(0);
  repairCpuTransform();
  const geometric = params.some((p) => p.flip || p.angle !== 0 || p.scale !== 1);
  const shifts = Float32Array.from(params, (p) => p.brightness * 255);
  const brighten = shifts.some((s) => s !== 0);
  const transforms = geometric ? Float32Array.from(params.flatMap((p) => inverseTransform(p, height, width))) : undefined;
  const size = height * width * channels;
  const result = tf.tidy(() => {
    let x: tf.Tensor = tf.tensor4d(Float32Array.from(batch.images), [n, height, width, channels], 'float32');
    if (transforms) x = tf.image.transform(x as tf.Tensor4D, tf.tensor2d(transforms, [n, 8]), 'bilinear', 'constant', 0);
    if (brighten) {
      // The shift is expanded to a full plane here because the cpu backend's broadcasting add
      // (n × 1 against n × size) runs ~10× slower than a same-shape add.
      const plane = new Float32Array(n * size);
      for (let i = 0; i < n; i++) plane.fill(shifts[i], i * size, (i + 1) * size);
      x = tf.add(tf.reshape(x, [n, size]), tf.tensor2d(plane, [n, size]));
    }
    return x;
  });
  // Read outside tidy: tidy walks whatever it returns looking for tensors, element by element.
  let out: Float32Array;
  try {
    out = result.dataSync() as Float32Array;
  } finally {
    result.dispose();
  }
  return new Uint8Array(Uint8ClampedArray.from(out).buffer);
}

const REPAIRED = Symbol('skewbench.transformRepaired');

/**
 * The cpu backend's Transform kernel (tfjs 4.22) returns after the first image of a batch, leaving
 * the others at the fill value. This swaps in a kernel that warps every image: bilinear sampling
 * with a constant fill (what augmentation uses) runs in one tight loop over the whole batch, with
 * the same arithmetic as the original; other modes run the original kernel once per image. Other
 * backends are left alone.
 */
function repairCpuTransform(): void {
  const original = tf.getKernel('Transform', 'cpu');
  if (!original || (original.kernelFunc as { [REPAIRED]?: boolean })[REPAIRED]) return;
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap; backend: unknown }): tf.TensorInfo => {
    const image = args.inputs.image!;
    const transforms = args.inputs.transforms!;
    const attrs = (args.attrs ?? {}) as { interpolation?: string; fillMode?: string; fillValue?: number; outputShape?: [number, number] };
    const backend = args.backend as MathBackendCPU;
    const [batch, height, width, channels] = image.shape;
    const [outHeight, outWidth] = attrs.outputShape ?? [height, width];
    const pixels = backend.data.get(image.dataId).values as Float32Array | Int32Array;
    const matrices = backend.data.get(transforms.dataId).values as Float32Array;
    const shared = transforms.shape[0] === 1;
    const result = new (pixels.constructor as Float32ArrayConstructor)(batch * outHeight * outWidth * channels);
    if (attrs.interpolation === 'bilinear' && (attrs.fillMode ?? 'constant') === 'constant') {
      warpBilinearConstant(pixels, matrices, shared, result, batch, height, width, channels, outHeight, outWidth, attrs.fillValue ?? 0);
    } else {
      const per = height * width * channels;
      const outPer = outHeight * outWidth * channels;
      for (let b = 0; b < batch; b++) {
        const one = backend.makeTensorInfo([1, height, width, channels], image.dtype, pixels.slice(b * per, (b + 1) * per));
        const matrix = shared ? transforms : backend.makeTensorInfo([1, 8], transforms.dtype, matrices.slice(b * 8, b * 8 + 8));
        const warped = original.kernelFunc({ ...args, inputs: { image: one, transforms: matrix } } as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
        result.set((backend.data.get(warped.dataId).values as Float32Array).subarray(0, outPer), b * outPer);
        backend.disposeIntermediateTensorInfo(one);
        if (!shared) backend.disposeIntermediateTensorInfo(matrix);
        backend.disposeIntermediateTensorInfo(warped);
      }
    }
    return backend.makeTensorInfo([batch, outHeight, outWidth, channels], image.dtype, result);
  };
  Object.assign(kernelFunc, { [REPAIRED]: true });
  tf.unregisterKernel('Transform', 'cpu');
  tf.registerKernel({ ...original, kernelFunc: kernelFunc as tf.KernelFunc });
}

/** TensorFlow's ImageProjectiveTransform with bilinear sampling: corners outside the image read `fill`. */
function warpBilinearConstant(
  src: Float32Array | Int32Array,
  matrices: Float32Array,
  shared: boolean,
  out: Float32Array | Int32Array,
  batch: number,
  height: number,
  width: number,
  channels: number,
  outHeight: number,
  outWidth: number,
  fill: number,
): void {
  const rowStride = width * channels;
  const imageStride = height * rowStride;
  let o = 0;
  for (let b = 0; b < batch; b++) {
    const t = shared ? 0 : b * 8;
    const [a0, a1, a2, b0, b1, b2, c0, c1] = [matrices[t], matrices[t + 1], matrices[t + 2], matrices[t + 3], matrices[t + 4], matrices[t + 5], matrices[t + 6], matrices[t + 7]];
    const base = b * imageStride;
    if (channels === 1 && c0 === 0 && c1 === 0) {
      o = warpAffineGrey(src, out, o, base, a0, a1, a2, b0, b1, b2, height, width, outHeight, outWidth, fill);
      continue;
    }
    for (let y = 0; y < outHeight; y++) {
      for (let x = 0; x < outWidth; x++) {
        const k = c0 * x + c1 * y + 1;
        if (k === 0) {
          for (let c = 0; c < channels; c++) out[o++] = fill;
          continue;
        }
        const inX = (a0 * x + a1 * y + a2) / k;
        const inY = (b0 * x + b1 * y + b2) / k;
        const x0 = Math.floor(inX);
        const y0 = Math.floor(inY);
        const fx = inX - x0;
        const fy = inY - y0;
        const left = x0 >= 0 && x0 < width;
        const right = x0 + 1 >= 0 && x0 + 1 < width;
        const top = y0 >= 0 && y0 < height;
        const bottom = y0 + 1 >= 0 && y0 + 1 < height;
        const p = base + y0 * rowStride + x0 * channels;
        for (let c = 0; c < channels; c++) {
          const v00 = top && left ? src[p + c] : fill;
          const v01 = top && right ? src[p + channels + c] : fill;
          const v10 = bottom && left ? src[p + rowStride + c] : fill;
          const v11 = bottom && right ? src[p + rowStride + channels + c] : fill;
          out[o++] = (1 - fy) * ((1 - fx) * v00 + fx * v01) + fy * ((1 - fx) * v10 + fx * v11);
        }
      }
    }
  }
}

/** The common case of `warpBilinearConstant` (one channel, affine), with the branches hoisted. */
function warpAffineGrey(
  src: Float32Array | Int32Array,
  out: Float32Array | Int32Array,
  o: number,
  base: number,
  a0: number,
  a1: number,
  a2: number,
  b0: number,
  b1: number,
  b2: number,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
  fill: number,
): number {
  for (let y = 0; y < outHeight; y++) {
    const rowX = a1 * y + a2;
    const rowY = b1 * y + b2;
    for (let x = 0; x < outWidth; x++) {
      const inX = a0 * x + rowX;
      const inY = b0 * x + rowY;
      const x0 = Math.floor(inX);
      const y0 = Math.floor(inY);
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
        const fx = inX - x0;
        const fy = inY - y0;
        const p = base + y0 * width + x0;
        out[o++] = (1 - fy) * ((1 - fx) * src[p] + fx * src[p + 1]) + fy * ((1 - fx) * src[p + width] + fx * src[p + width + 1]);
      } else if (x0 < -1 || y0 < -1 || x0 >= width || y0 >= height) {
        out[o++] = fill;
      } else {
        const fx = inX - x0;
        const fy = inY - y0;
        const p = base + y0 * width + x0;
        const left = x0 >= 0;
        const right = x0 + 1 < width;
        const top = y0 >= 0;
        const bottom = y0 + 1 < height;
        const v00 = top && left ? src[p] : fill;
        const v01 = top && right ? src[p + 1] : fill;
        const v10 = bottom && left ? src[p + width] : fill;
        const v11 = bottom && right ? src[p + width + 1] : fill;
        out[o++] = (1 - fy) * ((1 - fx) * v00 + fx * v01) + fy * ((1 - fx) * v10 + fx * v11);
      }
    }
  }
  return o;
}
