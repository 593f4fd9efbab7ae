import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/*
 * The public surface of every package entry, pinned: a change to what users can import is a
 * deliberate edit here (and in the README's API section), never a side effect.
 */
const SURFACE: Record<string, { source: string; names: string[] }> = {
  '.': {
    source: '../src/index.ts',
    names: [
      'COMPARE_FORMATS',
      'COMPARE_METRICS',
      'DEFAULT_GATE_LEVEL',
      'DEFAULT_GROUPS',
      'DEFAULT_MAX_DROP',
      'DEFAULT_MIN_SEEDS',
      'DEFAULT_THRESHOLD',
      'EXIT_CODES',
      'InputError',
      'LABEL_FILTERS',
      'LABEL_METRICS',
      'LabelMatrix',
      'PER_LABEL_COLUMNS',
      'PLANNERS',
      'PLAN_METHODS',
      'RESULT_FILES',
      'SAMPLERS',
      'SAMPLER_NAMES',
      'SUMMARY_METRICS',
      'TRIALS_COLUMNS',
      'WEIGHT_SCHEMES',
      'aggregate',
      'averagePrecision',
      'classWeights',
      'compareResults',
      'compareRuns',
      'comparisonVerdict',
      'createRng',
      'evaluate',
      'expandGrid',
      'formatComparison',
      'formatFailures',
      'formatPerLabelTable',
      'formatSummaryTable',
      'groupOf',
      'labelStats',
      'loadSpec',
      'pairedDifference',
      'parseLabelsCsv',
      'parseShard',
      'parseSpec',
      'planOversampling',
      'precisionRecallF1',
      'readComparisonSide',
      'readLabelsCsv',
      'readManifest',
      'readResults',
      'resultsDir',
      'selectShard',
      'summarizeSeeds',
      'tuneThreshold',
      'welchInterval',
      'writeResults',
    ],
  },
  './data': {
    source: '../src/data/index.ts',
    names: [
      'AUGMENTATIONS',
      'DATASET_NAMES',
      'DATASET_SOURCES',
      'DIGIT_CLASSES',
      'FASHION_CLASSES',
      'LABEL_ORDERS',
      'SPLITS',
      'augment',
      'buildDataset',
      'datasetHash',
      'describeDataset',
      'formatSkew',
      'loadEmbedded',
      'loadFolder',
      'materialize',
      'parseSkew',
      'rankOrder',
      'rankUnitName',
      'resolveDatasetOptions',
      'subsampleToProfile',
    ],
  },
  './train': {
    source: '../src/train/index.ts',
    names: [
      'BACKEND_PREFERENCES',
      'EarlyStopping',
      'LOSSES',
      'LOSS_KINDS',
      'MODEL_KINDS',
      'SCHEDULE_KINDS',
      'buildModel',
      'computeLoss',
      'createModel',
      'disposeModel',
      'elementwiseLoss',
      'lossDefinition',
      'modelFiles',
      'predict',
      'resetHead',
      'saveModel',
      'scheduleFactor',
      'selectBackend',
      'trainModel',
    ],
  },
  './experiment': {
    source: '../src/experiment/index.ts',
    names: [
      'RunInterrupted',
      'expandGrid',
      'lastDataCache',
      'loadSpec',
      'mergeResults',
      'parseShard',
      'parseSpec',
      'runSuite',
      'runTrial',
      'selectShard',
    ],
  },
  './report': {
    source: '../src/report/index.ts',
    names: [
      'CHART_FILES',
      'REPORT_FILE',
      'buildHistory',
      'deltaSpec',
      'formatDataset',
      'formatGithub',
      'formatHistory',
      'formatJunit',
      'gateReport',
      'historyHtml',
      'perLabelF1Spec',
      'readHistoryRuns',
      'readPredictions',
      'renderCharts',
      'renderContactSheet',
      'reportHtml',
      'stepBetween',
      'writeCharts',
      'writeHtmlReport',
      'writePredictions',
    ],
  },
  './bench': {
    source: '../src/bench/index.ts',
    names: [
      'REFERENCE_WORKLOAD',
      'benchTraining',
      'runDataBench',
      'runLabelsBench',
    ],
  },
};

describe('package entries', () => {
  it.each(Object.entries(SURFACE))('%s exports exactly its documented names', async (_entry, { source, names }) => {
    const module = (await import(source)) as Record<string, unknown>;
    expect(Object.keys(module).sort()).toEqual(names);
  });

  it('package.json exports each entry from its built file, and nothing else', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> };
    const expected = Object.fromEntries(
      Object.entries(SURFACE).map(([entry, { source }]) => {
        const built = source.replace('../src/', './dist/').replace(/\.ts$/, '');
        return [entry, { types: `${built}.d.ts`, default: `${built}.js` }];
      }),
    );
    expect(pkg.exports).toEqual({ ...expected, './package.json': './package.json' });
  });

  it('internals stay internal', async () => {
    const all = new Set<string>();
    for (const { source } of Object.values(SURFACE)) for (const name of Object.keys(await import(source))) all.add(name);
    for (const internal of ['checkRecord', 'trialIdentity', 'renderSvg', 'svgToPng', 'PNG_SCALE', 'perLabelF1Points', 'deltaPoints', 'decideDelta', 'registerWasmTrainingKernels', 'Adam']) {
      expect(all.has(internal), internal).toBe(false);
    }
  });
});
