import type { backend_util, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { gemmModule, pointer, positionsMatMulInto, positionsMatMulScratchBytes, scratch } from './gemm-runtime.js';
import { DIRECT_MAX_IN_CHANNELS } from './direct-conv.js';
import { heapBuffer } from './wasm-backend.js';

/**
 * 3×3 stride-1 convolutions by F(2×2, 3×3) Winograd (Lavin & Gray 2016, "Fast Algorithms for
 * Convolutional Neural Networks"). Each 2×2 tile of output pixels is Aᵀ·[Σ_c U_c ⊙ V_c]·A, with
 * V_c = Bᵀ·d_c·B the transform of the tile's 4×4 input patch in channel c and U = G·g·Gᵀ the
 * transform of the 3×3 filter: 16 multiplications per tile and channel pair instead of 36. The
 * multiplications are 16 GEMMs, one per position ξ of the 4×4 transform: [tiles × CI]·[CI × CO] on
 * the project GEMM; the transforms are wasm passes (wino_pad, wino_tiles, wino_out in gemm.wat).
 *
 * The three passes of a training step share the transforms:
 * - forward: y = act(Aᵀ·(V·U)·A + b);
 * - input gradient: the forward convolution of dy with the flipped, transposed filter;
 * - filter gradient: y is linear in U, so dL/dU_ξ = Σ_tiles V_ξ ⊙ Z_ξ with Z = A·dy·Aᵀ, a GEMM
 *   Vᵀ·Z per position, and dL/dg = Gᵀ·(dL/dU)·G.
 *
 * Tiles are taken a few images at a time (CHUNK_BYTES, see tiling) so that V and the products stay in cache;
 * a chunk is whole images and depends only on the shapes, so a result never depends on how a
 * batch is split among threads, and (the GEMM's rows being independent) an image's forward result
 * never depends on the other images of its batch.
 */

/** About how many bytes of transformed inputs and products one chunk of tiles may take. */
const CHUNK_BYTES = 1024 * 1024;
/** The transform's positions: a 4×4 tile. */
export const POSITIONS = 16;

/** One of the products a Winograd pass runs POSITIONS of per chunk of images: [M × K]·[K × N], A stored transposed or not. */
export interface WinogradProduct {
  M: number;
  K: number;
  N: number;
  transposeA: boolean;
}

/**
 * The position products of a 3×3 'same' stride-1 convolution of N images of H × W × C into CO
 * channels, per chunk of images (the first, full chunk): the forward pass, the input gradient and
 * the filter gradient, each POSITIONS products of this shape per chunk. For benchmarks.
 */
export function winogradProducts(N: number, H: number, W: number, C: number, CO: number): Record<'forward' | 'inputGradient' | 'filterGradient', WinogradProduct> {
  const rows = tiling(N, H, W, C, CO).tiles;
  return {
    forward: { M: rows, K: C, N: CO, transposeA: false },
    inputGradient: { M: rows, K: CO, N: C, transposeA: false },
    filterGradient: { M: C, K: rows, N: CO, transposeA: true },
  };
}

/**
 * Whether a convolution runs as Winograd: a 3×3 filter at stride 1, undilated, with input and
 * output channels in whole SIMD quads, more input channels than a direct kernel takes (first
 * layers stay direct), paddings of at most 2 (each output tile's patch then lies within one
 * padding of the input), and a non-empty output (an empty one takes the im2col path, which returns
 * at once). The forward pass, the input gradient and the filter gradient use the same rule.
 */
export function runsWinograd(info: backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === 3 &&
    info.filterWidth === 3 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.inChannels % 4 === 0 &&
    info.outChannels % 4 === 0 &&
    info.inChannels > DIRECT_MAX_IN_CHANNELS &&
    info.padInfo.top >= 0 &&
    info.padInfo.top <= 2 &&
    info.padInfo.left >= 0 &&
    info.padInfo.left <= 2 &&
    info.batchSize > 0 &&
    info.outHeight > 0 &&
    info.outWidth > 0
  );
}

interface Geometry {
  N: number;
  H: number;
  W: number;
  C: number;
  CO: number;
  pt: number;
  pl: number;
  OH: number;
  OW: number;
}

/**
 * The distance between two positions' matrices: whole cache lines plus one more, so the 16
 * vectors a transform stores or loads for one tile never sit a power of two apart (at 32×32 a
 * plane is exactly 16 or 32 KB, which put all 16 in one L1 set and took about twice as long).
 */
export function planeBytes(bytes: number): number {
  return Math.ceil(bytes / 64) * 64 + 64;
}

/** How a pass over N images with OH × OW outputs (C channels in, CO out) is cut into tiles and chunks. */
interface Tiling {
  /** Tiles down and across an image. */
  TH: number;
  TW: number;
  /** The padded input's size: every tile's 4×4 patch inside it. */
  Hp: number;
  Wp: number;
  tilesPerImage: number;
  /** Whole images per chunk: as many as keep the chunk's transformed tiles under CHUNK_BYTES, at least one. */
  chunk: number;
  /** Tiles in a full chunk. */
  tiles: number;
}

