import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { parseCsv, readText } from './csv.js';
import type { DataBenchView, FolderBenchView, LabelsBenchView } from './bench.js';

/*
 * The README's figures are rendered from committed result files, never typed: each lives between
 * `<!-- rendered:NAME -->` and `<!-- /rendered:NAME -->`. `renderReadme` replaces every block whose
 * source file exists and `npm run readme` writes the result; a test fails when the two differ.
 */

type Machine = { cpuModel: string; cores: number; node: string; loadAverage: number; date: string };
type Renderer = (root: string) => string | null;

const grouped = (n: number): string => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, digits: number): string => (Math.abs(n) < 0.5 * 10 ** -digits ? (0).toFixed(digits) : n.toFixed(digits));
const signed = (n: number, digits = 3): string => (n >= 0 ? '+' : '') + fixed(n, digits).replace(/^-(0\.0+)$/, '-$1');
const ms = (n: number): string => `${grouped(n)} ms`;

function machineLine(m: Machine): string {
  return `Measured on ${m.date}: ${m.cpuModel}, ${m.cores} core${m.cores === 1 ? "" : "s"}, Node ${m.node.replace(/^v/, '')}, load average ${m.loadAverage.toFixed(2)} when it started.`;
}

interface SummaryRow {
  skew: string;
  method: string;
  metric: string;
  mean: number;
  delta: number | null;
  significant: boolean;
}

function readSummary(file: string): SummaryRow[] {
  const rows = parseCsv(readText(file, 'the summary table'), file, ['skew', 'method', 'metric', 'mean', 'delta_mean', 'significant']);
  return rows.map((r) => ({
    skew: r.string('skew'),
    method: r.string('method'),
    metric: r.string('metric'),
    mean: r.number('mean'),
    delta: r.optionalNumber('delta_mean'),
    significant: r.optionalString('significant') === 'true',
  }));
}

/** The published grid: baseline means, other methods' paired Δ (`*` where the interval excludes 0). */
const publishedResults: Renderer = (root) => {
  const file = join(root, 'results/full/summary.csv');
  if (!existsSync(file)) return null;
  const rows = readSummary(file);
  const manifest = JSON.parse(readFileSync(join(root, 'results/full/manifest.json'), 'utf8')) as { wallSeconds: number; trials: unknown[]; spec: { seeds: number[] } };
  const methods = [...new Set(rows.map((r) => r.method))];
  const skews = [...new Set(rows.map((r) => r.skew))];
  const imbalance = (skew: string): string => skew.split(':')[1];
  const cell = (method: string, skew: string, metric: string): string => {
    const r = rows.find((x) => x.method === method && x.skew === skew && x.metric === metric);
    if (!r) return '';
    if (r.delta === null) return fixed(r.mean, 3);
    return signed(r.delta) + (r.significant ? '*' : '');
  };
  const last = skews[skews.length - 1];
  const tailSkews = skews.slice(1);
  const columns: Array<[string, (m: string) => string]> = [
    ...skews.map((s, i): [string, (m: string) => string] => [i === 0 ? `macro-F1 IF ${imbalance(s)}` : `IF ${imbalance(s)}`, (m) => cell(m, s, 'macro_f1')]),
    ...tailSkews.map((s, i): [string, (m: string) => string] => [i === 0 ? `tail-F1 IF ${imbalance(s)}` : `IF ${imbalance(s)}`, (m) => cell(m, s, 'tail_f1')]),
    [`tuned macro-F1 IF ${imbalance(last)}`, (m) => cell(m, last, 'macro_f1_tuned')],
    [`mAP IF ${imbalance(last)}`, (m) => cell(m, last, 'map')],
    [
      'train s/trial',
      (m) => {
        const t = rows.filter((x) => x.method === m && x.metric === 'train_seconds');
        return fixed(t.reduce((s, x) => s + x.mean, 0) / t.length, 1);
      },
    ],
  ];
  const header = `| method | ${columns.map((c) => c[0]).join(' | ')} |\n|---|${columns.map(() => '---:').join('|')}|`;
  const body = methods.map((m) => `| ${m} | ${columns.map((c) => c[1](m)).join(' | ')} |`).join('\n');
  // How far apart two methods must be to be told apart: the half-widths of the Δ macro-F1 intervals.
  const halfWidths = parseCsv(readText(file, 'the summary table'), file, ['metric', 'delta_ci_low', 'delta_ci_high'])
    .filter((r) => r.string('metric') === 'macro_f1' && r.optionalNumber('delta_ci_low') !== null)
    .map((r) => (r.number('delta_ci_high') - r.number('delta_ci_low')) / 2)
    .sort((a, b) => a - b);
  const middle = halfWidths.length % 2 ? halfWidths[(halfWidths.length - 1) / 2] : (halfWidths[halfWidths.length / 2 - 1] + halfWidths[halfWidths.length / 2]) / 2;
  return (
    `${manifest.trials.length} trials (${skews.length} skews × ${methods.length} methods × ${manifest.spec.seeds.length} seeds) in ${grouped(manifest.wallSeconds)} s of wall time. ` +
    `The median half-width of a method's Δ macro-F1 interval is ${fixed(middle, 3)} (${fixed(halfWidths[0], 3)}–${fixed(halfWidths[halfWidths.length - 1], 3)}).\n\n` +
    `${header}\n${body}`
  );
};

