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

/** Where each of tensors of these sizes starts when they are laid out one after another. */
export function offsetsOf(sizes: readonly number[]): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (const size of sizes) {
    offsets.push(at);
    at += size;
  }
  return offsets;
}

/**
 * Writes `tensors` one after another into slot `slot` of `buffer`, whose slots each hold tensors
 * of these sizes (a micro-batch's gradients, say).
 */
export function copySlotOut(tensors: readonly tf.Tensor[], buffer: Float32Array, slot: number): void {
  let offset = slot * tensors.reduce((s, t) => s + t.size, 0);
  for (const t of tensors) {
    copyOut(t, buffer, offset);
    offset += t.size;
  }
}

/** Tensors of `shapes` read from slot `slot` of `buffer` (as `copySlotOut` wrote them). */
export function tensorsFromSlot(buffer: Float32Array, slot: number, shapes: ReadonlyArray<readonly number[]>): tf.Tensor[] {
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const base = slot * sizes.reduce((a, b) => a + b, 0);
  const offsets = offsetsOf(sizes);
  return shapes.map((shape, i) => tensorFrom(buffer, base + offsets[i], shape));
}

/** A float32 tensor of `shape` holding `source[offset …)`. */
export function tensorFrom(source: Float32Array, offset: number, shape: readonly number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  // wasm copies the values onto its heap at once; other backends may keep the array itself.
  const values = wasm() ? source.subarray(offset, offset + size) : source.slice(offset, offset + size);
  return tf.tensor(values, [...shape], 'float32');
}
