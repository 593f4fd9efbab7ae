import { num, table } from './format.js';

/*
 * The benchmark tables. They read the benchmarks' result rows structurally, so this room needs
 * nothing of bench/ (which loads tfjs).
 */

interface TimedRow {
  task: string;
  meanMs: number;
  minMs: number;
  maxMs: number;
  samples: number;
}

export interface LabelsBenchView {
  images: number;
  labels: number;
  cardinality: number;
  meanIR: number;
  matrixMB: number;
  rows: Array<TimedRow & { targetMs: number | null }>;
}

export function formatLabelsBench(result: LabelsBenchView): string {
  return (
    `${result.images} images × ${result.labels} labels, ${num(result.cardinality, 2)} labels/image, MeanIR ${num(result.meanIR, 1)}, matrix ${num(result.matrixMB, 1)} MB\n` +
    table(
      ['task', 'mean ms', 'min ms', 'max ms', 'runs', 'target ms', 'met'],
      result.rows.map((r) => [r.task, num(r.meanMs, 1), num(r.minMs, 1), num(r.maxMs, 1), r.samples, r.targetMs ?? '—', r.targetMs === null ? '—' : r.meanMs <= r.targetMs ? 'yes' : 'NO']),
    ) +
    '\n'
  );
}

export interface DataBenchView {
  dataset: string;
  skew: string;
  images: { train: number; val: number; test: number };
  fashionCacheMB: number;
  fashionLoadMemoryMB: number;
  rows: Array<TimedRow & { imagesPerSecond: number | null; target: string | null; met: boolean | null }>;
}

export function formatDataBench(result: DataBenchView): string {
  return (
    `${result.dataset} ${result.skew}: train ${result.images.train}, val ${result.images.val}, test ${result.images.test} images; ` +
    `Fashion-MNIST items ${num(result.fashionCacheMB, 1)} MB in memory (cold load grew heap + buffers by ${num(result.fashionLoadMemoryMB, 1)} MB)\n` +
    table(
      ['task', 'mean ms', 'min ms', 'max ms', 'runs', 'images/s', 'target', 'met'],
      result.rows.map((r) => [r.task, num(r.meanMs, 1), num(r.minMs, 1), num(r.maxMs, 1), r.samples, r.imagesPerSecond === null ? '—' : Math.round(r.imagesPerSecond), r.target ?? '—', r.met === null ? '—' : r.met ? 'yes' : 'NO']),
    ) +
    '\n'
  );
}

export interface FolderBenchView {
  images: number;
  height: number;
  width: number;
  channels: number;
  pngMB: number;
  cacheMB: number;
  rows: Array<TimedRow & { perImageMs: number; imagesPerSecond: number }>;
}

export function formatFolderBench(result: FolderBenchView): string {
  return (
    `${result.images} images, ${result.height}×${result.width}×${result.channels}: ${num(result.pngMB, 1)} MB of PNG, decode cache ${num(result.cacheMB, 1)} MB\n` +
    table(
      ['task', 'mean ms', 'min ms', 'max ms', 'runs', 'ms/image', 'images/s'],
      result.rows.map((r) => [r.task, num(r.meanMs, 1), num(r.minMs, 1), num(r.maxMs, 1), r.samples, num(r.perImageMs, 3), Math.round(r.imagesPerSecond)]),
    ) +
    '\n'
  );
}
