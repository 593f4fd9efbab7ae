import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../labels/rng.js';
import type { AugmentationName } from './types.js';

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
 * The parameters of copy `copy` of source image `source`: a pure function of (seed, source, copy),
 * so a copy is the same whatever batch it is computed in and whichever other copies exist. All four
 * values are always drawn (then the disabled ones ignored) so enabling one augmentation does not
 * change the draws of another.
 */
export function augmentParams(seed: number, source: number, copy: number, augment: readonly AugmentationName[]): AugmentParams {
  const rng = createRng(seed).fork(source).fork(copy);
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

export interface ImageBatch {
  images: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

/**
 * Augments a batch in one pass of tfjs ops (one projective transform with bilinear sampling and a
 * zero fill, one brightness shift, clip, round) on the active backend. Image i gets the parameters of
 * copy `copies[i]` of source `sources[i]`. Returns new bytes; all tensors are released before return.
 */
export function augment(batch: ImageBatch, key: { sources: ArrayLike<number>; copies: ArrayLike<number> }, names: readonly AugmentationName[], seed: number): Uint8Array {
  const { height, width, channels } = batch;
  const size = height * width * channels;
  const n = batch.images.length / size;
  if (!Number.isInteger(n)) throw new Error(`augment: ${batch.images.length} bytes is not a whole number of ${height}×${width}×${channels} images`);
  if (key.sources.length !== n || key.copies.length !== n) throw new Error(`augment: ${n} images but ${key.sources.length} sources and ${key.copies.length} copies`);
  if (n === 0) return new Uint8Array(0);
  const params = Array.from({ length: n }, (_, i) => augmentParams(seed, key.sources[i], key.copies[i], names));
  const geometric = names.some((a) => a !== 'brightness');
  const shifts = Float32Array.from(params, (p) => p.brightness * 255);
  const transforms = geometric ? Float32Array.from(params.flatMap((p) => inverseTransform(p, height, width))) : undefined;
  const out = tf.tidy(() => {
    let x: tf.Tensor4D = tf.tensor4d(Float32Array.from(batch.images), [n, height, width, channels], 'float32');
    if (transforms) x = tf.image.transform(x, tf.tensor2d(transforms, [n, 8]), 'bilinear', 'constant', 0);
    const y = tf.round(tf.clipByValue(tf.add(x, tf.tensor4d(shifts, [n, 1, 1, 1])), 0, 255));
    return y.dataSync();
  });
  return Uint8Array.from(out);
}
