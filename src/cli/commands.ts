import type { Command } from 'commander';
import { registerBench } from './bench.js';
import { registerRun } from './run.js';
import { registerMerge } from './merge.js';
import { registerStats } from './stats.js';
import { registerWeights } from './weights.js';
import { registerPlan } from './plan.js';
import { registerDataset } from './dataset.js';
import { registerPreview } from './preview.js';
import { registerCompare } from './compare.js';
import { registerReport } from './report.js';

/** Every CLI command registers itself here: one file per command, one line in this list. */
export const commands: Array<(program: Command) => void> = [
  registerRun,
  registerMerge,
  registerStats,
  registerWeights,
  registerPlan,
  registerDataset,
  registerPreview,
  registerCompare,
  registerReport,
  registerBench,
];
