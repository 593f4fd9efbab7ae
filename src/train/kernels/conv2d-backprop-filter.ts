import {
  backend_util,
  Conv2D,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { release, runBuiltin } from './wasm-backend.js';

type Attrs = Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] };

/**
 * dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s + kh·d − pad, ow·s + kw·d − pad, ci] · dy[n,oh,ow,co].
 *
 * Read with ci as the batch, n as the channels and dy as the filter, that sum is itself a
 * convolution — of xᵀ [CI,H,W,N] with dyᵀ [OH,OW,N,CO], stride d and dilation s (roles swapped) —
 * whose output [CI,KH,KW,CO] is dW up to a transpose. So the whole filter gradient runs as one
 * XNNPACK convolution (an indirect GEMM with K = N·OH·OW) plus three cheap transposes, instead of a
 * scalar loop. tfjs never passes dilations to this kernel (its conv2d gradient rejects them), but
 * the identity holds for them too, so `attrs.dilations` is honoured when a caller supplies it.
 */
function conv2DBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: BackendWasm; attrs: Attrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat === 'NCHW') throw new Error('wasm Conv2DBackpropFilter supports only NHWC data');
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    attrs.dilations ?? 1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, inChannels, outChannels } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;

  const xT = runBuiltin('Transpose', backend, { x }, { perm: [3, 1, 2, 0] });
  const dyT = runBuiltin('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
  // Only as much trailing padding as it takes to produce filterHeight × filterWidth outputs:
  // rows past the input are zeros in either reading, so the result is the same.
  const padBottom = Math.max(0, (filterHeight - 1) * dilationHeight + (outHeight - 1) * strideHeight + 1 - inHeight - padInfo.top);
  const padRight = Math.max(0, (filterWidth - 1) * dilationWidth + (outWidth - 1) * strideWidth + 1 - inWidth - padInfo.left);
  const conv = runBuiltin(
    Conv2D,
    backend,
    { x: xT, filter: dyT },
    {
      strides: [dilationHeight, dilationWidth],
      dilations: [strideHeight, strideWidth],
      pad: [[0, 0], [padInfo.top, padBottom], [padInfo.left, padRight], [0, 0]],
      dataFormat: 'NHWC',
    },
  );
  release(backend, xT, dyT);
  let cropped = conv;
  if (conv.shape[1] !== filterHeight || conv.shape[2] !== filterWidth) {
    cropped = runBuiltin('Slice', backend, { x: conv }, { begin: [0, 0, 0, 0], size: [inChannels, filterHeight, filterWidth, outChannels] });
    release(backend, conv);
  }
  const out = runBuiltin('Transpose', backend, { x: cropped }, { perm: [1, 2, 0, 3] });
  release(backend, cropped);
  return out;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
