import v8 from 'node:v8';
import { GEMM_WASM_FUSED, GEMM_WASM_PLAIN } from './gemm-binary.js';

/** The exports of gemm.wat; every pointer is a byte offset into the imported memory. */
export interface GemmExports {
  /**
   * C[M×N] = act(op(A)·op(B) + bias), C rows ldc bytes apart; A element (i, k) at a + i·sar + k·sak
   * (bytes); B in 8-column strips, strip js row k at b + js·sstride + k·bstride (packed by pack_b:
   * bstride 32, sstride 32·K; row-major B with N a multiple of 8: bstride 4·N, sstride 32); bias ≠ 0:
   * ⌈N/8⌉·8 floats added before relu = 1 clamps at 0; tmp: 128 bytes for the ragged edge tiles;
   * rowOuter = 1 walks each row of tiles across all strips; K blocks of at most kcmax (≤ 256). K ≥ 1.
   */
  gemm(
    a: number, sar: number, sak: number, b: number, bstride: number, sstride: number, c: number, ldc: number,
    M: number, N: number, K: number, bias: number, relu: number, tmp: number, rowOuter: number, kcmax: number,
  ): void;
  /** `count` gemm calls without bias or activation, operand i at a + i·aplane, b + i·bplane, c + i·cplane. */
  gemm_positions(
    count: number, a: number, sar: number, sak: number, aplane: number, b: number, bstride: number, sstride: number, bplane: number,
    c: number, ldc: number, cplane: number, M: number, N: number, K: number, tmp: number, rowOuter: number, kcmax: number,
  ): void;
  /** Packs B [K×N] (or Bᵀ stored [N×K] when transposed = 1) into ⌈N/8⌉ zero-padded 8-column strips. */
  pack_b(b: number, K: number, N: number, transposed: number, bp: number): void;
  /** cols[(n,oh,ow)][(kh,kw,c)] from NHWC x, zeros outside. */
  im2col(
    x: number, N: number, H: number, W: number, C: number, KH: number, KW: number,
    sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, OH: number, OW: number, cols: number,
  ): void;
  /** dx += the adjoint of im2col applied to cols (dx zeroed by the caller); same geometry arguments as im2col. */
  col2im(
    cols: number, N: number, H: number, W: number, C: number, KH: number, KW: number,
    sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, OH: number, OW: number, dx: number,
  ): void;
  /** dz = dy · [y > 0] and db[c] += Σ_r dz[r·C + c] over rows × C (db zeroed by the caller). */
  relu_bias_grad(dy: number, y: number, dz: number, db: number, rows: number, C: number): void;
  /** out[c] = Σ_r x[r·C + c]. */
  column_sum(x: number, rows: number, C: number, out: number): void;
  /** Adds each dy to the first maximal x of its pooling window in dx (which the caller zeroes); `taps` is fh·fw i32 of scratch. */
  max_pool_grad(
    x: number, dy: number, dx: number, N: number, H: number, W: number, C: number, OH: number, OW: number,
    fh: number, fw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, taps: number,
  ): void;
  /**
   * The multiply-add throughput probe: `iterations` rounds of 24 independent f32x4 multiply-adds
   * (8 flops each) in the GEMM's instruction form; stores a checksum at `out` (16 bytes).
   */
  fma_peak(iterations: number, out: number): void;
  /**
   * act(conv2d(x, w) + bias) into out without im2col columns in memory (bias = 0 for none, relu = 1);
   * CO a multiple of 4; `patch` is 2·KH·KW·C floats of scratch. pool ≠ 0 also gets max_pool2 of out.
   */
  conv_direct(
    x: number, w: number, bias: number, relu: number, out: number, N: number, H: number, W: number, C: number, KH: number, KW: number,
    sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, OH: number, OW: number, CO: number, patch: number, pool: number,
  ): void;
  /**
   * dW += the filter gradient of conv_direct's convolution for dy (dW zeroed by the caller); CO a
   * multiple of 4. py ≠ 0: dy is the gradient of max_pool2(y) for y = relu(conv + b) at py, routed as
   * max_pool2_relu_grad routes it through two rows of scratch at `rows` (2·OW·CO floats), and db
   * (zeroed by the caller) gets the bias gradient.
   */
  conv_direct_filter(
    x: number, dy: number, dW: number, N: number, H: number, W: number, C: number, KH: number, KW: number,
    sh: number, sw: number, dh: number, dw: number, pt: number, pl: number, OH: number, OW: number, CO: number,
    py: number, db: number, rows: number,
  ): void;
  /** 2×2 stride-2 'valid' max pool of NHWC x (C a multiple of 4) into out [N, OH, OW, C]. */
  max_pool2(x: number, out: number, N: number, H: number, W: number, C: number, OH: number, OW: number): void;
  /**
   * The gradient through relu(z + b) then max_pool2 in one pass, for y the ReLU output and dy the
   * pooled gradient: dz = route(dy)·[y > 0] (rows/columns no window covers untouched) and db += Σ dz.
   */
  max_pool2_relu_grad(y: number, dy: number, dz: number, db: number, N: number, H: number, W: number, C: number, OH: number, OW: number): void;
  /** NHWC x [N, H, W, C] copied into xp [N, Hp, Wp, C] at row offset pt and column offset pl, zeros elsewhere. */
  wino_pad(x: number, N: number, H: number, W: number, C: number, pt: number, pl: number, Hp: number, Wp: number, xp: number): void;
  /**
   * F(2×2, 3×3)'s input transform (kind 0, 4×4 patches) or dy's transform (kind 1, 2×2 blocks) of the
   * TH×TW tiles of each image of src [N, Hp, Wp, C]: position ξ's [tiles × C] matrix at dst + ξ·plane.
   */
  wino_tiles(kind: number, src: number, N: number, Hp: number, Wp: number, C: number, TH: number, TW: number, dst: number, plane: number): void;
  /**
   * F(2×2, 3×3)'s output transform of wino_tiles-laid-out products m into out [N, OH, OW, CO], + bias (0 for none), relu = 1
   * clamps; pool ≠ 0 also gets out's 2×2 stride-2 'valid' max pool [N, ⌊OH/2⌋, ⌊OW/2⌋, CO].
   */
  wino_out(
    m: number, plane: number, bias: number, relu: number, out: number, N: number, OH: number, OW: number, CO: number, TH: number, TW: number,
    pool: number,
  ): void;
  /**
   * U = G·g·Gᵀ of each (ci, co) pair of a 3×3 filter into u (16 row-major [CI × CO] matrices), g[kh][kw] of the pair at
   * w + base + kh·sh + kw·sw + ci·sci + co·sco (byte offsets, any sign); in doubles, rounded once.
   */
  wino_filter(w: number, CI: number, CO: number, base: number, sh: number, sw: number, sci: number, sco: number, u: number): void;
  /** dW = Gᵀ·M·G of each of `pairs` channel pairs: M_ξ of pair k at m + (ξ·pairs + k)·4, tap t of dW at out + (t·pairs + k)·4. */
  wino_filter_grad(m: number, pairs: number, out: number): void;
  /** dst[0..bytes) += src[0..bytes). */
  add_floats(dst: number, src: number, bytes: number): void;
  /** One Adam step over n weights into fresh buffers (see gemm.wat). */
  adam(
    w: number, g: number, m: number, v: number, wOut: number, mOut: number, vOut: number, n: number,
    lrc: number, c2: number, b1: number, b2: number, eps: number,
  ): void;
}

