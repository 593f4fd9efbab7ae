import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ADAM_STEP_KERNEL, type AdamStepAttrs } from '../adam.js';
import { gemmModule, pointer } from './gemm-runtime.js';

/**
 * The whole Adam update of one variable in one SIMD pass (tfjs's optimiser launches about a dozen
 * elementwise kernels per variable per step: ~8 ms a step for the reference MLP's 235k weights).
 * Values below 1e-30 are flushed to zero on the way (see gemm.wat): they cannot move a weight,
 * and subnormal arithmetic would make a step of a converged model 10-40× slower.
 */
function adamStep(args: { inputs: { w: TensorInfo; g: TensorInfo; m: TensorInfo; v: TensorInfo }; backend: BackendWasm; attrs: AdamStepAttrs }): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { w, g, m, v } = inputs;
  const size = w.shape.reduce((a, b) => a * b, 1);
  const wOut = backend.makeOutput(w.shape, 'float32');
  const mOut = backend.makeOutput(w.shape, 'float32');
  const vOut = backend.makeOutput(w.shape, 'float32');
  gemmModule(backend).adam(
    pointer(backend, w),
    pointer(backend, g),
    pointer(backend, m),
    pointer(backend, v),
    pointer(backend, wOut),
    pointer(backend, mOut),
    pointer(backend, vOut),
    size,
    attrs.correctedLearningRate,
    attrs.varianceCorrection,
    attrs.beta1,
    attrs.beta2,
    attrs.epsilon,
  );
  return [wOut, mOut, vOut];
}

export const adamStepConfig: KernelConfig = {
  kernelName: ADAM_STEP_KERNEL,
  backendName: 'wasm',
  kernelFunc: adamStep as unknown as KernelFunc,
};
