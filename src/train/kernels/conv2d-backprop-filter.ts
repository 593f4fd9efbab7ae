import {
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { findColumns, matMulInto, matMulScratchBytes, pointer, scratch } from './gemm-runtime.js';
import { columnsKey, im2col, nhwcConvInfo } from './im2col.js';
import { filterGradientDirect, runsDirect } from './direct-conv.js';
import { heapFloats } from './wasm-backend.js';
import { filterGradientWinograd, runsWinograd } from './winograd.js';
import { maxPool2ReluBiasGradConfig } from './max-pool2.js';
import { CONV_RELU_POOL2_FILTER_GRAD_KERNEL } from '../layers.js';

type Attrs = Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] };

/**
 * The filter gradient, which the wasm backend lacks (so it cannot train a CNN at all):
 * dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·sh + kh·dh − pt, ow·sw + kw·dw − pl, ci] · dy[n,oh,ow,co],
 * i.e. colsᵀ·dY with cols = im2col(x) [N·OH·OW × KH·KW·CI]. The GEMM reads colsᵀ through strides,
 * and cols is usually still there from the forward pass (see cachedColumns), else built in scratch. tfjs never passes dilations to this kernel (its
 * conv2d gradient rejects them), but the formula holds for them, so `attrs.dilations` is honoured
 * when a caller supplies it.
 */
function conv2DBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: BackendWasm; attrs: Attrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropFilter supports only NHWC data');
  const info = nhwcConvInfo(x.shape, filterShape, { strides, pad, dilations: attrs.dilations, dimRoundingMode });
  const { batchSize, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const rows = batchSize * outHeight * outWidth;
  const taps = filterHeight * filterWidth * inChannels;
  const out = backend.makeOutput([filterHeight, filterWidth, inChannels, outChannels], 'float32');
  if (runsWinograd(info)) {
    filterGradientWinograd(backend, info, pointer(backend, x), pointer(backend, dy), pointer(backend, out));
    return out;
  }
  if (runsDirect(info)) {
    // the forward pass ran directly too, so there are no columns to reuse
    heapFloats(backend, out).fill(0);
    filterGradientDirect(backend, info, pointer(backend, x), pointer(backend, dy), pointer(backend, out));
    return out;
  }
  const colsBytes = rows * taps * 4;
  // Nothing asks for these columns after this kernel: when the forward pass did not leave them, they
  // are built in scratch rather than pushing a cached input's out.
  let cols = findColumns(backend, x, columnsKey(info));
  const reserved = cols ? 0 : colsBytes;
  if (!cols) {
    cols = scratch(backend, colsBytes + matMulScratchBytes(rows, outChannels));
    im2col(backend, x, info, cols);
  }
  matMulInto(
    backend,
    { ptr: cols, transposed: true },
    { ptr: pointer(backend, dy), transposed: false },
    taps,
    rows,
    outChannels,
    pointer(backend, out),
    {},
    reserved,
  );
  return out;
}

/**
 * CONV_RELU_POOL2_FILTER_GRAD_KERNEL (layers.ts): dW and db of maxPool(relu(conv2d(x, W, 1,
 * 'same') + b), 2, 2, 'valid') from the pooled gradient dy and the ReLU output y. A direct
 * convolution (a first layer) routes dy through the pool and the ReLU two rows at a time inside its
 * filter gradient, so the full-size dz is never written and read back; the sums run in the same
 * order as the two kernels', to the same bits. Other geometries run those two kernels in turn.
 */
function convReluPool2FilterGrad(args: { inputs: { x: TensorInfo; y: TensorInfo; dy: TensorInfo }; backend: BackendWasm; attrs: { filterShape: [number, number, number, number] } }): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { x, y, dy } = inputs;
  const gradAttrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined, filterShape: attrs.filterShape } as unknown as Attrs;
  const info = nhwcConvInfo(x.shape, attrs.filterShape, gradAttrs);
  const [N, OH, OW, CO] = info.outShape;
  const pooled = [N, OH >> 1, OW >> 1, CO];
  if (y.shape.join() !== info.outShape.join() || dy.shape.join() !== pooled.join()) {
    throw new Error(`${CONV_RELU_POOL2_FILTER_GRAD_KERNEL}: y is [${y.shape}] and dy [${dy.shape}], expected [${info.outShape}] and [${pooled}]`);
  }
  const whole = N * OH * OW * CO > 0 && OH >= 2 && OW >= 2;
  if (whole && runsDirect(info) && [x, y, dy].every((t) => t.dtype === 'float32')) {
    const dW = backend.makeOutput(attrs.filterShape, 'float32');
    const db = backend.makeOutput([CO], 'float32');
    heapFloats(backend, dW).fill(0);
    heapFloats(backend, db).fill(0);
    filterGradientDirect(backend, info, pointer(backend, x), pointer(backend, dy), pointer(backend, dW), { y: pointer(backend, y), db: pointer(backend, db) });
    return [dW, db];
  }
  const [dz, db] = (maxPool2ReluBiasGradConfig.kernelFunc as unknown as (a: object) => TensorInfo[])({ inputs: { dy, y }, backend });
  const dW = conv2DBackpropFilter({ inputs: { x, dy: dz }, backend, attrs: gradAttrs });
  backend.disposeData(dz.dataId);
  return [dW, db];
}

export const convReluPool2FilterGradConfig: KernelConfig = {
  kernelName: CONV_RELU_POOL2_FILTER_GRAD_KERNEL,
  backendName: 'wasm',
  kernelFunc: convReluPool2FilterGrad as unknown as KernelFunc,
};

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
