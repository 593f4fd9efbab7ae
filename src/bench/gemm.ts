import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../train/backend.js';
import { gemmModule, matMulInto, pointer, scratch } from '../train/kernels/gemm-runtime.js';
import { machineInfo, type MachineInfo } from './machine.js';

/** One product C[M×N] = op(A)[M×K]·op(B)[K×N] as the project's GEMM driver (matMulInto) runs it. */
export interface GemmCase {
  name: string;
  kind: 'square' | 'conv-forward' | 'conv-filter-gradient' | 'conv-input-gradient';
  M: number;
  K: number;
  N: number;
  /** A stored as its transpose (the filter gradient reads the im2col columns as colsᵀ). */
  transposeA: boolean;
  /** B stored as its transpose (the input gradient reads the filter as Wᵀ). */
  transposeB: boolean;
  /** The forward convolution adds its bias and applies ReLU to the product. */
  biasRelu: boolean;
}

export interface GemmBenchRow extends GemmCase {
  /** Median CPU seconds of this process per product over the repetitions. */
  seconds: number;
  /** Median wall-clock seconds per product (longer than `seconds` when other work shared the core). */
  wallSeconds: number;
  /** 2·M·N·K / seconds, in 10⁹ flops per second. */
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
  batch: 64,
  repetitions: 7,
  sampleSeconds: 0.2,
} as const;

/**
 * The GEMMs of the reference CNN (conv3x3(c→16) + relu + maxpool2, conv3x3(16→32) + relu + maxpool2,
 * 'same' padding) on one input size: each layer's forward product im2col(x)·W with its bias and
 * ReLU, its filter gradient colsᵀ·dY and, for the second layer (the first one's input needs no
 * gradient), its input gradient dY·Wᵀ.
 */
export function referenceConvCases(input: ConvInput, batch: number): GemmCase[] {
  const layers = [
    { layer: 1, side: input.size, cin: input.channels, cout: 16 },
    { layer: 2, side: Math.floor(input.size / 2), cin: 16, cout: 32 },
  ];
  const tag = `${input.size}x${input.size}x${input.channels}`;
  const cases: GemmCase[] = [];
  for (const { layer, side, cin, cout } of layers) {
    const rows = batch * side * side;
    const taps = 9 * cin;
    const name = (what: string) => `conv${layer} ${tag} ${what}`;
    cases.push({ name: name('forward'), kind: 'conv-forward', M: rows, K: taps, N: cout, transposeA: false, transposeB: false, biasRelu: true });
    cases.push({ name: name('filter gradient'), kind: 'conv-filter-gradient', M: taps, K: rows, N: cout, transposeA: true, transposeB: false, biasRelu: false });
    if (layer > 1) {
      cases.push({ name: name('input gradient'), kind: 'conv-input-gradient', M: rows, K: cout, N: taps, transposeA: false, transposeB: true, biasRelu: false });
    }
  }
  return cases;
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
    ...sizes.map((n): GemmCase => ({ name: `${n}x${n}x${n}`, kind: 'square', M: n, K: n, N: n, transposeA: false, transposeB: false, biasRelu: false })),
    ...convInputs.flatMap((input) => referenceConvCases(input, batch)),
  ];
  const rows: GemmBenchRow[] = [];
  for (const c of cases) {
    const values = (n: number) => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 2003) / 2003 - 0.5);
    const a = tf.tensor1d(values(c.M * c.K));
    const b = tf.tensor1d(values(c.K * c.N));
    const bias = tf.tensor1d(values(c.N));
    const out = tf.zeros([c.M * c.N]);
    try {
      const operands = {
        a: { ptr: pointer(backend, a), transposed: c.transposeA },
        b: { ptr: pointer(backend, b), transposed: c.transposeB },
        out: pointer(backend, out),
        epilogue: c.biasRelu ? { bias: pointer(backend, bias), relu: true } : {},
      };
      const { cpu: seconds, wall } = timePerCall(
        () => matMulInto(backend, operands.a, operands.b, c.M, c.K, c.N, operands.out, operands.epilogue),
        repetitions,
        sampleSeconds,
      );
      const gflops = (2 * c.M * c.N * c.K) / seconds / 1e9;
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
