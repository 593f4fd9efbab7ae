import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { adamStepConfig } from './adam-step.js';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { conv2DConfig, convReluPool2Config, fusedConv2DConfig } from './conv2d.js';
import { conv2DBackpropFilterConfig, convReluPool2FilterGradConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { fusedMatMulConfig } from './fused-mat-mul.js';
import { identityConfig } from './identity.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { maxPool2ReluBiasGradConfig, maxPoolConfig } from './max-pool2.js';
import { reluBiasGradConfig } from './relu-bias-grad.js';
import { sumConfig } from './sum.js';
import { captureBuiltinKernel } from './wasm-backend.js';

/** The kernels the project adds to (or replaces in) the wasm backend for training. */
export const wasmTrainingKernels: readonly KernelConfig[] = [
  batchMatMulConfig,
  fusedMatMulConfig,
  conv2DConfig,
  fusedConv2DConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  maxPoolGradConfig,
  sumConfig,
  adamStepConfig,
  identityConfig,
  reluBiasGradConfig,
  maxPoolConfig,
  maxPool2ReluBiasGradConfig,
  convReluPool2Config,
  convReluPool2FilterGradConfig,
];

/** Builtins ours fall back to for the cases they do not cover; captured before being replaced. */
const BUILTINS = ['BatchMatMul', '_FusedMatMul', 'Conv2D', 'FusedConv2D', 'Sum', 'MaxPool'];

let registered = false;

/**
 * Installs the project's wasm training kernels. Must run after the wasm backend has been
 * initialised (tfjs runs each builtin kernel's setup only at initialisation, and ours may call them).
 * Idempotent.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const name of BUILTINS) captureBuiltinKernel(name);
  for (const config of wasmTrainingKernels) {
    if (getKernel(config.kernelName, 'wasm')) unregisterKernel(config.kernelName, 'wasm');
    registerKernel(config);
  }
  registered = true;
}
