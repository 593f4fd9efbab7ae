import {
  backend_util,
  Conv2D,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats, release, runBuiltin } from './wasm-backend.js';

type Attrs = Conv2DBackpropInputAttrs & { dilations?: number | [number, number] };

/**
 * With stride 1 the input gradient is the full correlation of dy with the filter rotated by 180°
 * and its channel axes swapped: dx = conv2d(dy, rot(W), pad = (K−1)·d − pad). That runs on the
 * backend's XNNPACK convolution; strided cases and paddings beyond the filter extent keep the
 * backend's own kernel.
 */
function conv2DBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Attrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    attrs.dilations ?? 1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { inHeight, inWidth, outHeight, outWidth, filterHeight: KH, filterWidth: KW, inChannels: CI, outChannels: CO } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  const padTop = (KH - 1) * dilationHeight - padInfo.top;
  const padLeft = (KW - 1) * dilationWidth - padInfo.left;
  const padBottom = inHeight - outHeight + padInfo.top;
  const padRight = inWidth - outWidth + padInfo.left;
  const usable =
    dataFormat !== 'NCHW' && strideHeight === 1 && strideWidth === 1 && padTop >= 0 && padLeft >= 0 && padBottom >= 0 && padRight >= 0;
  if (!usable) {
    if (attrs.dilations !== undefined && (dilationHeight !== 1 || dilationWidth !== 1)) {
      throw new Error('wasm Conv2DBackpropInput: dilations are supported only with stride 1');
    }
    return runBuiltin(Conv2DBackpropInput, backend, { dy, filter }, attrs as unknown as Record<string, never>);
  }
  const rotated = backend.makeOutput([KH, KW, CO, CI], 'float32');
  const w = heapFloats(backend, filter);
  const r = heapFloats(backend, rotated);
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const src = ((KH - 1 - kh) * KW + (KW - 1 - kw)) * CI * CO;
      const dst = (kh * KW + kw) * CO * CI;
      for (let ci = 0; ci < CI; ci++) for (let co = 0; co < CO; co++) r[dst + co * CI + ci] = w[src + ci * CO + co];
    }
  }
  const out = runBuiltin(
    Conv2D,
    backend,
    { x: dy, filter: rotated },
    {
      strides: [1, 1],
      dilations: [dilationHeight, dilationWidth],
      pad: [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]],
      dataFormat: 'NHWC',
    },
  );
  release(backend, rotated);
  return out;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
