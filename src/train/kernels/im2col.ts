import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { gemmModule, pointer } from './gemm-runtime.js';

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
