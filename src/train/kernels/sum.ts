import { Sum, util, type KernelConfig, type KernelFunc, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { gemmModule, pointer } from './gemm-runtime.js';
import { runBuiltin } from './wasm-backend.js';

/**
 * Sums over every axis but the last: the bias gradient of each layer. The backend's kernel first
 * transposes the reduced axes innermost (~12 ms for the first conv layer's [64,28,28,16]); a SIMD
 * sum down the columns in place needs no transpose. Other reductions keep the builtin kernel.
 */
function sum(args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: SumAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const rank = x.shape.length;
  const axes = util.parseAxisParam(attrs.axis, x.shape).sort((p, q) => p - q);
  const leading = rank >= 2 && axes.length === rank - 1 && axes.every((a, i) => a === i);
  if (!leading || x.dtype !== 'float32') return runBuiltin(Sum, backend, { x }, attrs as unknown as Record<string, never>);
  const C = x.shape[rank - 1];
  const rows = util.sizeFromShape(x.shape) / C;
  const out = backend.makeOutput(attrs.keepDims ? [...new Array(rank - 1).fill(1), C] : [C], 'float32');
  gemmModule(backend).column_sum(pointer(backend, x), rows, C, pointer(backend, out));
  return out;
}

export const sumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: 'wasm',
  kernelFunc: sum as unknown as KernelFunc,
};
