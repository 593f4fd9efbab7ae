import type { backend_util } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { gemmModule, scratch } from './gemm-runtime.js';
import { heapBuffer } from './wasm-backend.js';

/** Input channels up to which a convolution runs as a direct kernel instead of im2col + GEMM. */
export const DIRECT_MAX_IN_CHANNELS = 4;

/**
 * Whether a convolution runs directly (conv_direct / conv_direct_filter): few input channels (a
 * network's first layer), so each pixel's KH·KW·CI taps are few and the im2col columns (many
 * rows of a few floats) cost more to write and read than the products; the output channels a
 * multiple of 4 (whole SIMD lanes). The forward pass and the filter gradient use the same rule.
 */
export function runsDirect(info: backend_util.Conv2DInfo): boolean {
  return info.inChannels <= DIRECT_MAX_IN_CHANNELS && info.outChannels % 4 === 0;
}

/**
 * out = act(conv2d(x, w) + bias) for the geometry `info` (all pointers on the wasm heap; bias 0 for
 * none). An undilated stride-1 convolution with padding first copies x into a zero-padded buffer
 * in scratch, so that every pair of output pixels reads its filter rows straight from the input
 * rather than gathering a border patch tap by tap (at 28×28 one pair in seven is on a border; the
 * padded copy made the 28×28×1 → 16 forward pass about 12 % faster). The taps are summed in the
 * same order either way, so the result is the same to the bit. pool ≠ 0 also gets
 * maxPool(out, 2, 2, 'valid'), each row of windows pooled as soon as its two rows are computed.
 */
export function convolveDirect(backend: BackendWasm, info: backend_util.Conv2DInfo, x: number, w: number, bias: number, relu: boolean, out: number, pool = 0): void {
  const taps = info.filterHeight * info.filterWidth * info.inChannels;
  const patchBytes = 2 * taps * 4;
  const { top, bottom, left, right } = info.padInfo;
  const pads = top > 0 || bottom > 0 || left > 0 || right > 0;
  const padFirst = pads && top >= 0 && bottom >= 0 && left >= 0 && right >= 0 && info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1;
  const Hp = info.inHeight + top + bottom;
  const Wp = info.inWidth + left + right;
  const padBytes = padFirst ? info.batchSize * Hp * Wp * info.inChannels * 4 : 0;
  const base = scratch(backend, patchBytes + padBytes);
  const g = gemmModule(backend);
  let input = x;
  let [H, W, pt, pl] = [info.inHeight, info.inWidth, top, left];
  if (padFirst) {
    input = base + patchBytes;
    g.wino_pad(x, info.batchSize, info.inHeight, info.inWidth, info.inChannels, top, left, Hp, Wp, input);
    [H, W, pt, pl] = [Hp, Wp, 0, 0];
  }
  g.conv_direct(
    input, w, bias, relu ? 1 : 0, out,
    info.batchSize, H, W, info.inChannels, info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, pt, pl,
    info.outHeight, info.outWidth, info.outChannels, base, pool,
  );
}

/**
 * dW += the filter gradient for dy of the convolution `info` (dW zeroed by the caller). With
 * `pooled`, dy is the gradient of maxPool(y, 2, 2, 'valid') for y = relu(conv + b) the layer's
 * output, routed through the pool and the ReLU as MAX_POOL2_RELU_BIAS_GRAD_KERNEL routes it, two
 * rows at a time, just before they are used (never a whole dz in memory); db (zeroed by the
 * caller) gets the bias gradient. Both come out to the bit as from the two kernels in turn.
 */
export function filterGradientDirect(backend: BackendWasm, info: backend_util.Conv2DInfo, x: number, dy: number, dW: number, pooled?: { y: number; db: number }): void {
  const rows = pooled ? scratch(backend, 2 * info.outWidth * info.outChannels * 4) : 0;
  gemmModule(backend).conv_direct_filter(
    x, dy, dW,
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
    info.outHeight, info.outWidth, info.outChannels, pooled?.y ?? 0, pooled?.db ?? 0, rows,
  );
}

/**
 * Whether a convolution's input gradient runs as a forward convolution (inputGradientDirect):
 * stride 1 and no dilation (so it is a plain convolution of dy), input channels a multiple of 4
 * (they are that convolution's output channels). At 14×14 and 32×32 with 16 → 32 channels this
 * takes about three quarters of the time of the dCols GEMM + col2im (and half at the larger size).
 */
export function runsInputGradientDirect(info: backend_util.Conv2DInfo): boolean {
  return info.strideHeight === 1 && info.strideWidth === 1 && info.dilationHeight === 1 && info.dilationWidth === 1 && info.inChannels % 4 === 0;
}

/**
 * dx of a stride-1 convolution as conv_direct of dy with the flipped, transposed filter:
 * dx[n,h,w,ci] = Σ_(kh,kw,co) dy[n, h + pt − kh, w + pl − kw, co]·W[kh,kw,ci,co]
 *             = Σ_(kh',kw',co) dy[n, h + kh' − pt', w + kw' − pl', co]·Wᵗ[kh',kw',co,ci]
 * with kh' = KH − 1 − kh, pt' = KH − 1 − pt (likewise for columns) and Wᵗ built in scratch.
 */
export function inputGradientDirect(backend: BackendWasm, info: backend_util.Conv2DInfo, dy: number, filter: number, dx: number): void {
  const { filterHeight: KH, filterWidth: KW, inChannels: CI, outChannels: CO } = info;
  const filterBytes = KH * KW * CI * CO * 4;
  const base = scratch(backend, filterBytes + 2 * KH * KW * CO * 4);
  // views made only now: growing scratch may have replaced the heap's buffer
  const buffer = heapBuffer(backend);
  const w = new Float32Array(buffer, filter, KH * KW * CI * CO);
  const flipped = new Float32Array(buffer, base, KH * KW * CI * CO);
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const from = (kh * KW + kw) * CI * CO;
      const to = ((KH - 1 - kh) * KW + (KW - 1 - kw)) * CO * CI;
      for (let ci = 0; ci < CI; ci++) for (let co = 0; co < CO; co++) flipped[to + co * CI + ci] = w[from + ci * CO + co];
    }
  }
  gemmModule(backend).conv_direct(
    dy, base, 0, 0, dx,
    info.batchSize, info.outHeight, info.outWidth, CO, KH, KW,
    1, 1, 1, 1, KH - 1 - info.padInfo.top, KW - 1 - info.padInfo.left,
    info.inHeight, info.inWidth, CI, base + filterBytes, 0,
  );
}
