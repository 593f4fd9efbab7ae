import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../train/backend.js';
import { gemmModule, matMulInto, pointer, positionsMatMulInto } from '../train/kernels/gemm-runtime.js';
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
  /**
   * The median over the repetitions of this product's rate over the multiply-add peak measured
   * right before it (each repetition times the probe, then the product): a share that holds when
   * the machine's speed drifts between cases.
   */
  shareOfPeak: number;
  /** Median GFLOP/s of the probes paired with this case's repetitions. */
  peakGflops: number;
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
  /** Median GFLOP/s of the probe over every case's repetitions: independent f32x4 multiply-adds on one core, no memory traffic. */
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

/** How many calls of `run` make a sample of about `sampleSeconds` (after one untimed call). */
function callsPerSample(run: () => void, sampleSeconds: number): number {
  run();
  const t = performance.now();
  run();
  const once = Math.max((performance.now() - t) / 1000, 1e-7);
  return Math.max(1, Math.ceil(sampleSeconds / once));
}

/** CPU and wall seconds per call over one sample of `calls` calls. */
function sample(run: () => void, calls: number): { cpu: number; wall: number } {
  const c = cpuSeconds();
  const t = performance.now();
  for (let i = 0; i < calls; i++) run();
  const wall = (performance.now() - t) / 1000 / calls;
  const cpu = (cpuSeconds() - c) / calls;
  // a CPU clock too coarse to see the sample (tiny sizes) falls back to the wall clock
  return { cpu: cpu > 0 ? cpu : wall, wall };
}

/**
 * `repetitions` samples of `run`, each right after a sample of `probe`: seconds per call of each,
 * sample by sample, so that a ratio of the two is taken over the same stretch of the machine's speed.
 */
export function pairedSamples(run: () => void, probe: () => void, repetitions: number, sampleSeconds: number): Array<{ run: { cpu: number; wall: number }; probe: number }> {
  const calls = callsPerSample(run, sampleSeconds);
  const probeCalls = callsPerSample(probe, sampleSeconds);
  return Array.from({ length: repetitions }, () => {
    const p = sample(probe, probeCalls).cpu;
    return { run: sample(run, calls), probe: p };
  });
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

  // The probe: 24 multiply-adds of 4 lanes (8 flops each) per round. Its checksum goes to a tensor of
  // its own: the products between its samples may move the GEMM's scratch.
  const checksum = tf.zeros([4]);
  const rounds = Math.max(1000, Math.round(sampleSeconds * 2e7));
  const probe = () => g.fma_peak(rounds, pointer(backend, checksum));
  const probeGflops = (seconds: number) => (rounds * 24 * 8) / seconds / 1e9;
  const allProbes: number[] = [];

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
      const flops = 2 * c.count * c.M * c.N * c.K;
      const samples = pairedSamples(run, probe, repetitions, sampleSeconds);
      const peaks = samples.map((x) => probeGflops(x.probe));
      allProbes.push(...peaks);
      const seconds = median(samples.map((x) => x.run.cpu));
      const wall = median(samples.map((x) => x.run.wall));
      const share = median(samples.map((x, i) => flops / x.run.cpu / 1e9 / peaks[i]));
      rows.push({
        ...c,
        seconds: round(seconds, 7),
        wallSeconds: round(wall, 7),
        gflops: round(flops / seconds / 1e9, 2),
        shareOfPeak: round(share, 3),
        peakGflops: round(median(peaks), 2),
      });
    } finally {
      tf.dispose([a, b, bias, out]);
    }
  }
  checksum.dispose();
  return {
    machine,
    multiplyAdd: g.fusedMultiplyAdd ? 'f32x4.relaxed_madd' : 'f32x4.mul + f32x4.add',
    clock: 'process cpu time',
    peakGflops: round(median(allProbes), 2),
    repetitions,
    rows,
  };
}
