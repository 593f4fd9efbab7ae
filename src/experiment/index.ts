/* `skewbench/experiment`: run a suite (workers, shards, resume), one trial, and merge shards. */
export { runSuite, RunInterrupted, type RunOptions, type RunEvent, type RunResult } from './runner.js';
export { runTrial, lastDataCache, type TrialOutcome, type TrialHooks, type DataSource } from './trial.js';
export { mergeResults } from './merge.js';
export { loadSpec, parseSpec, type ResolvedSpec, type SuiteSpecInput, type MethodSpec } from './spec.js';
export { expandGrid, selectShard, parseShard, type Trial, type TrialConfig, type Shard } from './grid.js';
