/* `skewbench/report`: charts (vega-lite, sharp for PNG), predictions files and the dataset tables. */
export { writeCharts, renderCharts, CHART_FILES, type RenderedChart } from './charts.js';
export { perLabelF1Spec, deltaSpec } from './chart-specs.js';
export { writePredictions, readPredictions, type Predictions } from './predictions.js';
export { formatDataset } from './dataset.js';
export { renderContactSheet } from './preview.js';
export { reportHtml, writeHtmlReport, REPORT_FILE, type ReportInput } from './html.js';
export { buildHistory, readHistoryRuns, formatHistory, historyHtml, stepBetween, type History, type HistoryRun } from './history.js';
export { gateReport, formatJunit, formatGithub, type GateReport, type GateRow, type RowVerdict } from './ci-formats.js';
