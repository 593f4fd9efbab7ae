import { BatchMatMul, type BatchMatMulAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { matMulInto, pointer } from './gemm-runtime.js';
import { runBuiltin } from './wasm-backend.js';

/**
 * The wasm backend sends only non-transposed, unbatched products to XNNPACK, and even those repack
 * B on every call when B changes (as weights do every step: ~15 ms for a 784×256 matrix); a
 * transposed operand (the backward pass of every dense layer: dX = dY·Wᵀ, dW = Xᵀ·dY) falls to a
 * scalar triple loop ~15× slower still. The project's GEMM reads a transposed A through strides
 * and packs B in one cheap pass, so every case takes the same fast path.
 */
function batchMatMul(args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: BackendWasm; attrs: BatchMatMulAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const batchA = a.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  const batchB = b.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  const sameOuter = ra === rb && a.shape.slice(0, -2).every((d, i) => d === b.shape[i]);
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || !(batchA === 1 || batchB === 1 || sameOuter)) {
    return runBuiltin(BatchMatMul, backend, { a, b }, { transposeA, transposeB });
  }
  const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kB = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (K !== kB) {
    throw new Error(`Error in matMul: inner shapes (${K}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  }
  const outer = (batchA >= batchB ? a.shape : b.shape).slice(0, -2);
  const batch = Math.max(batchA, batchB);
  const out = backend.makeOutput([...outer, M, N], 'float32');
  const aPtr = pointer(backend, a);
  const bPtr = pointer(backend, b);
  const outPtr = pointer(backend, out);
  for (let i = 0; i < batch; i++) {
    matMulInto(
      backend,
      { ptr: aPtr + (batchA === 1 ? 0 : i * M * K * 4), transposed: transposeA },
      { ptr: bPtr + (batchB === 1 ? 0 : i * K * N * 4), transposed: transposeB },
      M,
      K,
      N,
      outPtr + i * M * N * 4,
    );
  }
  return out;
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelFunc,
};
