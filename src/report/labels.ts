import type { LabelStats } from '../labels/stats.js';
import type { LabelWeights } from '../labels/weights.js';
import type { OversamplingPlan } from '../labels/oversample.js';
import { num, table } from './format.js';

export function formatLabelStats(stats: LabelStats): string {
  const labels = table(
    ['label', 'count', 'share', 'IRLbl', 'group'],
    stats.labels.map((l) => [l.name, l.count, num(l.share), num(l.irlbl, 2), l.group]),
  );
  const dataset = table(
    ['images', 'cardinality', 'density', 'labelsets', 'MeanIR', 'MaxIR', 'CVIR', 'SCUMBLE'],
    [[stats.images, num(stats.cardinality), num(stats.density), stats.labelsets, num(stats.meanIR, 2), num(stats.maxIR, 2), num(stats.cvIR), num(stats.scumble)]],
  );
  return [labels, dataset, ...stats.warnings.map((w) => `warning: ${w}`)].join('\n');
}

export function labelStatsJson(stats: LabelStats): object {
  const { warnings: _warnings, ...rest } = stats;
  return rest;
}

export function formatWeights(w: LabelWeights, names: readonly string[]): string {
  const t = table(
    ['label', 'count', 'pos weight', 'neg weight'],
    names.map((name, l) => [name, w.counts[l], num(w.pos[l], 4), num(w.neg[l], 4)]),
  );
  return [`scheme: ${w.scheme}`, t, ...w.warnings.map((m) => `warning: ${m}`)].join('\n');
}

export function weightsJson(w: LabelWeights, names: readonly string[]): object {
  return { scheme: w.scheme, labels: names.map((name, l) => ({ name, count: w.counts[l], pos: w.pos[l], neg: w.neg[l] })) };
}

export function formatPlan(plan: OversamplingPlan, names: readonly string[]): string {
  const t = table(
    ['label', 'before', 'after', 'growth'],
    names.map((name, l) => [name, plan.before[l], plan.after[l], plan.before[l] > 0 ? `×${num(plan.after[l] / plan.before[l], 2)}` : '—']),
  );
  const summary = `${plan.method}: ${plan.images} images + ${plan.added} copies = ${plan.images + plan.added} (×${num(plan.images > 0 ? (plan.images + plan.added) / plan.images : 1, 2)})`;
  return [summary, t, ...plan.warnings.map((m) => `warning: ${m}`)].join('\n');
}

export function planJson(plan: OversamplingPlan, names: readonly string[]): object {
  const copies: Array<[number, number]> = [];
  plan.copies.forEach((c, i) => {
    if (c > 0) copies.push([i, c]);
  });
  return {
    method: plan.method,
    images: plan.images,
    added: plan.added,
    labels: names.map((name, l) => ({ name, before: plan.before[l], after: plan.after[l] })),
    copies,
  };
}