function tiling(N: number, OH: number, OW: number, C: number, CO: number): Tiling {
  const TH = Math.ceil(OH / 2);
  const TW = Math.ceil(OW / 2);
  const tilesPerImage = TH * TW;
  const chunk = Math.max(1, Math.min(N, Math.floor(CHUNK_BYTES / (tilesPerImage * POSITIONS * (C + CO) * 4))));
  return { TH, TW, Hp: 2 * TH + 2, Wp: 2 * TW + 2, tilesPerImage, chunk, tiles: chunk * tilesPerImage };
}

/**
 * out = act(conv(x) + bias) for a 3×3 stride-1 geometry with the filter already transformed (u,
 * POSITIONS × [C × CO]); pool ≠ 0 also gets out's 2×2 stride-2 'valid' max pool, each whole output
 * tile being one pooling window.
 */
function convolveTransformed(backend: BackendWasm, geo: Geometry, x: number, u: Float32Array, bias: number, relu: boolean, out: number, pool = 0): void {
  const { N, H, W, C, CO, pt, pl, OH, OW } = geo;
  const { TH, TW, Hp, Wp, tilesPerImage, chunk, tiles } = tiling(N, OH, OW, C, CO);
  const uBytes = u.length * 4;
  const padBytes = chunk * Hp * Wp * C * 4;
  const vPlane = planeBytes(tiles * C * 4);
  const mPlane = planeBytes(tiles * CO * 4);
  const reserved = uBytes + padBytes + POSITIONS * (vPlane + mPlane);
  const base = scratch(backend, reserved + positionsMatMulScratchBytes(POSITIONS, C, CO));
  const uPtr = base;
  const xp = uPtr + uBytes;
  const v = xp + padBytes;
  const m = v + POSITIONS * vPlane;
  new Float32Array(heapBuffer(backend), uPtr, u.length).set(u);
  const g = gemmModule(backend);
  for (let n0 = 0; n0 < N; n0 += chunk) {
    const images = Math.min(chunk, N - n0);
    g.wino_pad(x + n0 * H * W * C * 4, images, H, W, C, pt, pl, Hp, Wp, xp);
    g.wino_tiles(0, xp, images, Hp, Wp, C, TH, TW, v, vPlane);
    positionsMatMulInto(
      backend,
      POSITIONS,
      { ptr: v, transposed: false, plane: vPlane },
      { ptr: uPtr, transposed: false, plane: C * CO * 4 },
      images * tilesPerImage,
      C,
      CO,
      m,
      mPlane,
      reserved,
    );
    const pooled = pool ? pool + n0 * (OH >> 1) * (OW >> 1) * CO * 4 : 0;
    g.wino_out(m, mPlane, bias, relu ? 1 : 0, out + n0 * OH * OW * CO * 4, images, OH, OW, CO, TH, TW, pooled);
  }
}

/**
 * The transformed filters of the last few filter tensors, by orientation (forward, or flipped for
 * the input gradient). A step's micro-batches convolve with the same weights, so each is
 * transformed once a step; tensors are immutable and their dataIds never reused, so the dataId
 * identifies the values, and a WeakMap lets entries go with their tensors.
 */
const transformed = new WeakMap<object, { forward?: Float32Array; flipped?: Float32Array }>();

function filterTransform(backend: BackendWasm, filter: TensorInfo, info: backend_util.Conv2DInfo, flipped: boolean): Float32Array {
  let entry = transformed.get(filter.dataId);
  if (!entry) {
    entry = {};
    transformed.set(filter.dataId, entry);
  }
  const found = flipped ? entry.flipped : entry.forward;
  if (found) return found;
  const { inChannels: CI, outChannels: CO } = info;
  const size = POSITIONS * CI * CO;
  const u = scratch(backend, size * 4);
  // g[kh][kw] of the pair (ci, co) at ((kh·3 + kw)·CI + ci)·CO + co of the filter; flipped, the pair
  // (co, ci) reads g[2 − kh][2 − kw][ci][co], at ((2 − kh)·3 + (2 − kw))·CI·CO + ci·CO + co
  if (flipped) gemmModule(backend).wino_filter(pointer(backend, filter), CO, CI, 8 * CI * CO * 4, -3 * CI * CO * 4, -CI * CO * 4, 4, CO * 4, u);
  else gemmModule(backend).wino_filter(pointer(backend, filter), CI, CO, 0, 3 * CI * CO * 4, CI * CO * 4, CO * 4, 4, u);
  const values = new Float32Array(heapBuffer(backend), u, size).slice();
  if (flipped) entry.flipped = values;
  else entry.forward = values;
  return values;
}

