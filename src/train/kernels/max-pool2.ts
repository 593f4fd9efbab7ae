import { backend_util, MaxPool, type KernelConfig, type KernelFunc, type MaxPoolAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { MAX_POOL2_RELU_BIAS_GRAD_KERNEL } from '../layers.js';
import { gemmModule, pointer, scratch } from './gemm-runtime.js';
import { heapFloats, runBuiltin } from './wasm-backend.js';

const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

/** Whether a max pool is 2×2 with stride 2, 'valid', on float32 NHWC with whole SIMD lanes of channels. */
function isPool2(x: TensorInfo, attrs: MaxPoolAttrs): boolean {
  const [fh, fw] = pair(attrs.filterSize);
  const [sh, sw] = pair(attrs.strides);
  return fh === 2 && fw === 2 && sh === 2 && sw === 2 && attrs.pad === 'valid' && x.shape.length === 4 && x.shape[3] % 4 === 0 && x.dtype === 'float32';
}

/**
 * The 2×2 stride-2 'valid' max pool of the reference CNN in one SIMD pass over the input (the
 * builtin goes through XNNPACK's general pooling, about twice as long); every other pooling
 * keeps the builtin.
 */
function maxPool(args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: MaxPoolAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  if (!isPool2(x, attrs)) return runBuiltin(MaxPool, backend, inputs as unknown as Record<string, TensorInfo>, attrs as unknown as Record<string, never>);
  const [N, H, W, C] = x.shape;
  const OH = H >> 1;
  const OW = W >> 1;
  const out = backend.makeOutput([N, OH, OW, C], 'float32');
  if (N * OH * OW * C > 0) gemmModule(backend).max_pool2(pointer(backend, x), pointer(backend, out), N, H, W, C, OH, OW);
  return out;
}

/**
 * The backward pass of maxPool(relu(z + b), 2, 2, 'valid') in one pass (see layers.ts): inputs
 * {dy (the pooled gradient), y (the ReLU output)}, outputs [dz, db]. Channel counts that are not
 * a multiple of 4 take MaxPoolGrad's and the ReLU/bias gradient's passes one after the other.
 */
function maxPool2ReluBiasGrad(args: { inputs: { dy: TensorInfo; y: TensorInfo }; backend: BackendWasm }): TensorInfo[] {
  const { inputs, backend } = args;
  const { dy, y } = inputs;
  const [N, H, W, C] = y.shape;
  const OH = dy.shape[1];
  const OW = dy.shape[2];
  const g = gemmModule(backend);
  const dz = backend.makeOutput(y.shape, 'float32');
  const db = backend.makeOutput([C], 'float32');
  heapFloats(backend, db).fill(0);
  if (y.shape.reduce((a, b) => a * b, 1) === 0) return [dz, db];
  if (C % 4 === 0) {
    // rows and columns no window covers get no gradient
    if (H !== 2 * OH || W !== 2 * OW) heapFloats(backend, dz).fill(0);
    g.max_pool2_relu_grad(pointer(backend, y), pointer(backend, dy), pointer(backend, dz), pointer(backend, db), N, H, W, C, OH, OW);
    return [dz, db];
  }
  // route into dz, then mask it in place (relu_bias_grad reads each element before writing it)
  const info = backend_util.computePool2DInfo(y.shape as [number, number, number, number], 2, 2, 1, 'valid');
  heapFloats(backend, dz).fill(0);
  g.max_pool_grad(
    pointer(backend, y), pointer(backend, dy), pointer(backend, dz), N, H, W, C, info.outHeight, info.outWidth,
    2, 2, 2, 2, 1, 1, 0, 0, scratch(backend, 16),
  );
  g.relu_bias_grad(pointer(backend, dz), pointer(backend, y), pointer(backend, dz), pointer(backend, db), N * H * W, C);
  return [dz, db];
}

export const maxPoolConfig: KernelConfig = {
  kernelName: MaxPool,
  backendName: 'wasm',
  kernelFunc: maxPool as unknown as KernelFunc,
};

export const maxPool2ReluBiasGradConfig: KernelConfig = {
  kernelName: MAX_POOL2_RELU_BIAS_GRAD_KERNEL,
  backendName: 'wasm',
  kernelFunc: maxPool2ReluBiasGrad as unknown as KernelFunc,
};
