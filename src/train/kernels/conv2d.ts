import {
  Conv2D,
  FusedConv2D,
  type Conv2DAttrs,
  type FusedConv2DAttrs,
  type KernelConfig,
  type MaxPoolAttrs,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { cachedColumns, matMulInto, matMulScratchBytes, pointer, recordingGradients, scratch } from './gemm-runtime.js';
import { columnsKey, im2col, nhwcConvInfo } from './im2col.js';
import { convolveDirect, runsDirect } from './direct-conv.js';
import { runBuiltin } from './wasm-backend.js';
import { convolveWinograd, runsWinograd } from './winograd.js';
import { maxPoolConfig } from './max-pool2.js';
import { CONV_RELU_POOL2_KERNEL } from '../layers.js';

type Inputs = { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };

/**
 * act(conv2d(x, W) + b) as im2col + the project GEMM, whose tiles add the bias and clamp as they
 * store (no pass over the output of its own). The builtin runs
 * XNNPACK, which repacks the filter whenever it changes (every training step) and reaches about
 * half the GEMM's rate on the reference CNN's second layer; for the 1-channel first layer the two
 * are even, but the columns built here while a gradient is recorded are reused by the filter gradient
 * (see cachedColumns), which makes the GEMM path cheaper for every layer. Inputs with few channels (see
 * runsDirect) skip the columns altogether: a direct kernel gathers one output row's patches at a time.
 * Other activations, PReLU weights, non-vector biases
 * and NCHW data keep the builtin (whose dataFormat check throws for NCHW).
 */
function convolve(kernelName: string, args: { inputs: Inputs; backend: BackendWasm; attrs: FusedConv2DAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, filter, bias, preluActivationWeights } = inputs;
  const activation = attrs.activation ?? 'linear';
  const outChannels = filter.shape[3];
  const supported =
    attrs.dataFormat !== 'NCHW' &&
    (activation === 'linear' || activation === 'relu') &&
    !preluActivationWeights &&
    (!bias || (bias.shape.length === 1 && bias.shape[0] === outChannels)) &&
    x.dtype === 'float32' &&
    filter.dtype === 'float32';
  if (!supported) {
    return runBuiltin(kernelName, backend, inputs as unknown as Record<string, TensorInfo>, attrs as unknown as Record<string, never>);
  }
  const info = nhwcConvInfo(x.shape, filter.shape, attrs);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const rows = batchSize * outHeight * outWidth;
  const taps = filterHeight * filterWidth * inChannels;
  const out = backend.makeOutput(info.outShape, 'float32');
  if (runsWinograd(info)) {
    convolveWinograd(backend, info, pointer(backend, x), filter, bias ? pointer(backend, bias) : 0, activation === 'relu', pointer(backend, out));
    return out;
  }
  if (runsDirect(info)) {
    convolveDirect(backend, info, pointer(backend, x), pointer(backend, filter), bias ? pointer(backend, bias) : 0, activation === 'relu', pointer(backend, out));
    return out;
  }
  // A 1×1, stride-1, unpadded convolution is already a product with x as it is stored.
  const pointwise =
    filterHeight === 1 && filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1 && info.padInfo.top === 0 && info.padInfo.left === 0 && outHeight === inHeight && outWidth === inWidth;
  const colsBytes = rows * taps * 4;
  // Without a gradient being recorded (prediction) no filter gradient will ask for the columns
  // again: they go to the front of scratch, whose size is set by the largest batch, instead of a
  // cache entry per input.
  const transient = !pointwise && !recordingGradients();
  let cols: number;
  if (pointwise) cols = pointer(backend, x);
  else if (transient) {
    cols = scratch(backend, colsBytes + matMulScratchBytes(taps, outChannels));
    im2col(backend, x, info, cols);
  } else cols = cachedColumns(backend, x, columnsKey(info), colsBytes, (ptr) => im2col(backend, x, info, ptr));
  matMulInto(
    backend,
    { ptr: cols, transposed: false },
    { ptr: pointer(backend, filter), transposed: false },
    rows,
    taps,
    outChannels,
    pointer(backend, out),
    { bias: bias ? pointer(backend, bias) : 0, relu: activation === 'relu' },
    transient ? colsBytes : 0,
  );
  return out;
}

/**
 * The forward pass of conv2dSameReluPool (layers.ts) in one launch: y = relu(conv2d(x, filter, 1,
 * 'same') + bias) and maxPool(y, 2, 2, 'valid'). As Winograd the pooled values come out of the
 * output transform (each 2×2 output tile is one pooling window), so y is not read again; as a
 * direct convolution each row of windows is pooled as soon as its two rows are stored, while they
 * are in cache; otherwise the convolution is `convolve`'s and the pool the MaxPool kernel's.
 */
function convReluPool2(args: { inputs: { x: TensorInfo; filter: TensorInfo; bias: TensorInfo }; backend: BackendWasm }): TensorInfo[] {
  const { inputs, backend } = args;
  const { x, filter, bias } = inputs;
  const attrs = {
    strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined, activation: 'relu', leakyreluAlpha: 0,
  } as unknown as FusedConv2DAttrs;
  const info = nhwcConvInfo(x.shape, filter.shape, attrs);
  const [N, OH, OW, CO] = info.outShape;
  const pooledShape = [N, OH >> 1, OW >> 1, CO];
  const pooledSize = pooledShape.reduce((a, b) => a * b, 1);
  const fused = x.dtype === 'float32' && filter.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === CO && pooledSize > 0;
  if (fused && (runsWinograd(info) || runsDirect(info))) {
    const y = backend.makeOutput(info.outShape, 'float32');
    const pooled = backend.makeOutput(pooledShape, 'float32');
    if (runsWinograd(info)) convolveWinograd(backend, info, pointer(backend, x), filter, pointer(backend, bias), true, pointer(backend, y), pointer(backend, pooled));
    else convolveDirect(backend, info, pointer(backend, x), pointer(backend, filter), pointer(backend, bias), true, pointer(backend, y), pointer(backend, pooled));
    return [y, pooled];
  }
  const y = convolve(FusedConv2D, { inputs, backend, attrs });
  const poolAttrs = { filterSize: 2, strides: 2, pad: 'valid', dimRoundingMode: undefined } as unknown as MaxPoolAttrs;
  const pooled = (maxPoolConfig.kernelFunc as unknown as (a: object) => TensorInfo)({ inputs: { x: y }, backend, attrs: poolAttrs });
  return [y, pooled];
}

export const convReluPool2Config: KernelConfig = {
  kernelName: CONV_RELU_POOL2_KERNEL,
  backendName: 'wasm',
  kernelFunc: convReluPool2 as unknown as KernelFunc,
};

export const conv2DConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'wasm',
  kernelFunc: ((args: { inputs: Inputs; backend: BackendWasm; attrs: Conv2DAttrs }) =>
    convolve(Conv2D, { ...args, attrs: { ...args.attrs, activation: 'linear' } as FusedConv2DAttrs })) as unknown as KernelFunc,
};

export const fusedConv2DConfig: KernelConfig = {
  kernelName: FusedConv2D,
  backendName: 'wasm',
  kernelFunc: ((args: { inputs: Inputs; backend: BackendWasm; attrs: FusedConv2DAttrs }) => convolve(FusedConv2D, args)) as unknown as KernelFunc,
};
