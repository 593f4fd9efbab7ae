import type { backend_util } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { gemmModule, scratch } from './gemm-runtime.js';

/** Input channels up to which a convolution runs as a direct kernel instead of im2col + GEMM. */
const DIRECT_MAX_IN_CHANNELS = 4;

/**
 * Whether a convolution runs directly (conv_direct / conv_direct_filter): few input channels (a
 * network's first layer), so each pixel's KH·KW·CI taps are few and the im2col columns (many
 * rows of a few floats) cost more to write and read than the products; the output channels a
 * multiple of 4 (whole SIMD lanes). The forward pass and the filter gradient use the same rule.
 */
export function runsDirect(info: backend_util.Conv2DInfo): boolean {
  return info.inChannels <= DIRECT_MAX_IN_CHANNELS && info.outChannels % 4 === 0;
}

/** out = act(conv2d(x, w) + bias) for the geometry `info` (all pointers on the wasm heap; bias 0 for none). */
export function convolveDirect(backend: BackendWasm, info: backend_util.Conv2DInfo, x: number, w: number, bias: number, relu: boolean, out: number): void {
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const patch = scratch(backend, 2 * taps * 4);
  gemmModule(backend).conv_direct(
    x, w, bias, relu ? 1 : 0, out,
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
    info.outHeight, info.outWidth, info.outChannels, patch,
  );
}

/** dW += the filter gradient for dy of the convolution `info` (dW zeroed by the caller). */
export function filterGradientDirect(backend: BackendWasm, info: backend_util.Conv2DInfo, x: number, dy: number, dW: number): void {
  gemmModule(backend).conv_direct_filter(
    x, dy, dW,
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
    info.outHeight, info.outWidth, info.outChannels,
  );
}