/** Per method, the range of its paired Δ over the imbalance factors, metric by metric. */
const publishedFindings: Renderer = (root) => {
  const file = join(root, 'results/full/summary.csv');
  if (!existsSync(file)) return null;
  const rows = readSummary(file).filter((r) => r.delta !== null);
  const methods = [...new Set(rows.map((r) => r.method))];
  const metrics: Array<[string, string]> = [
    ['macro_f1', 'macro-F1'],
    ['tail_f1', 'tail-F1'],
    ['head_f1', 'head-F1'],
    ['macro_f1_tuned', 'tuned macro-F1'],
    ['map', 'mAP'],
    ['train_images', 'training images'],
    ['total_seconds', 's per trial'],
  ];
  return methods
    .map((m) => {
      const parts = metrics.map(([metric, name]) => {
        const d = rows.filter((r) => r.method === m && r.metric === metric);
        const lo = Math.min(...d.map((r) => r.delta!));
        const hi = Math.max(...d.map((r) => r.delta!));
        const digits = metric === 'train_images' ? 0 : metric === 'total_seconds' ? 1 : 3;
        const range = lo === hi ? signed(lo, digits) : `${signed(lo, digits)} to ${signed(hi, digits)}`;
        return `${name} ${range} (${d.filter((r) => r.significant).length}/${d.length} significant)`;
      });
      return `- \`${m}\`: ${parts.join('; ')}`;
    })
    .join('\n');
};

const benchLabels: Renderer = (root) => {
  const file = join(root, 'results/bench/labels.json');
  if (!existsSync(file)) return null;
  const r = JSON.parse(readFileSync(file, 'utf8')) as LabelsBenchView & { machine: Machine };
  const rows = r.rows.map((x) => `| ${x.task} | ${ms(x.meanMs)} | ${ms(x.minMs)} | ${ms(x.maxMs)} | ${x.targetMs === null ? '' : `< ${grouped(x.targetMs)} ms ${x.meanMs <= x.targetMs ? '✓' : '✗'}`} |`);
  return (
    `${grouped(r.images)} images × ${r.labels} labels, ${r.cardinality.toFixed(1)} labels per image, MeanIR ${r.meanIR.toFixed(1)}; the matrix takes ${r.matrixMB.toFixed(1)} MB. ${machineLine(r.machine)}\n\n` +
    `| task | mean | min | max | target |\n|---|---:|---:|---:|---:|\n${rows.join('\n')}`
  );
};

const benchData: Renderer = (root) => {
  const file = join(root, 'results/bench/data.json');
  if (!existsSync(file)) return null;
  const r = JSON.parse(readFileSync(file, 'utf8')) as DataBenchView & { machine: Machine };
  const rows = r.rows.map((x) => {
    const rate = x.imagesPerSecond === null ? '' : ` = ${grouped(x.imagesPerSecond)} images/s`;
    return `| ${x.task} | ${ms(x.meanMs)}${rate} | ${ms(x.minMs)} | ${ms(x.maxMs)} | ${x.target ?? ''}${x.met === null ? '' : x.met ? ' ✓' : ' ✗'} |`;
  });
  return (
    `${r.dataset} ${r.skew}: train ${grouped(r.images.train)}, val ${grouped(r.images.val)}, test ${grouped(r.images.test)} images; the Fashion-MNIST items hold ${r.fashionCacheMB.toFixed(1)} MB. ${machineLine(r.machine)}\n\n` +
    `| task | mean | min | max | target |\n|---|---|---|---|---|\n${rows.join('\n')}`
  );
};