export interface GemmModule extends GemmExports {
  /** Whether the multiply-adds are fused (relaxed SIMD available). */
  readonly fusedMultiplyAdd: boolean;
}

/** The slice of the WebAssembly JS API used here (the project compiles without the DOM lib, which declares it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => WasmMemory;
}
export const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const RELAXED_SIMD_FLAG = '--experimental-wasm-relaxed-simd';

function decode(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

/**
 * Whether this runtime accepts relaxed SIMD. Node 20's V8 (11.3) implements it behind a flag that
 * only matters at compile time, so it is switched on here before the module is compiled; newer
 * runtimes validate the binary without it.
 */
function relaxedSimdAvailable(fused: Uint8Array, allowFlag: boolean): boolean {
  if (wasmApi.validate(fused)) return true;
  if (!allowFlag) return false;
  v8.setFlagsFromString(RELAXED_SIMD_FLAG);
  return wasmApi.validate(fused);
}

/** Instantiates the GEMM module on `memory` (the wasm backend's heap). */
export function loadGemm(memory: WasmMemory, options: { fusedMultiplyAdd?: boolean } = {}): GemmModule {
  const fusedBytes = decode(GEMM_WASM_FUSED);
  const useFused = options.fusedMultiplyAdd !== false && relaxedSimdAvailable(fusedBytes, true);
  const bytes = useFused ? fusedBytes : decode(GEMM_WASM_PLAIN);
  const instance = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } });
  const exports = instance.exports as unknown as GemmExports;
  return {
    fusedMultiplyAdd: useFused,
    gemm: exports.gemm,
    gemm_positions: exports.gemm_positions,
    pack_b: exports.pack_b,
    im2col: exports.im2col,
    col2im: exports.col2im,
    column_sum: exports.column_sum,
    relu_bias_grad: exports.relu_bias_grad,
    adam: exports.adam,
    max_pool_grad: exports.max_pool_grad,
    fma_peak: exports.fma_peak,
    conv_direct: exports.conv_direct,
    conv_direct_filter: exports.conv_direct_filter,
    max_pool2: exports.max_pool2,
    max_pool2_relu_grad: exports.max_pool2_relu_grad,
    wino_pad: exports.wino_pad,
    wino_tiles: exports.wino_tiles,
    wino_out: exports.wino_out,
    add_floats: exports.add_floats,
    wino_filter: exports.wino_filter,
    wino_filter_grad: exports.wino_filter_grad,
  };
}
