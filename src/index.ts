/*
 * skewbench's light entry: label math, metrics and seed statistics, suite specs and grids, results
 * files and the regression gate. Importing it loads neither tfjs, sharp nor vega; the heavy parts
 * are subpath entries: `skewbench/data`, `skewbench/train`, `skewbench/experiment`, `skewbench/report`
 * and `skewbench/bench`.
 */
export { InputError } from './errors.js';
export { LabelMatrix } from './labels/matrix.js';
export { createRng, type Rng } from './labels/rng.js';
export { labelStats, groupOf, DEFAULT_GROUPS, type LabelStats, type LabelStat, type LabelGroup, type GroupThresholds } from './labels/stats.js';
export { classWeights, WEIGHT_SCHEMES, type WeightScheme, type WeightOptions, type LabelWeights } from './labels/weights.js';
export { planOversampling, PLANNERS, PLAN_METHODS, type PlanMethod, type PlanOptions, type PlannerDefinition, type OversamplingPlan } from './labels/oversample.js';
export { SAMPLERS, SAMPLER_NAMES, type SamplerName, type SamplerDefinition, type SamplerOptions } from './labels/sampling.js';
export { readLabelsCsv, parseLabelsCsv, type LabelsCsvOptions } from './data/labels-csv.js';
export { evaluate, DEFAULT_THRESHOLD, type EvaluationInput, type Evaluation, type LabelMetrics, type EvaluationSummary } from './eval/evaluate.js';
export { averagePrecision, precisionRecallF1, type ConfusionCounts, type Scores } from './eval/metrics.js';
export { tuneThreshold, type TunedThreshold } from './eval/threshold.js';
export { summarizeSeeds, pairedDifference, welchInterval, type SeedSummary, type PairedDifference, type WelchInterval, type Interval } from './eval/seed-stats.js';
export { loadSpec, parseSpec, type ResolvedSpec, type SuiteSpecInput, type MethodSpec } from './experiment/spec.js';
export { expandGrid, selectShard, parseShard, type Trial, type TrialConfig, type Shard } from './experiment/grid.js';
export type { TrialRecord, TrialTimings, TrialStatus, TrialIdentity } from './records/records.js';
export { aggregate, SUMMARY_METRICS, LABEL_METRICS, type Aggregate, type AggregateOptions, type MetricStatistic, type LabelStatistic, type MethodRuns, type FailedTrial } from './report/aggregate.js';
export { readResults, writeResults, resultsDir, RESULT_FILES, TRIALS_COLUMNS, PER_LABEL_COLUMNS, type WriteResultsOptions, type WrittenResults } from './report/results.js';
export { readManifest, type Manifest } from './report/manifest.js';
export { formatSummaryTable, formatPerLabelTable, formatFailures, type TableOptions, type PerLabelTableOptions } from './report/tables.js';
export {
  compareRuns,
  compareResults,
  readComparisonSide,
  formatComparison,
  comparisonVerdict,
  COMPARE_METRICS,
  COMPARE_FORMATS,
  LABEL_FILTERS,
  DEFAULT_GATE_LEVEL,
  DEFAULT_MAX_DROP,
  DEFAULT_MIN_SEEDS,
  EXIT_CODES,
  type Comparison,
  type GateRow,
  type GateOutcome,
  type Verdict,
  type ComparisonSide,
  type ComparisonKey,
  type CompareOptions,
  type CompareMetric,
  type CompareFormat,
  type LabelFilter,
} from './report/compare.js';
