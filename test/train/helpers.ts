import * as tf from '@tensorflow/tfjs-core';
import { LabelMatrix } from '../../src/labels/matrix.js';
import { createRng } from '../../src/labels/rng.js';
import type { ImageSet } from '../../src/train/image-set.js';
import { selectBackend } from '../../src/train/backend.js';

/** Runs `f` on the named backend and returns its result as plain floats (tensors disposed). */
export async function onBackend(name: 'cpu' | 'wasm', f: () => tf.Tensor): Promise<Float32Array> {
  await selectBackend(name);
  const out = tf.tidy(f);
  const values = Float32Array.from(out.dataSync() as Float32Array);
  out.dispose();
  return values;
}

/** max |got − want| / max |want|: the error relative to the reference's own scale. */
export function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    if (!Number.isFinite(got[i])) return Infinity;
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Seeded floats in [-1, 1), a `zeroFraction` of them exactly 0 (ties for max-pooling, dead ReLUs). */
export function floats(n: number, seed: number, zeroFraction = 0): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.float() < zeroFraction ? 0 : 2 * rng.float() - 1;
  return out;
}

/**
 * A learnable toy task: 8×8 single-channel images; label l is present when quadrant l (of 4) is
 * bright. Multi-hot, so the per-label sigmoid outputs must each learn their own quadrant.
 */
export function quadrantSet(n: number, seed: number): ImageSet {
  const rng = createRng(seed);
  const size = 8;
  const images = new Uint8Array(n * size * size);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const labels: number[] = [];
    for (let q = 0; q < 4; q++) {
      const on = rng.float() < 0.4;
      if (on) labels.push(q);
      for (let r = 0; r < 4; r++) {
        for (let c = 0; c < 4; c++) {
          const y = (q >> 1) * 4 + r;
          const x = (q & 1) * 4 + c;
          images[i * 64 + y * size + x] = on ? 160 + rng.int(96) : rng.int(64);
        }
      }
    }
    rows.push(labels);
  }
  return { images, height: size, width: size, channels: 1, labels: LabelMatrix.fromRows(['q0', 'q1', 'q2', 'q3'], rows) };
}
