import { Bench } from 'tinybench';
import { machineInfo, type MachineInfo } from './machine.js';
import { LabelMatrix } from '../labels/matrix.js';
import { createRng } from '../labels/rng.js';
import { labelStats } from '../labels/stats.js';
import { classWeights, WEIGHT_SCHEMES } from '../labels/weights.js';
import { planOversampling, PLANNERS } from '../labels/oversample.js';

export interface LabelsBenchOptions {
  images?: number;
  labels?: number;
  /** Imbalance factor of the exponential label profile. */
  imbalance?: number;
  /** Mean labels per image (each image carries 1 … 2·mean − 1, uniformly). */
  labelsPerImage?: number;
  seed?: number;
  /** Timed runs per task (after one warm-up run). */
  iterations?: number;
}

export interface LabelsBenchRow {
  task: string;
  meanMs: number;
  minMs: number;
  maxMs: number;
  samples: number;
  /** The target this task must meet, in ms, at the default size. */
  targetMs: number | null;
}

export interface LabelsBenchResult {
  images: number;
  labels: number;
  cardinality: number;
  meanIR: number;
  matrixMB: number;
  rows: LabelsBenchRow[];
  machine: MachineInfo;
}

/**
 * A seeded n × L matrix whose label r appears with weight IF^(−r/(L−1)), `labelsPerImage` labels per
 * image on average: the shape of the speed targets.
 */
export function syntheticSkewedMatrix(n: number, L: number, imbalance: number, labelsPerImage: number, seed: number): LabelMatrix {
  const rng = createRng(seed).fork('bench-matrix');
  const cumulative = new Float64Array(L);
  let total = 0;
  for (let r = 0; r < L; r++) cumulative[r] = total += imbalance ** (-r / Math.max(1, L - 1));
  const W = Math.max(1, Math.ceil(L / 32));
  const bits = new Uint32Array(n * W);
  const maxPerImage = Math.min(L, Math.max(1, Math.round(2 * labelsPerImage - 1)));
  for (let i = 0; i < n; i++) {
    const k = 1 + rng.int(maxPerImage);
    let placed = 0;
    while (placed < k) {
      const u = rng.float() * total;
      let lo = 0;
      let hi = L - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid] > u) hi = mid;
        else lo = mid + 1;
      }
      const w = i * W + (lo >>> 5);
      const bit = 1 << (lo & 31);
      if ((bits[w] & bit) === 0) {
        bits[w] |= bit;
        placed++;
      }
    }
  }
  return new LabelMatrix(n, Array.from({ length: L }, (_, l) => `label${String(l).padStart(3, '0')}`), bits);
}

const TARGETS_MS: Record<string, number> = {
  stats: 200,
  targeted: 1000,
  'ml-ros': 1000,
  'lp-ros': 1000,
  rfs: 300,
  ...Object.fromEntries(WEIGHT_SCHEMES.map((s) => [`weights ${s}`, 50])),
};

/** Time the label math on a large synthetic matrix. Returns rows; printing is the caller's job. */
export async function runLabelsBench(options: LabelsBenchOptions = {}): Promise<LabelsBenchResult> {
  const machine = machineInfo();
  const { images = 1_000_000, labels = 100, imbalance = 100, labelsPerImage = 3, seed = 1, iterations = 5 } = options;
  const matrix = syntheticSkewedMatrix(images, labels, imbalance, labelsPerImage, seed);
  const stats = labelStats(matrix);
  const atDefaultSize = images === 1_000_000 && labels === 100;
  // Each task sees a fresh copy so that caches built by one run (CSR view, counts) are not reused.
  const fresh = (): LabelMatrix => new LabelMatrix(matrix.rows, matrix.labels, matrix.words.slice());
  let input = fresh();
  const bench = new Bench({ iterations, time: 0, warmupIterations: 1, warmupTime: 0 });
  const hooks = { beforeEach: () => void (input = fresh()) };
  bench.add('stats', () => void labelStats(input), { async: false, ...hooks });
  for (const scheme of WEIGHT_SCHEMES) bench.add(`weights ${scheme}`, () => void classWeights(input, scheme), { async: false, ...hooks });
  for (const planner of PLANNERS) bench.add(planner.name, () => void planOversampling(input, planner.name, {}, seed), { async: false, ...hooks });
  await bench.run();
  const rows = bench.tasks.map((task): LabelsBenchRow => {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`benchmark task ${task.name} ${r.state === 'errored' ? `failed: ${r.error.message}` : r.state}`);
    return {
      task: task.name,
      meanMs: r.latency.mean,
      minMs: r.latency.min,
      maxMs: r.latency.max,
      samples: r.latency.samplesCount,
      targetMs: atDefaultSize ? (TARGETS_MS[task.name] ?? null) : null,
    };
  });
  return { images, labels, cardinality: stats.cardinality, meanIR: stats.meanIR, matrixMB: matrix.byteLength / 2 ** 20, rows, machine };
}
