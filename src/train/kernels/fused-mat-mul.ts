import { _FusedMatMul, type _FusedMatMulAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { matMulInto, pointer } from './gemm-runtime.js';
import { runBuiltin } from './wasm-backend.js';

/**
 * A dense layer's forward pass, act(A·B + bias), in one GEMM whose tiles add the bias and clamp as
 * they store: the builtin would repack the (every-step-new) weights through XNNPACK. Activations other
 * than linear/relu, batched operands and non-vector biases keep the builtin kernel.
 */
function fusedMatMul(args: {
  inputs: { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: _FusedMatMulAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b, bias, preluActivationWeights } = inputs;
  const { transposeA, transposeB, activation } = attrs;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const M = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const N = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const unbatched = a.shape.slice(0, -2).every((d) => d === 1) && b.shape.slice(0, -2).every((d) => d === 1);
  const simpleActivation = activation === undefined || activation === 'linear' || activation === 'relu';
  const vectorBias = bias === undefined || (bias.shape.length === 1 && bias.shape[0] === N && bias.dtype === 'float32');
  if (!unbatched || !simpleActivation || !vectorBias || preluActivationWeights || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return runBuiltin(_FusedMatMul, backend, inputs as unknown as Record<string, TensorInfo>, attrs as unknown as Record<string, never>);
  }
  const outer = (ra >= rb ? a.shape : b.shape).slice(0, -2);
  const out = backend.makeOutput([...outer, M, N], 'float32');
  matMulInto(
    backend,
    { ptr: pointer(backend, a), transposed: transposeA },
    { ptr: pointer(backend, b), transposed: transposeB },
    M,
    K,
    N,
    pointer(backend, out),
    { bias: bias ? pointer(backend, bias) : 0, relu: activation === 'relu' },
  );
  return out;
}

export const fusedMatMulConfig: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: 'wasm',
  kernelFunc: fusedMatMul as unknown as KernelFunc,
};
