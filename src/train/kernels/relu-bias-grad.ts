import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { RELU_BIAS_GRAD_KERNEL } from '../layers.js';
import { gemmModule, pointer } from './gemm-runtime.js';
import { heapFloats } from './wasm-backend.js';

/**
 * The backward pass through a layer's ReLU and bias in one pass: dz = dy·[y > 0] and
 * db = Σ dz over every axis but the last. As tfjs ops that is Step, Multiply and a Sum, three
 * passes over the layer's whole activation.
 */
function reluBiasGrad(args: { inputs: { dy: TensorInfo; y: TensorInfo }; backend: BackendWasm }): TensorInfo[] {
  const { inputs, backend } = args;
  const { dy, y } = inputs;
  const C = y.shape[y.shape.length - 1];
  const rows = y.shape.reduce((a, b) => a * b, 1) / C;
  const dz = backend.makeOutput(y.shape, 'float32');
  const db = backend.makeOutput([C], 'float32');
  heapFloats(backend, db).fill(0);
  gemmModule(backend).relu_bias_grad(pointer(backend, dy), pointer(backend, y), pointer(backend, dz), pointer(backend, db), rows, C);
  return [dz, db];
}

export const reluBiasGradConfig: KernelConfig = {
  kernelName: RELU_BIAS_GRAD_KERNEL,
  backendName: 'wasm',
  kernelFunc: reluBiasGrad as unknown as KernelFunc,
};
