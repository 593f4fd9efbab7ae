/* `skewbench/bench`: the label-math, data and training-throughput benchmarks; they return rows, never print. */
export { runLabelsBench, type LabelsBenchOptions, type LabelsBenchResult, type LabelsBenchRow } from './labels.js';
export { runDataBench, type DataBenchOptions, type DataBenchResult, type DataBenchRow } from './data.js';
export { benchTraining, REFERENCE_WORKLOAD, type TrainingBenchOptions, type TrainingThroughputRow } from './training.js';
