import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../train/backend.js';
import { gemmModule, matMulInto, pointer, positionsMatMulInto, scratch } from '../train/kernels/gemm-runtime.js';
import { planeBytes, POSITIONS, winogradProducts, type WinogradProduct } from '../train/kernels/winograd.js';
import { machineInfo, type MachineInfo } from './machine.js';

/**
 * `count` products C[M×N] = op(A)[M×K]·op(B)[K×N] of one shape, as the project's GEMM drivers run
 * them: one `matMulInto` call (count 1), or Winograd's position products in one
 * `positionsMatMulInto` call (count 16).
 */
export interface GemmCase {
  name: string;
  kind: 'square' | 'winograd-forward' | 'winograd-input-gradient' | 'winograd-filter-gradient';
  count: number;
  M: number;
  K: number;
  N: number;
  /** A stored as its transpose (the filter gradient reads the transformed inputs as Vᵀ). */
  transposeA: boolean;
  /** B stored as its transpose. */
  transposeB: boolean;
  /** Bias added and ReLU applied to the product. */
  biasRelu: boolean;
}

export interface GemmBenchRow extends GemmCase {
  /** Median CPU seconds of this process per product over the repetitions. */
  seconds: number;
  /** Median wall-clock seconds per product (longer than `seconds` when other work shared the core). */
  wallSeconds: number;
  /** 2·count·M·N·K / seconds, in 10⁹ flops per second. */
  gflops: number;
  /** gflops / the multiply-add peak. */
  shareOfPeak: number;
}

export interface GemmBenchResult {
  machine: MachineInfo & { cpuAffinity: string };
  /** The instruction form of both the probe and the GEMM's inner loop. */
  multiplyAdd: 'f32x4.relaxed_madd' | 'f32x4.mul + f32x4.add';
  /**
   * What the times are: the process's CPU time (user + system), which leaves out the time the
   * benchmark waited for a core other processes held; the wall-clock times are in the rows too.
   */
  clock: 'process cpu time';
  /** Median GFLOP/s of the probe: independent f32x4 multiply-adds on one core, no memory traffic. */
  peakGflops: number;
  repetitions: number;
  rows: GemmBenchRow[];
}

/** A convolution input of the reference CNN: side × side × channels images in batches. */
export interface ConvInput {
  size: number;
  channels: number;
}

export interface GemmBenchOptions {
  /** Square products n×n×n. */
  sizes?: readonly number[];
  /** Inputs of the reference CNN whose convolution GEMMs are timed. */
  convInputs?: readonly ConvInput[];
  /** Images per micro-batch (a training batch of 64 in its default two micro-batches). */
  batch?: number;
  /** Timed samples per case; the median is reported. */
  repetitions?: number;
  /** Each sample repeats the product until this many seconds have passed. */
  sampleSeconds?: number;
}

export const GEMM_BENCH_DEFAULTS = {
  sizes: [256, 512, 1024, 2048],
  convInputs: [
    { size: 28, channels: 1 },
    { size: 64, channels: 3 },
  ],
  batch: 32,
  repetitions: 7,
  sampleSeconds: 0.2,
} as const;

/**
 * The GEMMs of the reference CNN's convolutions (conv3x3(c→16) + relu + maxpool2, then
 * conv3x3(16→32) + relu + maxpool2, 'same' padding) on one input size, as training runs them on a
 * micro-batch of `batch` images: the first layer runs as a direct convolution (no GEMM); the second
 * as Winograd, whose forward pass, input gradient and filter gradient are 16 position products per
 * chunk of images (see winogradProducts).
 */
export function referenceConvCases(input: ConvInput, batch: number): GemmCase[] {
  const side = Math.floor(input.size / 2);
  const products = winogradProducts(batch, side, side, 16, 32);
  const name = (what: string) => `conv2 ${input.size}x${input.size}x${input.channels} Winograd ${what}`;
  const of = (kind: GemmCase['kind'], what: string, p: WinogradProduct): GemmCase => ({
    name: name(what), kind, count: POSITIONS, M: p.M, K: p.K, N: p.N, transposeA: p.transposeA, transposeB: false, biasRelu: false,
  });
  return [
    of('winograd-forward', 'forward', products.forward),
    of('winograd-input-gradient', 'input gradient', products.inputGradient),
    of('winograd-filter-gradient', 'filter gradient', products.filterGradient),
  ];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * CPU and wall seconds per call of `run`, each the median over `repetitions` samples of at least
 * `sampleSeconds` each (after one untimed call).
 */
function timePerCall(run: () => void, repetitions: number, sampleSeconds: number): { cpu: number; wall: number } {
  run();
  let t = performance.now();
  run();
  const once = Math.max((performance.now() - t) / 1000, 1e-7);
  const calls = Math.max(1, Math.ceil(sampleSeconds / once));
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    const c = cpuSeconds();
    t = performance.now();
    for (let i = 0; i < calls; i++) run();
    wall.push((performance.now() - t) / 1000 / calls);
    cpu.push((cpuSeconds() - c) / calls);
  }
  const w = median(wall);
  // a CPU clock too coarse to see the sample (tiny sizes) falls back to the wall clock
  const c = median(cpu);
  return { cpu: c > 0 ? c : w, wall: w };
}

