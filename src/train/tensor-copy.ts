import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats } from './kernels/wasm-backend.js';

/*
 * Copies between tensors and plain (e.g. shared) float arrays, once: on wasm straight from and onto
 * the backend's heap, with no temporary array per call (a training step moves its weights and
 * gradients this way, megabytes per step).
 */

function wasm(): BackendWasm | undefined {
  return tf.getBackend() === 'wasm' ? (tf.backend() as unknown as BackendWasm) : undefined;
}

/** Writes float32 tensor `t`'s values into `target` from `offset`. */
export function copyOut(t: tf.Tensor, target: Float32Array, offset: number): void {
  const backend = wasm();
  target.set(backend ? heapFloats(backend, t) : (t.dataSync() as Float32Array), offset);
}

/** A float32 tensor of `shape` holding `source[offset …)`. */
export function tensorFrom(source: Float32Array, offset: number, shape: readonly number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  // wasm copies the values onto its heap at once; other backends may keep the array itself.
  const values = wasm() ? source.subarray(offset, offset + size) : source.slice(offset, offset + size);
  return tf.tensor(values, [...shape], 'float32');
}
