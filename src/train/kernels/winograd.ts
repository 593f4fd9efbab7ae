import type { backend_util } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { gemmModule, matMulInto, matMulScratchBytes, scratch } from './gemm-runtime.js';
import { DIRECT_MAX_IN_CHANNELS } from './direct-conv.js';

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
 * Tiles are taken a few images at a time (CHUNK_BYTES) so that V and the products stay in cache;
 * a chunk is whole images and depends only on the shapes, so a result never depends on how a
 * batch is split among threads, and (the GEMM's rows being independent) an image's forward result
 * never depends on the other images of its batch.
 */

/** About how many bytes of transformed inputs and products one chunk of tiles may take. */
const CHUNK_BYTES = 384 * 1024;
/** The transform's positions: a 4×4 tile. */
const POSITIONS = 16;

/**
 * Whether a convolution runs as Winograd: a 3×3 filter at stride 1, undilated, with input and
 * output channels in whole SIMD quads, more input channels than a direct kernel takes (first
 * layers stay direct), and paddings of at most 2 (each output tile's patch then lies within one
 * padding of the input). The forward pass, the input gradient and the filter gradient use the
 * same rule.
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
    info.padInfo.left <= 2
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

function heapBuffer(backend: BackendWasm): ArrayBufferLike {
  return (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer;
}

/**
 * U = G·g·Gᵀ of every (ci, co) pair, as POSITIONS row-major [CI × CO] matrices, with g[kh][kw] read
 * at `tap(kh, kw, ci, co)` of `w`. G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]. Computed in doubles, rounded once.
 */
function transformFilter(w: Float32Array, CI: number, CO: number, tap: (kh: number, kw: number, ci: number, co: number) => number): Float32Array {
  const u = new Float32Array(POSITIONS * CI * CO);
  const g = new Float64Array(9);
  const gg = new Float64Array(12);
  for (let ci = 0; ci < CI; ci++) {
    for (let co = 0; co < CO; co++) {
      for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) g[kh * 3 + kw] = w[tap(kh, kw, ci, co)];
      // G·g (4×3), a row at a time
      for (let j = 0; j < 3; j++) {
        const a = g[j];
        const b = g[3 + j];
        const c = g[6 + j];
        gg[j] = a;
        gg[3 + j] = (a + b + c) / 2;
        gg[6 + j] = (a - b + c) / 2;
        gg[9 + j] = c;
      }
      // (G·g)·Gᵀ (4×4)
      for (let i = 0; i < 4; i++) {
        const a = gg[i * 3];
        const b = gg[i * 3 + 1];
        const c = gg[i * 3 + 2];
        const row = [a, (a + b + c) / 2, (a - b + c) / 2, c];
        for (let j = 0; j < 4; j++) u[((i * 4 + j) * CI + ci) * CO + co] = row[j];
      }
    }
  }
  return u;
}

/** Whole images per chunk: as many as keep `bytesPerTile` × tiles under CHUNK_BYTES, at least one. */
function chunkImages(N: number, tilesPerImage: number, bytesPerTile: number): number {
  return Math.max(1, Math.min(N, Math.floor(CHUNK_BYTES / (tilesPerImage * bytesPerTile))));
}

/** out = act(conv(x) + bias) for a 3×3 stride-1 geometry with the filter already transformed (u, POSITIONS × [C × CO]). */
function convolveTransformed(backend: BackendWasm, geo: Geometry, x: number, u: Float32Array, bias: number, relu: boolean, out: number): void {
  const { N, H, W, C, CO, pt, pl, OH, OW } = geo;
  const TH = Math.ceil(OH / 2);
  const TW = Math.ceil(OW / 2);
  const Hp = 2 * TH + 2;
  const Wp = 2 * TW + 2;
  const tilesPerImage = TH * TW;
  const chunk = chunkImages(N, tilesPerImage, POSITIONS * (C + CO) * 4);
  const tiles = chunk * tilesPerImage;
  const uBytes = u.length * 4;
  const padBytes = chunk * Hp * Wp * C * 4;
  const vPlane = tiles * C * 4;
  const mPlane = tiles * CO * 4;
  const reserved = uBytes + padBytes + POSITIONS * (vPlane + mPlane);
  const base = scratch(backend, reserved + matMulScratchBytes(C, CO));
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
    for (let xi = 0; xi < POSITIONS; xi++) {
      matMulInto(
        backend,
        { ptr: v + xi * vPlane, transposed: false },
        { ptr: uPtr + xi * C * CO * 4, transposed: false },
        images * tilesPerImage,
        C,
        CO,
        m + xi * mPlane,
        {},
        reserved,
      );
    }
    g.wino_out(m, mPlane, bias, relu ? 1 : 0, out + n0 * OH * OW * CO * 4, images, OH, OW, CO, TH, TW);
  }
}