/**
 * out = act(conv2d(x, filter) + bias) for a geometry runsWinograd accepts (pointers on the wasm heap;
 * bias 0 for none); pool ≠ 0 also gets maxPool(out, 2, 2, 'valid') [N, ⌊OH/2⌋, ⌊OW/2⌋, CO].
 */
export function convolveWinograd(
  backend: BackendWasm, info: backend_util.Conv2DInfo, x: number, filter: TensorInfo, bias: number, relu: boolean, out: number, pool = 0,
): void {
  const geo = {
    N: info.batchSize, H: info.inHeight, W: info.inWidth, C: info.inChannels, CO: info.outChannels,
    pt: info.padInfo.top, pl: info.padInfo.left, OH: info.outHeight, OW: info.outWidth,
  };
  convolveTransformed(backend, geo, x, filterTransform(backend, filter, info, false), bias, relu, out, pool);
}

/**
 * dx of a convolution runsWinograd accepts, as the forward convolution of dy [N, OH, OW, CO] with
 * the flipped, transposed filter g'[kh][kw][co][ci] = g[2 − kh][2 − kw][ci][co], padded 2 − pt
 * above and 2 − pl to the left, into dx [N, H, W, CI].
 */
export function inputGradientWinograd(backend: BackendWasm, info: backend_util.Conv2DInfo, dy: number, filter: TensorInfo, dx: number): void {
  const geo = {
    N: info.batchSize, H: info.outHeight, W: info.outWidth, C: info.outChannels, CO: info.inChannels,
    pt: 2 - info.padInfo.top, pl: 2 - info.padInfo.left, OH: info.inHeight, OW: info.inWidth,
  };
  convolveTransformed(backend, geo, dy, filterTransform(backend, filter, info, true), 0, false, dx);
}

/**
 * dW [3, 3, CI, CO] of a convolution runsWinograd accepts: per chunk of images, V = Bᵀ·d·B of x's
 * tiles and Z = A·dy·Aᵀ of dy's, then Σ_tiles V_ξᵀ·Z_ξ per position on the GEMM (chunks added in
 * order), then dW = Gᵀ·(·)·G per channel pair.
 */
export function filterGradientWinograd(backend: BackendWasm, info: backend_util.Conv2DInfo, x: number, dy: number, dW: number): void {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outChannels: CO, outHeight: OH, outWidth: OW } = info;
  const { TH, TW, Hp, Wp, tilesPerImage, chunk, tiles } = tiling(N, OH, OW, C, CO);
  // dy's tiles cover 2TH × 2TW pixels: an odd OH or OW is padded with zeros (no gradient there)
  const padDy = OH % 2 !== 0 || OW % 2 !== 0;
  const padBytes = chunk * Hp * Wp * C * 4;
  const dyPadBytes = padDy ? chunk * 4 * tilesPerImage * CO * 4 : 0;
  const vPlane = planeBytes(tiles * C * 4);
  const zPlane = planeBytes(tiles * CO * 4);
  const sums = POSITIONS * C * CO * 4;
  const reserved = padBytes + dyPadBytes + POSITIONS * (vPlane + zPlane) + 2 * sums;
  const base = scratch(backend, reserved + positionsMatMulScratchBytes(POSITIONS, tiles, CO));
  const xp = base;
  const dyp = xp + padBytes;
  const v = dyp + dyPadBytes;
  const z = v + POSITIONS * vPlane;
  const total = z + POSITIONS * zPlane;
  const part = total + sums;
  const g = gemmModule(backend);
  for (let n0 = 0; n0 < N; n0 += chunk) {
    const images = Math.min(chunk, N - n0);
    g.wino_pad(x + n0 * H * W * C * 4, images, H, W, C, info.padInfo.top, info.padInfo.left, Hp, Wp, xp);
    g.wino_tiles(0, xp, images, Hp, Wp, C, TH, TW, v, vPlane);
    let dySrc = dy + n0 * OH * OW * CO * 4;
    if (padDy) {
      g.wino_pad(dySrc, images, OH, OW, CO, 0, 0, 2 * TH, 2 * TW, dyp);
      dySrc = dyp;
    }
    g.wino_tiles(1, dySrc, images, padDy ? 2 * TH : OH, padDy ? 2 * TW : OW, CO, TH, TW, z, zPlane);
    const into = n0 === 0 ? total : part;
    positionsMatMulInto(
      backend,
      POSITIONS,
      { ptr: v, transposed: true, plane: vPlane },
      { ptr: z, transposed: false, plane: zPlane },
      C,
      images * tilesPerImage,
      CO,
      into,
      C * CO * 4,
      reserved,
    );
    if (n0 !== 0) g.add_floats(total, part, sums);
  }
  // dW = Gᵀ·M·G for each channel pair
  g.wino_filter_grad(total, C * CO, dW);
}
