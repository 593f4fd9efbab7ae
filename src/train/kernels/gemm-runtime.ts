import { engine, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { loadGemm, wasmApi, type GemmModule, type WasmMemory } from '../wasm/gemm.js';
import { heapBuffer } from './wasm-backend.js';

interface ColumnsEntry {
  ptr: number;
  bytes: number;
  key: string;
  dataId: object | null;
}

/** One entry per convolution layer whose input is still needed by its filter gradient. */
const COLUMN_CACHE_ENTRIES = 4;

interface Runtime {
  gemm: GemmModule;
  scratchPtr: number;
  scratchBytes: number;
  /** The im2col columns of the last few convolution inputs, most recently used first (see `cachedColumns`). */
  columns: ColumnsEntry[];
}

interface EmscriptenModule {
  asm?: { memory?: WasmMemory };
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

const runtimes = new WeakMap<BackendWasm, Runtime>();
function emscripten(backend: BackendWasm): EmscriptenModule {
  return backend.wasm as unknown as EmscriptenModule;
}

function runtime(backend: BackendWasm): Runtime {
  let rt = runtimes.get(backend);
  if (!rt) {
    const memory = emscripten(backend).asm?.memory;
    if (!(memory instanceof wasmApi.Memory)) throw new Error('the wasm backend does not expose its memory; cannot run the GEMM kernels');
    rt = { gemm: loadGemm(memory), scratchPtr: 0, scratchBytes: 0, columns: [] };
    runtimes.set(backend, rt);
  }
  return rt;
}

export function gemmModule(backend: BackendWasm): GemmModule {
  return runtime(backend).gemm;
}

/** Byte offset of a tensor's data in the backend's heap. */
export function pointer(backend: BackendWasm, info: TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (!data || data.memoryOffset == null) throw new Error('tensor has no data on the wasm heap');
  return data.memoryOffset;
}

/**
 * One reusable scratch block per backend (packed B, the edge tile, a padded bias, im2col columns). Kernels run one at a
 * time and never hold scratch across calls, so growing it by free + malloc is safe.
 */
export function scratch(backend: BackendWasm, bytes: number): number {
  const rt = runtime(backend);
  if (bytes > rt.scratchBytes) {
    const heap = emscripten(backend);
    if (rt.scratchPtr) heap._free(rt.scratchPtr);
    const size = Math.max(bytes, Math.ceil(rt.scratchBytes * 1.5));
    rt.scratchPtr = heap._malloc(size);
    if (!rt.scratchPtr) throw new Error(`wasm heap exhausted allocating ${size} bytes of GEMM scratch`);
    rt.scratchBytes = size;
  }
  return rt.scratchPtr;
}

/** The 4×8 tile the GEMM computes ragged edge tiles in. */
const TILE_BYTES = 4 * 8 * 4;

/** Scratch bytes `matMulInto` needs; a caller keeping its own data at the start of scratch reserves this much after it. */
export function matMulScratchBytes(K: number, N: number): number {
  const Np = Math.ceil(N / 8) * 8;
  // packed B, the edge tile, a zero-padded copy of the bias
  return K * Np * 4 + TILE_BYTES + Np * 4;
}

/**
 * B is read in place (no packing pass) when it is row-major with whole 8-column strips and its K
 * block stays in L1 however the GEMM walks it: rows of at most 16 floats (a 256-row block spans
 * 16 KB), or of at most 32 when rows of tiles are outermost (a 128-row block, 16 KB, read whole by
 * each row of tiles). Longer rows spread a strip's block over more lines than L1 holds (the strip
 * uses 32 bytes of each), so packing B pays for itself: one contiguous copy, small next to the products.
 */
function readInPlace(b: MatMulOperand, N: number, rowOuter: boolean): boolean {
  return !b.transposed && N % 8 === 0 && N <= (rowOuter ? ROW_OUTER_MAX_N : IN_PLACE_MAX_N);
}

const IN_PLACE_MAX_N = 16;
const ROW_OUTER_MAX_N = 32;

/** Whether the data behind a cache entry is gone (its tensor disposed), so its buffer is free to reuse. */
function dead(backend: BackendWasm, entry: ColumnsEntry): boolean {
  return entry.dataId === null || !backend.dataIdMap.has(entry.dataId);
}

/**
 * The entry a new input's columns go to: of the entries whose input is gone, the smallest that holds
 * `bytes` (else the largest, to grow); else a new entry while there are fewer than
 * COLUMN_CACHE_ENTRIES; else the least recently used. Reusing the dead ones first keeps one buffer
 * per convolution layer in a training step instead of one per layer and step in flight.
 */
function columnsSlot(backend: BackendWasm, entries: ColumnsEntry[], bytes: number): number {
  let fits = -1;
  let largest = -1;
  entries.forEach((e, i) => {
    if (!dead(backend, e)) return;
    if (e.bytes >= bytes && (fits < 0 || e.bytes < entries[fits].bytes)) fits = i;
    if (largest < 0 || e.bytes > entries[largest].bytes) largest = i;
  });
  if (fits >= 0) return fits;
  if (largest >= 0) return largest;
  if (entries.length < COLUMN_CACHE_ENTRIES) return entries.push({ ptr: 0, bytes: 0, key: '', dataId: null }) - 1;
  return entries.length - 1;
}

/** The cached im2col columns of `x` for the geometry `key` (moved to most recently used), or 0 when none are cached. */
export function findColumns(backend: BackendWasm, x: TensorInfo, key: string): number {
  const entries = runtime(backend).columns;
  const at = entries.findIndex((e) => e.dataId === x.dataId && e.key === key);
  if (at < 0) return 0;
  const [entry] = entries.splice(at, 1);
  entries.unshift(entry);
  return entry.ptr;
}

/**
 * The im2col columns of `x` for the geometry `key`, built by `build(ptr)` unless a recent call
 * built exactly these. A convolution's forward pass and its filter gradient both need the columns
 * of the same input (tensors are immutable and dataIds never reused, so identity of the dataId
 * is identity of the data); keeping them in their own buffers while the input lives saves one
 * im2col per layer and step. Only worth calling while a gradient is being recorded: without one
 * no filter gradient follows (see `recordingGradients`).
 */
export function cachedColumns(backend: BackendWasm, x: TensorInfo, key: string, bytes: number, build: (ptr: number) => void): number {
  const found = findColumns(backend, x, key);
  if (found) return found;
  const entries = runtime(backend).columns;
  const at = columnsSlot(backend, entries, bytes);
  const entry = entries[at];
  if (bytes > entry.bytes) {
    const heap = emscripten(backend);
    if (entry.ptr) heap._free(entry.ptr);
    entry.ptr = heap._malloc(bytes);
    if (!entry.ptr) throw new Error(`wasm heap exhausted allocating ${bytes} bytes of im2col columns`);
    entry.bytes = bytes;
  }
  entry.dataId = null;
  build(entry.ptr);
  entry.dataId = x.dataId;
  entry.key = key;
  entries.splice(at, 1);
  entries.unshift(entry);
  return entry.ptr;
}

/**
 * True while tfjs records operations for a gradient (inside `tf.grad`, `variableGrads`, …): only
 * then can a filter gradient ask for a forward convolution's columns again. Kernels run with the
 * tape paused, so the engine's gradient depth is read rather than `isTapeOn`.
 */
export function recordingGradients(): boolean {
  return (engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0;
}

/** What the GEMM runtime holds on a backend's heap: the scratch block and the cached im2col columns. */
export function gemmHeapUse(backend: BackendWasm): { scratchBytes: number; columnsBytes: number; columnsEntries: number } {
  const rt = runtime(backend);
  return { scratchBytes: rt.scratchBytes, columnsBytes: rt.columns.reduce((sum, e) => sum + e.bytes, 0), columnsEntries: rt.columns.length };
}

export interface MatMulOperand {
  /** Byte offset of the operand's first element. */
  ptr: number;
  /** Stored as the transpose of the logical operand. */
  transposed: boolean;
}

/**
 * out[M×N] = act(A[M×K]·B[K×N] + bias), all float32 on the wasm heap, in one GEMM call whose tiles
 * add the bias and clamp as they store their last K block. A may be stored transposed at no cost
 * (the kernel reads it through strides); B is read where it is when row-major with few whole
 * 8-column strips, and otherwise packed (and transposed if need be) into scratch first (after
 * `reservedScratch` bytes the caller is using).
 */
export function matMulInto(
  backend: BackendWasm,
  a: MatMulOperand,
  b: MatMulOperand,
  M: number,
  K: number,
  N: number,
  out: number,
  epilogue: { bias?: number; relu?: boolean } = {},
  reservedScratch = 0,
): void {
  if (M === 0 || N === 0) return;
  const g = gemmModule(backend);
  const Np = Math.ceil(N / 8) * 8;
  const base = scratch(backend, reservedScratch + matMulScratchBytes(K, N)) + reservedScratch;
  const packedB = base;
  const tile = packedB + K * Np * 4;
  const paddedBias = tile + TILE_BYTES;
  const heap = heapBuffer(backend);
  let bias = epilogue.bias ?? 0;
  if (bias && Np !== N) {
    const padded = new Float32Array(heap, paddedBias, Np);
    padded.set(new Float32Array(heap, bias, N));
    padded.fill(0, N);
    bias = paddedBias;
  }
  const relu = epilogue.relu ? 1 : 0;
  if (K === 0) {
    // no products: act(bias) in every row
    const c = new Float32Array(heap, out, M * N);
    const row = bias ? new Float32Array(heap, bias, N).map((v) => (relu && v < 0 ? 0 : v)) : new Float32Array(N);
    for (let i = 0; i < M; i++) c.set(row, i * N);
    return;
  }
  const layout = gemmLayout(a, b, M, K, N);
  if (!layout.inPlace) g.pack_b(b.ptr, K, N, b.transposed ? 1 : 0, packedB);
  g.gemm(
    a.ptr, layout.sar, layout.sak,
    layout.inPlace ? b.ptr : packedB, layout.bstride, layout.sstride,
    out, N * 4, M, N, K, bias, relu, tile, layout.rowOuter, layout.kcmax,
  );
}

/** How the GEMM walks op(A)[M×K]·B[K×N]: A's strides, B read in place or packed, the order of tiles and the K block. */
interface GemmLayout {
  /** Bytes between rows of A, and between its k columns. */
  sar: number;
  sak: number;
  /** B read where it is (row-major, whole strips), else packed into strips first. */
  inPlace: boolean;
  /** Bytes between B's k rows within a strip, and between strips. */
  bstride: number;
  sstride: number;
  rowOuter: 0 | 1;
  kcmax: number;
}

/**
 * The layout both GEMM drivers use. A transposed A costs a cache line per k and tile: with few
 * strips, 128-deep K blocks and rows of tiles outermost keep a tile's lines of A and the K block of
 * B together in L1.
 */
function gemmLayout(a: MatMulOperand, b: MatMulOperand, M: number, K: number, N: number): GemmLayout {
  const Np = Math.ceil(N / 8) * 8;
  const rowOuter = a.transposed && Np <= ROW_OUTER_MAX_N;
  const inPlace = readInPlace(b, N, rowOuter);
  return {
    sar: a.transposed ? 4 : K * 4,
    sak: a.transposed ? M * 4 : 4,
    inPlace,
    bstride: inPlace ? N * 4 : 32,
    sstride: inPlace ? 32 : K * 32,
    rowOuter: rowOuter ? 1 : 0,
    kcmax: rowOuter ? 128 : 256,
  };
}

/** An operand of `positionsMatMulInto`: operand i starts `plane` bytes after operand i − 1. */
export interface PositionsOperand extends MatMulOperand {
  plane: number;
}

/** Scratch bytes `positionsMatMulInto` needs for `count` products (after what the caller reserves). */
export function positionsMatMulScratchBytes(count: number, K: number, N: number): number {
  return count * K * Math.ceil(N / 8) * 8 * 4 + TILE_BYTES;
}

/**
 * out_i[M×N] = A_i[M×K]·B_i[K×N] for i < count, operands and results laid out `plane` bytes apart
 * (Winograd's 16 positions): each product exactly as `matMulInto` computes it without an epilogue,
 * with every B packed first when it is packed at all, and the products in one call into wasm.
 */
export function positionsMatMulInto(
  backend: BackendWasm,
  count: number,
  a: PositionsOperand,
  b: PositionsOperand,
  M: number,
  K: number,
  N: number,
  out: number,
  outPlane: number,
  reservedScratch = 0,
): void {
  if (count === 0 || M === 0 || N === 0 || K === 0) throw new Error(`positionsMatMulInto needs non-empty products, got ${count} × ${M}×${K}×${N}`);
  const g = gemmModule(backend);
  const Np = Math.ceil(N / 8) * 8;
  const packed = scratch(backend, reservedScratch + positionsMatMulScratchBytes(count, K, N)) + reservedScratch;
  const tile = packed + count * K * Np * 4;
  const layout = gemmLayout(a, b, M, K, N);
  if (!layout.inPlace) for (let i = 0; i < count; i++) g.pack_b(b.ptr + i * b.plane, K, N, b.transposed ? 1 : 0, packed + i * K * Np * 4);
  g.gemm_positions(
    count,
    a.ptr, layout.sar, layout.sak, a.plane,
    layout.inPlace ? b.ptr : packed, layout.bstride, layout.sstride, layout.inPlace ? b.plane : K * Np * 4,
    out, N * 4, outPlane, M, N, K, tile, layout.rowOuter, layout.kcmax,
  );
}
