import { getKernel, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * The wasm backend's own kernels, captured before ours replace them: ours fall back to them for
 * the cases they do not cover (batched broadcasts, other activations, other reductions).
 */
const builtin = new Map<string, KernelFunc>();

export function captureBuiltinKernel(name: string): void {
  if (builtin.has(name)) return;
  const config = getKernel(name, 'wasm');
  if (config) builtin.set(name, config.kernelFunc);
}

export function runBuiltin(
  name: string,
  backend: BackendWasm,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernel = builtin.get(name);
  if (!kernel) throw new Error(`wasm kernel ${name} is not available (was the wasm backend initialised?)`);
  return kernel({ inputs, backend, attrs }) as TensorInfo;
}

export function heapFloats(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/**
 * The backend's heap as it is now. Views of it must be made after any allocation that may grow
 * the heap (which replaces the buffer).
 */
export function heapBuffer(backend: BackendWasm): ArrayBufferLike {
  return (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer;
}
