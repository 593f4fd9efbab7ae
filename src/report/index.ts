/* `skewbench/report`: charts (vega-lite, sharp for PNG), predictions files and the dataset tables. */
export { writeCharts, renderCharts, CHART_FILES, type RenderedChart } from './charts.js';
export { perLabelF1Spec, deltaSpec } from './chart-specs.js';
export { writePredictions, readPredictions, type Predictions } from './predictions.js';
export { formatDataset } from './dataset.js';
export { renderContactSheet } from './preview.js';