const benchFolder: Renderer = (root) => {
  const file = join(root, 'results/bench/folder.json');
  if (!existsSync(file)) return null;
  const r = JSON.parse(readFileSync(file, 'utf8')) as FolderBenchView & { machine: Machine };
  const rows = r.rows.map((x) => `| ${x.task} | ${ms(x.meanMs)} | ${x.perImageMs.toFixed(3)} ms | ${grouped(x.imagesPerSecond)} | ${ms(x.minMs)} | ${ms(x.maxMs)} |`);
  return (
    `${grouped(r.images)} RGB PNGs of ${r.width}×${r.height} (${r.pngMB.toFixed(1)} MB on disk; the decode cache file holds ${r.cacheMB.toFixed(1)} MB), read at ${r.height}×${r.width}×${r.channels}. ${machineLine(r.machine)}\n\n` +
    `| task | mean | per image | images/s | min | max |\n|---|---:|---:|---:|---:|---:|\n${rows.join('\n')}`
  );
};

interface ThroughputRow {
  model: string;
  imagesPerSecond: number;
}

interface TrainingComparison {
  name: string;
  title: string;
  a: { label: string; command: string };
  b: { label: string; command: string };
  pairs: Array<{ pair: number; a: ThroughputRow[]; b: ThroughputRow[] }>;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Every pair of every training comparison (skewbench against PyTorch, two threads against one), with each pair's ratio and the medians. */
const benchTraining: Renderer = (root) => {
  const file = join(root, 'results/bench/training.json');
  if (!existsSync(file)) return null;
  const r = JSON.parse(readFileSync(file, 'utf8')) as { machine: Machine; configurations: TrainingComparison[] };
  const sections = r.configurations.map((c) => {
    const models = [...new Set(c.pairs.flatMap((p) => p.a.map((x) => x.model)))];
    const ratio = (p: TrainingComparison['pairs'][number], m: string): number | null => {
      const a = p.a.find((x) => x.model === m);
      const b = p.b.find((x) => x.model === m);
      return a && b ? a.imagesPerSecond / b.imagesPerSecond : null;
    };
    const rows = c.pairs.flatMap((p) =>
      models.map((m) => {
        const q = ratio(p, m);
        const a = p.a.find((x) => x.model === m);
        const b = p.b.find((x) => x.model === m);
        return `| ${p.pair} | ${m.toUpperCase()} | ${a ? grouped(a.imagesPerSecond) : ''} | ${b ? grouped(b.imagesPerSecond) : ''} | ${q === null ? '' : q.toFixed(2)} |`;
      }),
    );
    const medians = models.map((m) => {
      const qs = c.pairs.map((p) => ratio(p, m)).filter((q): q is number => q !== null);
      return qs.length ? `${m.toUpperCase()} **${median(qs).toFixed(3)}×** (${Math.min(...qs).toFixed(2)}–${Math.max(...qs).toFixed(2)} over ${qs.length} pairs)` : '';
    });
    return (
      `**${c.title}.** \`${c.a.command}\` then \`${c.b.command}\`, images per second:\n\n` +
      `| pair | model | ${c.a.label} | ${c.b.label} | ratio |\n|---|---|---:|---:|---:|\n${rows.join('\n')}\n\n` +
      `Median ratio: ${medians.filter(Boolean).join('; ')}.`
    );
  });
  return `${machineLine(r.machine)}\n\n${sections.join('\n\n')}`;
};

/** Paired Δs of `metric` for the methods named, over every skew. */
function deltas(rows: SummaryRow[], methods: readonly string[], metric: string): number[] {
  return rows.filter((r) => methods.includes(r.method) && r.metric === metric && r.delta !== null).map((r) => r.delta!);
}

/** "lo to hi" of the values, signed, at `digits` decimals (negated first when `drop`: a fall as a positive size). */
function spread(values: number[], digits: number, drop = false): string {
  const v = drop ? values.map((x) => -x) : values;
  const show = (n: number) => (drop ? fixed(n, digits) : signed(n, digits));
  return `${show(Math.min(...v))} to ${show(Math.max(...v))}`;
}

/** Items as a sentence lists them: "a", "a and b", "a, b and c". */
const inWords = (items: string[]): string => (items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : items.join(''));

/**
 * The figures in the README's reading of results/full ("What this says"), computed from its
 * summary table and manifest; the sentences around them are the reading of these results.
 */
const resultsReading: Renderer = (root) => {
  const file = join(root, 'results/full/summary.csv');
  if (!existsSync(file)) return null;
  const all = readSummary(file);
  const rows = all.filter((r) => r.delta !== null);
  const manifest = JSON.parse(readFileSync(join(root, 'results/full/manifest.json'), 'utf8')) as { wallSeconds: number };
  const skews = [...new Set(rows.map((r) => r.skew))];
  const imbalances = (list: string[]): string => `IF ${inWords(list.map((skew) => skew.split(':')[1]))}`;
  // training images per method and skew, and the skews at which a method's set is the largest of all
  const images = (method: string, skew: string) => all.find((r) => r.method === method && r.metric === 'train_images' && r.skew === skew)?.mean ?? NaN;
  const largestAt = (method: string) =>
    skews.filter((skew) => all.filter((r) => r.metric === 'train_images' && r.skew === skew).every((r) => r.method === method || r.mean < images(method, skew)));
  const heuristicLargest = largestAt('seed-heuristic');
  const targetedLargest = largestAt('targeted');
  const highest = skews[skews.length - 1];
  const at = (method: string, metric: string, skew: string) => rows.find((r) => r.method === method && r.metric === metric && r.skew === skew)?.delta ?? NaN;
  const thresholdFree = ['balanced-binary', 'pos-weight'];
  const drw = ['drw-effective-number'];
  const drwLevel = Math.max(...[...deltas(rows, drw, 'macro_f1'), ...deltas(rows, drw, 'map')].map(Math.abs));
  return `- **Weighting the positive term against the negative one lifts rare labels most at the default
  threshold.** \`balanced-binary\` and \`pos-weight\` raise macro-F1 by ${spread(deltas(rows, thresholdFree, 'macro_f1'), 2)} and tail-F1 by ${spread(deltas(rows, thresholdFree, 'tail_f1'), 2)}.
  But tuned macro-F1 (each label's threshold chosen on validation) and mAP move little (at most
  ${signed(Math.max(...deltas(rows, thresholdFree, 'macro_f1_tuned')))} and ${signed(Math.max(...deltas(rows, thresholdFree, 'map')))}): most of the gain is the operating point — rare labels' scores now cross 0.5 — which
  a per-label threshold gets from the baseline too.
- **Methods that also improve the ranking**: \`asymmetric\` (ASL), \`class-aware\` sampling,
  \`distribution-balanced\` and \`square-root\` sampling raise mAP and tuned macro-F1 significantly at (almost)
  every imbalance; class-aware sampling has the largest mAP gain at IF ${highest.split(':')[1]} (${signed(at('class-aware', 'map', highest))}), ASL the largest tuned
  macro-F1 gain (${signed(Math.max(...deltas(rows, ['asymmetric'], 'macro_f1_tuned')))}). Focal loss gives smaller, consistent gains.
- **Online resampling beats materialised copies.** Drawn online, repeat-factor sampling raises tail-F1 by
  ${spread(deltas(rows, ['repeat-factor-online'], 'tail_f1'), 2)} and macro-F1 at IF 50 and 100, while the \`rfs\` plan, which gives the same images in
  expectation as augmented copies, changes neither macro-F1 nor tail-F1 significantly. Class-aware and
  square-root sampling do better still. The copies of a plan are drawn once and augmented; the sampler redraws every epoch and
  shows rare images as they are.
- **Augmentation is what hurts the oversampling plans here.** With every image augmented afresh each epoch
  (\`online-augment\`, the baseline otherwise unchanged) macro-F1 drops by ${spread(deltas(rows, ['online-augment'], 'macro_f1'), 2, true)} and mAP by ${spread(deltas(rows, ['online-augment'], 'map'), 2, true)}:
  rotations up to 72°, zoom and brightness shifts make training images unlike the upright test
  mosaics, and 5 epochs are too few to learn the invariance. The augmented copies of the plans likely
  carry part of that cost: \`targeted\` (${grouped(Math.min(...skews.map((k) => images('targeted', k))))} to ${grouped(Math.max(...skews.map((k) => images('targeted', k))))} training images against the baseline's ${grouped(Math.min(...skews.map((k) => images('baseline', k))))} to ${grouped(Math.max(...skews.map((k) => images('baseline', k))))}${targetedLargest.length > 0 ? `, the most of all at ${imbalances(targetedLargest)}` : ''}) lowers head-F1 and mAP at every imbalance,
  \`ml-ros\` and \`lp-ros\` lower mAP at two of three.
- **Schemes that put the same weight on both terms hurt.** \`inverse-frequency\` and \`effective-number\`
  lower macro-F1, head-F1 and mAP at IF 50 and 100: weighting a rare label's many negatives as heavily as
  its few positives pushes its scores down, not up. Deferring the same effective-number weights to the
  last 20 % of the steps (\`drw-effective-number\`) removes that harm (macro-F1 and mAP within ±${fixed(Math.ceil(drwLevel * 1000) / 1000, 3)} of the
  baseline) and keeps a small tail-F1 gain (${spread(deltas(rows, drw, 'tail_f1'), 3)}).
- **Decoupled classifier re-training loses here**: re-drawing the classifier and re-training it alone for
  one epoch with class-aware sampling gives lower macro-F1 and mAP than the baseline at every imbalance;
  the fresh head does not recover the baseline's ranking in that budget.
- **The seed pipeline's heuristic is the worst oversampling plan at every imbalance**, and with online
  augmentation and cRT among the three worst methods. It copies images by how many labels they carry, not
  by rarity, ${heuristicLargest.length > 0 ? `grows the set the most at ${imbalances(heuristicLargest)} (to ${inWords(heuristicLargest.map((k) => grouped(images('seed-heuristic', k))))} training images)` : 'grows the set'}, and spends the most time on planning and augmentation, for nothing.
- **Time**: every method trains the same number of steps (cRT adds its second stage, timed separately in
  \`retrain_seconds\`). On this shared machine a trial's time varies more from run to run than between
  methods; \`trials.csv\` has each trial's \`plan_seconds\`, the time oversampling adds. The whole grid took
  ${Math.round(manifest.wallSeconds / 60)} minutes with \`--workers 2\`.

**Against the published pattern.** On CIFAR-10-LT (BagofTricks-LT, ResNet-32, top-1 error at imbalance
100 / 50) cross-entropy scores 30.12 / 24.81 and class-balanced focal loss 26.83 / 21.71, and deferred
re-weighting is among the strongest single tricks. Here the class-balanced (effective-number) weights
*hurt*, and deferring them only removes the harm: that part disagrees. The likely reason is the setting:
this is multi-label classification with a sigmoid per label, where each label's own positive/negative
imbalance dominates, and the schemes that address it (pos-weight, balanced-binary, ASL, class-aware
sampling) are the ones that help; CIFAR-10-LT is single-label with a softmax. On VOC-MLT, Wu et al.
report 78.94 mAP for the distribution-balanced loss, above plain BCE in the same paper; here the
distribution-balanced loss also improves on BCE (mAP ${spread(deltas(rows, ['distribution-balanced'], 'map'), 3)}, macro-F1 ${spread(deltas(rows, ['distribution-balanced'], 'macro_f1'), 2)}), in the
same direction but by less, and below class-aware sampling and ASL in mAP. (Their result also trains with
class-aware sampling, which the \`distribution-balanced\` row here does not.)`;
};

/** One run of `skewbench bench gemm --json`. */
interface GemmRun {
  machine: Machine;
  multiplyAdd: string;
  clock: string;
  peakGflops: number;
  repetitions: number;
  rows: Array<{ name: string; count?: number; M: number; K: number; N: number; transposeA: boolean; transposeB: boolean; biasRelu: boolean; gflops: number; shareOfPeak: number }>;
}

/**
 * The project GEMM's rate on square and convolution shapes, as a share of one core's measured
 * multiply-add peak: every run `npm run bench:gemm` made, each case's median over the runs and its
 * lowest and highest share.
 */
const benchGemm: Renderer = (root) => {
  const file = join(root, 'results/bench/gemm.json');
  if (!existsSync(file)) return null;
  const { command, runs } = JSON.parse(readFileSync(file, 'utf8')) as { command: string; runs: GemmRun[] };
  const first = runs[0];
  const rows = first.rows.map((r, i) => {
    const form = [r.transposeA ? 'Aᵀ' : '', r.transposeB ? 'Bᵀ' : '', r.biasRelu ? '+ bias, ReLU' : ''].filter(Boolean).join(', ');
    const shape = `${grouped(r.M)} × ${grouped(r.K)} × ${grouped(r.N)}${form ? ` (${form})` : ''}`;
    const shares = runs.map((run) => run.rows[i].shareOfPeak * 100);
    const gflops = median(runs.map((run) => run.rows[i].gflops));
    return `| ${r.name} | ${(r.count ?? 1) > 1 ? `${r.count} × ${shape}` : shape} | ${gflops.toFixed(1)} | ${Math.round(median(shares))} % | ${Math.round(Math.min(...shares))}–${Math.round(Math.max(...shares))} % | ${shares.filter((x) => x >= 75).length} of ${runs.length} |`;
  });
  const peaks = runs.map((run) => run.peakGflops.toFixed(1)).join(', ');
  return (
    `${machineLine(first.machine)} ${runs.length} runs of \`${command}\`, one after the other. Peak of each run: ${peaks} GFLOP/s of independent \`${first.multiplyAdd}\` on one core. In a run each case is the median of ${first.repetitions} repetitions, timed by ${first.clock}, and each repetition follows a sample of the peak's probe: its share of peak is the median of those paired ratios, so a change in the core's speed between cases does not move it (a slowdown that hits memory and not the probe, which touches none, still does). The table gives each case's median over the runs, the lowest and highest share, and in how many runs it held 75 %.\n\n` +
    `| case | products: M × K × N | GFLOP/s | share of peak | lowest–highest | runs ≥ 75 % |\n|---|---|---:|---:|---:|---:|\n${rows.join('\n')}`
  );
};

/** Peak resident memory of one folder trial on one and two threads (scripts/measure-memory.ts). */
const benchMemory: Renderer = (root) => {
  const file = join(root, 'results/bench/memory.json');
  if (!existsSync(file)) return null;
  const m = JSON.parse(readFileSync(file, 'utf8')) as { machine: Machine; command: string; images: number; imageShape: number[]; suite: { model: string; skews: string[]; train: { epochs: number } }; runs: Array<{ threads: number; peakRssMB: number; seconds: number }> };
  const rows = m.runs.map((r) => `| ${r.threads} | ${grouped(Math.round(r.peakRssMB))} MB | ${r.seconds.toFixed(1)} s |`);
  return (
    `One \`${m.suite.model}\` trial (${m.suite.train.epochs} epochs, skew ${m.suite.skews.join(', ')}) on a folder of ${grouped(m.images)} ${m.imageShape.join('×')} PNGs, decoding included. ${machineLine(m.machine)} Command: \`${m.command}\`.\n\n` +
    `| threads | peak resident memory | wall time |\n|---:|---:|---:|\n${rows.join('\n')}`
  );
};

/** The part of `results/calibration/verdicts.json` the README shows. */
interface CalibrationView {
  suite: string;
  design: { sizes: number[]; note: string };
  results: Array<{
    condition: string;
    kind: string;
    description: string;
    seeds: number;
    draws: number;
    pass: number;
    failRate: number;
    /** Each draw's seeds, outcome and the rows it flagged (`summary:<method>:<metric>` or `per-label:<method>:<label>`). */
    raw: Array<{ flagged: string[] }>;
  }>;
}

/** What a condition's failed draws flagged, most often first: "oversample tail_ap 8×, oversample/Coat 1×". */
function flaggedCounts(raw: Array<{ flagged: string[] }>): string {
  const counts = new Map<string, number>();
  for (const draw of raw) for (const f of draw.flagged) counts.set(f, (counts.get(f) ?? 0) + 1);
  const name = (f: string) => {
    const [kind, method, what] = f.split(':');
    return kind === 'summary' ? `${method} ${what}` : `${method}/${what}`;
  };
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([f, n]) => `${name(f)} ${n}×`).join(', ');
}

