import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { gemmModule, pointer } from './gemm-runtime.js';

type Shape4 = [number, number, number, number];

/**
 * The geometry of an NHWC convolution of `inputShape` with a `filterShape` [KH, KW, CI, CO] filter,
 * as every kernel here needs it. `dilations` defaults to 1 (tfjs's gradients never pass any).
 */
export function nhwcConvInfo(
  inputShape: readonly number[],
  filterShape: readonly number[],
  attrs: { strides: number | [number, number]; pad: Parameters<typeof backend_util.computeConv2DInfo>[4]; dilations?: number | [number, number]; dimRoundingMode?: 'floor' | 'round' | 'ceil' },
): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(inputShape as Shape4, filterShape as Shape4, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
}

/** Identifies an im2col layout: same input shape and geometry ⇒ same columns. */
export function columnsKey(info: backend_util.Conv2DInfo): string {
  return [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
    info.outHeight, info.outWidth,
  ].join(',');
}

/** cols [N·OH·OW × KH·KW·CI] of NHWC `x` at `ptr`. */
export function im2col(backend: BackendWasm, x: TensorInfo, info: backend_util.Conv2DInfo, ptr: number): void {
  gemmModule(backend).im2col(
    pointer(backend, x),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
    info.outHeight,
    info.outWidth,
    ptr,
  );
}
