import {
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { gemmModule, matMulInto, matMulScratchBytes, pointer, scratch } from './gemm-runtime.js';
import { heapFloats } from './wasm-backend.js';
import { nhwcConvInfo } from './im2col.js';
import { inputGradientDirect, runsInputGradientDirect } from './direct-conv.js';
import { inputGradientWinograd, runsWinograd } from './winograd.js';

type Attrs = Conv2DBackpropInputAttrs & { dilations?: number | [number, number] };

/**
 * The input gradient as the adjoint of im2col: dCols = dY·Wᵀ [N·OH·OW × KH·KW·CI] on the project
 * GEMM, then col2im scatters each column block back onto dx. One path for every stride, padding
 * and dilation; the backend's own kernel is a scalar loop. Stride-1 undilated convolutions whose
 * input channels fill whole SIMD lanes instead run as the forward convolution of dy with the
 * flipped, transposed filter (see inputGradientDirect): no dCols in memory and no col2im pass. `attrs.dilations` is honoured when a
 * caller supplies it (tfjs's conv2d gradient never does).
 */
function conv2DBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Attrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  if (dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropInput supports only NHWC data');
  const info = nhwcConvInfo(inputShape, filter.shape, { strides, pad, dilations: attrs.dilations, dimRoundingMode });
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const rows = batchSize * outHeight * outWidth;
  const taps = filterHeight * filterWidth * inChannels;
  const colsBytes = rows * taps * 4;
  const out = backend.makeOutput([batchSize, inHeight, inWidth, inChannels], 'float32');
  if (runsWinograd(info)) {
    inputGradientWinograd(backend, info, pointer(backend, dy), filter, pointer(backend, out));
    return out;
  }
  if (runsInputGradientDirect(info)) {
    inputGradientDirect(backend, info, pointer(backend, dy), pointer(backend, filter), pointer(backend, out));
    return out;
  }
  const cols = scratch(backend, colsBytes + matMulScratchBytes(outChannels, taps));
  // dCols[p][(kh,kw,ci)] = Σ_co dy[p][co] · W[(kh,kw,ci)][co]: W [taps × CO] read as Wᵀ.
  matMulInto(
    backend,
    { ptr: pointer(backend, dy), transposed: false },
    { ptr: pointer(backend, filter), transposed: true },
    rows,
    outChannels,
    taps,
    cols,
    {},
    colsBytes,
  );
  heapFloats(backend, out).fill(0);
  gemmModule(backend).col2im(
    cols,
    batchSize,
    inHeight,
    inWidth,
    inChannels,
    filterHeight,
    filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
    outHeight,
    outWidth,
    pointer(backend, out),
  );
  return out;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