const percent = (x: number): string => `${(Math.round(x * 1000) / 10).toFixed(1)} %`;

/** The regression gate's calibration: the share of comparisons it fails, per condition and seed count. */
const calibration: Renderer = (root) => {
  const file = join(root, 'results/calibration/verdicts.json');
  if (!existsSync(file)) return null;
  const c = JSON.parse(readFileSync(file, 'utf8')) as CalibrationView;
  const sizes = c.design.sizes;
  const lines = [
    `Measured by \`npm run calibrate\` on the ${c.suite} suite (${c.design.note}; the raw verdicts are in \`results/calibration/verdicts.json\`). Share of comparisons the gate fails — a false alarm for the first two rows, the power for the others:`,
    '',
    `| change | kind | ${sizes.map((k) => `${k} seeds`).join(' | ')} |`,
    `|---|---|${sizes.map(() => '---:').join('|')}|`,
  ];
  for (const name of [...new Set(c.results.map((r) => r.condition))]) {
    const rows = c.results.filter((r) => r.condition === name);
    const cell = (k: number) => {
      const r = rows.find((x) => x.seeds === k);
      return r ? `${percent(r.failRate)} (${r.draws - r.pass}/${r.draws})` : '—';
    };
    lines.push(`| ${rows[0].description} | ${rows[0].kind === 'regression' ? 'power' : 'false alarm'} | ${sizes.map(cell).join(' | ')} |`);
  }
  // a false-alarm rate over overlapping draws can be one borderline row counted many times: name them
  const alarms = c.results.filter((r) => r.kind !== 'regression' && r.pass < r.draws);
  if (alarms.length > 0) {
    lines.push('', `What the false alarms flagged (a row counted once per draw that flagged it): ${alarms.map((r) => `${r.description.split(' (')[0]}, ${r.seeds} seeds: ${flaggedCounts(r.raw)}`).join('; ')}.`);
  }
  return lines.join('\n');
};

