import { BatchMatMul, type BatchMatMulAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { release, reshaped, runBuiltin } from './wasm-backend.js';

/**
 * The wasm backend sends only non-transposed, unbatched products to XNNPACK; a transposed operand
 * (the backward pass of every dense layer: dX = dY·Wᵀ, dW = Xᵀ·dY) falls to a scalar triple loop
 * that is ~15× slower. Materialising the transpose first costs one pass over the operand and lets
 * the product take the XNNPACK path.
 */
function batchMatMul(args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: BackendWasm; attrs: BatchMatMulAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs;
  const batchA = a.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  const batchB = b.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  if ((!transposeA && !transposeB) || batchA !== 1 || batchB !== 1 || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return runBuiltin(BatchMatMul, backend, { a, b }, { transposeA, transposeB });
  }
  const a2 = reshaped(a, a.shape.slice(-2));
  const b2 = reshaped(b, b.shape.slice(-2));
  const aPlain = transposeA ? runBuiltin('Transpose', backend, { x: a2 }, { perm: [1, 0] }) : a2;
  const bPlain = transposeB ? runBuiltin('Transpose', backend, { x: b2 }, { perm: [1, 0] }) : b2;
  const out = runBuiltin(BatchMatMul, backend, { a: aPlain, b: bPlain }, { transposeA: false, transposeB: false });
  if (transposeA) release(backend, aPlain);
  if (transposeB) release(backend, bPlain);
  const outShape = [...(a.shape.length >= b.shape.length ? a.shape : b.shape).slice(0, -2), out.shape[out.shape.length - 2], out.shape[out.shape.length - 1]];
  return { ...out, shape: outShape };
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelFunc,
};