/** out = act(conv2d(x, w) + bias) for a geometry runsWinograd accepts (pointers on the wasm heap; bias 0 for none). */
export function convolveWinograd(backend: BackendWasm, info: backend_util.Conv2DInfo, x: number, filter: number, bias: number, relu: boolean, out: number): void {
  const { inChannels: CI, outChannels: CO } = info;
  const w = new Float32Array(heapBuffer(backend), filter, 9 * CI * CO);
  const u = transformFilter(w, CI, CO, (kh, kw, ci, co) => ((kh * 3 + kw) * CI + ci) * CO + co);
  const geo = {
    N: info.batchSize, H: info.inHeight, W: info.inWidth, C: CI, CO,
    pt: info.padInfo.top, pl: info.padInfo.left, OH: info.outHeight, OW: info.outWidth,
  };
  convolveTransformed(backend, geo, x, u, bias, relu, out);
}

/**
 * dx of a convolution runsWinograd accepts, as the forward convolution of dy [N, OH, OW, CO] with
 * the flipped, transposed filter g'[kh][kw][co][ci] = g[2 − kh][2 − kw][ci][co], padded 2 − pt
 * above and 2 − pl to the left, into dx [N, H, W, CI].
 */
export function inputGradientWinograd(backend: BackendWasm, info: backend_util.Conv2DInfo, dy: number, filter: number, dx: number): void {
  const { inChannels: CI, outChannels: CO } = info;
  const w = new Float32Array(heapBuffer(backend), filter, 9 * CI * CO);
  const u = transformFilter(w, CO, CI, (kh, kw, co, ci) => (((2 - kh) * 3 + (2 - kw)) * CI + ci) * CO + co);
  const geo = {
    N: info.batchSize, H: info.outHeight, W: info.outWidth, C: CO, CO: CI,
    pt: 2 - info.padInfo.top, pl: 2 - info.padInfo.left, OH: info.inHeight, OW: info.inWidth,
  };
  convolveTransformed(backend, geo, dy, u, 0, false, dx);
}

/**
 * dW [3, 3, CI, CO] of a convolution runsWinograd accepts: per chunk of images, V = Bᵀ·d·B of x's
 * tiles and Z = A·dy·Aᵀ of dy's, then Σ_tiles V_ξᵀ·Z_ξ per position on the GEMM (chunks added in
 * order), then dW = Gᵀ·(·)·G per channel pair.
 */
export function filterGradientWinograd(backend: BackendWasm, info: backend_util.Conv2DInfo, x: number, dy: number, dW: number): void {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outChannels: CO, outHeight: OH, outWidth: OW } = info;
  const TH = Math.ceil(OH / 2);
  const TW = Math.ceil(OW / 2);
  const Hp = 2 * TH + 2;
  const Wp = 2 * TW + 2;
  // dy's tiles cover 2TH × 2TW pixels: an odd OH or OW is padded with zeros (no gradient there)
  const padDy = OH % 2 !== 0 || OW % 2 !== 0;
  const tilesPerImage = TH * TW;
  const chunk = chunkImages(N, tilesPerImage, POSITIONS * (C + CO) * 4);
  const tiles = chunk * tilesPerImage;
  const padBytes = chunk * Hp * Wp * C * 4;
  const dyPadBytes = padDy ? chunk * 4 * tilesPerImage * CO * 4 : 0;
  const vPlane = tiles * C * 4;
  const zPlane = tiles * CO * 4;
  const sums = POSITIONS * C * CO * 4;
  const reserved = padBytes + dyPadBytes + POSITIONS * (vPlane + zPlane) + 2 * sums;
  const base = scratch(backend, reserved + matMulScratchBytes(tiles, CO));
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
    for (let xi = 0; xi < POSITIONS; xi++) {
      matMulInto(
        backend,
        { ptr: v + xi * vPlane, transposed: true },
        { ptr: z + xi * zPlane, transposed: false },
        C,
        images * tilesPerImage,
        CO,
        into + xi * C * CO * 4,
        {},
        reserved,
      );
    }
    if (n0 !== 0) g.add_floats(total, part, sums);
  }
  // dW = Gᵀ·M·G, Gᵀ = [1 ½ ½ 0; 0 ½ −½ 0; 0 ½ ½ 1], for each channel pair
  const buffer = heapBuffer(backend);
  const mSum = new Float32Array(buffer, total, POSITIONS * C * CO);
  const out = new Float32Array(buffer, dW, 9 * C * CO);
  const r = new Float64Array(12);
  for (let ci = 0; ci < C; ci++) {
    for (let co = 0; co < CO; co++) {
      const at = (i: number, j: number) => mSum[((i * 4 + j) * C + ci) * CO + co];
      for (let j = 0; j < 4; j++) {
        const m0 = at(0, j);
        const m1 = at(1, j);
        const m2 = at(2, j);
        const m3 = at(3, j);
        r[j] = m0 + (m1 + m2) / 2;
        r[4 + j] = (m1 - m2) / 2;
        r[8 + j] = (m1 + m2) / 2 + m3;
      }
      for (let i = 0; i < 3; i++) {
        const [a, b, c, d] = [r[i * 4], r[i * 4 + 1], r[i * 4 + 2], r[i * 4 + 3]];
        const row = i * 3;
        out[((row + 0) * C + ci) * CO + co] = a + (b + c) / 2;
        out[((row + 1) * C + ci) * CO + co] = (b - c) / 2;
        out[((row + 2) * C + ci) * CO + co] = (b + c) / 2 + d;
      }
    }
  }
}