/** The folder transfer experiment: from scratch vs linear probe vs fine-tuning a pretrained backbone. */
const folderTransfer: Renderer = (root) => {
  const dir = join(root, 'results/folder-transfer');
  if (!existsSync(join(dir, 'summary.csv'))) return null;
  const summary = readSummary(join(dir, 'summary.csv'));
  const perLabel = parseCsv(readText(join(dir, 'per_label_summary.csv'), 'the per-label summary'), join(dir, 'per_label_summary.csv'), ['method', 'label', 'train_count', 'metric', 'mean']).map((r) => ({
    method: r.string('method'),
    label: r.string('label'),
    trainCount: r.number('train_count'),
    metric: r.string('metric'),
    mean: r.number('mean'),
    delta: r.optionalNumber('delta_mean'),
    significant: r.optionalString('significant') === 'true',
  }));
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    wallSeconds: number;
    trials: unknown[];
    startedAt: string;
    runtime: { node: string; cpus: number; cpuModel: string };
    spec: { seeds: number[]; evaluation: { groups: { tail: number } }; model: unknown; methods: Array<{ name: string; model?: unknown }> };
  };
  const { runtime } = manifest;
  const modelOf = (method: string): string => {
    const model = manifest.spec.methods.find((m) => m.name === method)?.model ?? manifest.spec.model;
    if (typeof model === 'string') return `\`${model}\``;
    const m = model as { layers?: string; freeze?: unknown; pretrained?: boolean };
    const how = m.pretrained === false ? 'from scratch' : m.freeze === 'backbone' ? 'pretrained, frozen (linear probe)' : 'pretrained, all layers trained';
    return `backbone, ${how}`;
  };
  const pretrainingFile = join(root, 'models/fashion-backbone/pretraining.json');
  const pretraining = existsSync(pretrainingFile)
    ? (JSON.parse(readFileSync(pretrainingFile, 'utf8')) as { data: string; parameters: number; epochs: number; heldOutMeanAp: number; seconds: number; backend: string })
    : undefined;
  const methods = [...new Set(summary.map((r) => r.method))];
  const rarest = [...new Map(perLabel.filter((r) => r.method === methods[0]).map((r) => [r.label, r.trainCount])).entries()].sort((a, b) => a[1] - b[1]).slice(0, 3);
  const show = (mean: number | undefined, delta: number | null | undefined, significant: boolean | undefined): string =>
    mean === undefined ? '' : delta === null || delta === undefined ? fixed(mean, 3) : `${fixed(mean, 3)} (${signed(delta)}${significant ? '*' : ''})`;
  const metricCell = (m: string, metric: string): string => {
    const r = summary.find((x) => x.method === m && x.metric === metric);
    return r ? show(r.mean, r.delta, r.significant) : '';
  };
  const labelCell = (m: string, label: string): string => {
    const at = (metric: string) => perLabel.find((x) => x.method === m && x.label === label && x.metric === metric);
    const [f1, tuned] = [at('f1'), at('f1_tuned')];
    return f1 && tuned ? `${fixed(f1.mean, 3)} · ${show(tuned.mean, tuned.delta, tuned.significant)}` : '';
  };
  const seconds = (m: string, metric: string): string => {
    const r = summary.find((x) => x.method === m && x.metric === metric);
    return r ? fixed(r.mean, 1) : '';
  };
  const header = `| method | model | macro-F1 | mAP | tail-F1 | ${rarest.map(([l, n]) => `"${l}" (${grouped(n)} train): F1 · tuned F1`).join(' | ')} | train s | total s |`;
  const rule = `|---|---|${['', '', '', ...rarest, '', ''].map(() => '---:').join('|')}|`;
  const rows = methods.map((m) => `| ${m} | ${modelOf(m)} | ${metricCell(m, 'macro_f1')} | ${metricCell(m, 'map')} | ${metricCell(m, 'tail_f1')} | ${rarest.map(([l]) => labelCell(m, l)).join(' | ')} | ${seconds(m, 'train_seconds')} | ${seconds(m, 'total_seconds')} |`);
  return [
    ...(pretraining
      ? [
          `The backbone: ${grouped(pretraining.parameters)} parameters, pretrained for ${pretraining.epochs} epochs on ${pretraining.data} in ${grouped(pretraining.seconds)} s (${pretraining.backend}); held-out mAP ${fixed(pretraining.heldOutMeanAp, 3)}.`,
          '',
        ]
      : []),
    `Run on ${manifest.startedAt.slice(0, 10)}: ${runtime.cpuModel}, ${runtime.cpus} cores, Node ${runtime.node.replace(/^v/, '')}; ${manifest.trials.length} trials (${methods.length} methods × ${manifest.spec.seeds.length} seeds) in ${grouped(manifest.wallSeconds)} s of wall time. Means over seeds; in brackets the paired Δ against \`${methods[0]}\` (\`*\`: its 95 % interval excludes 0). F1 at the threshold 0.5, and tuned F1 at each label's threshold chosen on the validation split; the tail is the labels with fewer than ${manifest.spec.evaluation.groups.tail} training images; seconds per trial.`,
    '',
    header,
    rule,
    ...rows,
  ].join('\n');
};

/** Every rendered block of the README, by name. */
export const README_BLOCKS: Record<string, Renderer> = {
  'published-results': publishedResults,
  'published-findings': publishedFindings,
  'results-reading': resultsReading,
  'bench-labels': benchLabels,
  'bench-data': benchData,
  'bench-folder': benchFolder,
  'bench-training': benchTraining,
  'bench-gemm': benchGemm,
  'bench-memory': benchMemory,
  calibration,
  'folder-transfer': folderTransfer,
};

/** The README with every block whose source exists rendered afresh. A block without markers is an error. */
export function renderReadme(readme: string, root: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(README_BLOCKS)) {
    const open = `<!-- rendered:${name} -->`;
    const close = `<!-- /rendered:${name} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) throw new InputError(`README.md: no ${open} … ${close} block`);
    const text = render(root);
    if (text === null) continue;
    out = `${out.slice(0, start + open.length)}\n${text}\n${out.slice(end)}`;
  }
  return out;
}
