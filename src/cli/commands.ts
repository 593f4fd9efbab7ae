import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Every CLI command: one file in src/cli/, one line here. Each is imported only when it runs (or
 * for `--help`), so `skewbench stats` loads the label math and a CSV parser, not the whole stack.
 */
export const commands: Record<string, () => Promise<Register>> = {
  run: async () => (await import('./run.js')).registerRun,
  merge: async () => (await import('./merge.js')).registerMerge,
  stats: async () => (await import('./stats.js')).registerStats,
  weights: async () => (await import('./weights.js')).registerWeights,
  plan: async () => (await import('./plan.js')).registerPlan,
  dataset: async () => (await import('./dataset.js')).registerDataset,
  preview: async () => (await import('./preview.js')).registerPreview,
  compare: async () => (await import('./compare.js')).registerCompare,
  report: async () => (await import('./report.js')).registerReport,
  history: async () => (await import('./history.js')).registerHistory,
  calibrate: async () => (await import('./calibrate.js')).registerCalibrate,
  bench: async () => (await import('./bench.js')).registerBench,
};

/** The commands to register for these arguments: the one named, or all of them (help, a typo). */
export async function commandsFor(argv: readonly string[]): Promise<Register[]> {
  const name = argv.find((a) => !a.startsWith('-'));
  const chosen = name !== undefined && Object.hasOwn(commands, name) ? [commands[name]] : Object.values(commands);
  return Promise.all(chosen.map((load) => load()));
}