function cpuAffinity(): string {
  try {
    return /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/**
 * Times the multiply-add peak of one core and the project GEMM on square and convolution shapes,
 * on the wasm backend with the project kernels. Returns the figures; prints nothing.
 */
export async function runGemmBench(options: GemmBenchOptions = {}): Promise<GemmBenchResult> {
  const sizes = options.sizes ?? GEMM_BENCH_DEFAULTS.sizes;
  const convInputs = options.convInputs ?? GEMM_BENCH_DEFAULTS.convInputs;
  const batch = options.batch ?? GEMM_BENCH_DEFAULTS.batch;
  const repetitions = options.repetitions ?? GEMM_BENCH_DEFAULTS.repetitions;
  const sampleSeconds = options.sampleSeconds ?? GEMM_BENCH_DEFAULTS.sampleSeconds;
  const machine = { ...machineInfo(), cpuAffinity: cpuAffinity() };
  await selectBackend('wasm');
  const backend = tf.backend() as BackendWasm;
  const g = gemmModule(backend);

  // The probe: 24 multiply-adds of 4 lanes (8 flops each) per round.
  const checksum = scratch(backend, 16);
  const rounds = Math.max(1000, Math.round(sampleSeconds * 2e7));
  const probeSeconds = timePerCall(() => g.fma_peak(rounds, checksum), repetitions, sampleSeconds).cpu;
  const peakGflops = (rounds * 24 * 8) / probeSeconds / 1e9;

  const cases: GemmCase[] = [
    ...sizes.map((n): GemmCase => ({ name: `${n}x${n}x${n}`, kind: 'square', count: 1, M: n, K: n, N: n, transposeA: false, transposeB: false, biasRelu: false })),
    ...convInputs.flatMap((input) => referenceConvCases(input, batch)),
  ];
  const rows: GemmBenchRow[] = [];
  for (const c of cases) {
    const values = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 2003) / 2003 - 0.5);
    // the positions' matrices as far apart as a Winograd pass lays them out
    const plane = (floats: number) => (c.count === 1 ? floats * 4 : planeBytes(floats * 4));
    const planes = { a: plane(c.M * c.K), b: plane(c.K * c.N), out: plane(c.M * c.N) };
    const a = tf.tensor1d(values(((c.count - 1) * planes.a) / 4 + c.M * c.K));
    const b = tf.tensor1d(values(((c.count - 1) * planes.b) / 4 + c.K * c.N));
    const bias = tf.tensor1d(values(c.N));
    const out = tf.zeros([((c.count - 1) * planes.out) / 4 + c.M * c.N]);
    try {
      const operands = {
        a: { ptr: pointer(backend, a), transposed: c.transposeA, plane: planes.a },
        b: { ptr: pointer(backend, b), transposed: c.transposeB, plane: planes.b },
        out: pointer(backend, out),
        epilogue: c.biasRelu ? { bias: pointer(backend, bias), relu: true } : {},
      };
      const run =
        c.count === 1
          ? () => matMulInto(backend, operands.a, operands.b, c.M, c.K, c.N, operands.out, operands.epilogue)
          : () => positionsMatMulInto(backend, c.count, operands.a, operands.b, c.M, c.K, c.N, operands.out, planes.out);
      const { cpu: seconds, wall } = timePerCall(run, repetitions, sampleSeconds);
      const gflops = (2 * c.count * c.M * c.N * c.K) / seconds / 1e9;
      rows.push({ ...c, seconds: round(seconds, 7), wallSeconds: round(wall, 7), gflops: round(gflops, 2), shareOfPeak: round(gflops / peakGflops, 3) });
    } finally {
      tf.dispose([a, b, bias, out]);
    }
  }
  return {
    machine,
    multiplyAdd: g.fusedMultiplyAdd ? 'f32x4.relaxed_madd' : 'f32x4.mul + f32x4.add',
    clock: 'process cpu time',
    peakGflops: round(peakGflops, 2),
    repetitions,
    rows,
  };
}
