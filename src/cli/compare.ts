import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { DEFAULT_LEVEL } from '../eval/seed-stats.js';
import {
  COMPARE_FORMATS,
  COMPARE_METRICS,
  compareResults,
  DEFAULT_MAX_DROP,
  formatComparison,
  LABEL_FILTERS,
  type CompareFormat,
  type CompareMetric,
  type LabelFilter,
} from '../report/compare.js';
import { checkSameData } from '../report/same-data.js';
import { CI_FORMATS, formatCi, type CiFormat } from '../report/ci-formats.js';
import { choiceOption, numberOption } from './options.js';

/** The gate's own formats, and those for CI systems (JUnit XML, GitHub workflow commands). */
const FORMATS = [...COMPARE_FORMATS, ...CI_FORMATS] as const;

interface CompareFlags {
  metric: string;
  maxDrop: string;
  labels: string;
  format: string;
  level: string;
  allowDataChange?: boolean;
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('the regression gate: per-label Δ of a current run against a baseline; exit 1 when a label dropped for real, 2 on unusable input')
    .argument('<baseline>', 'results folder or per_label.csv of the reference run')
    .argument('<current>', 'results folder or per_label.csv of the run to check')
    .option('--metric <m>', `per-label metric: ${COMPARE_METRICS.join(', ')}`, 'f1')
    .option('--max-drop <x>', 'largest drop tolerated', String(DEFAULT_MAX_DROP))
    .option('--labels <group>', `labels to compare: ${LABEL_FILTERS.join(', ')} (groups as in the baseline)`, 'all')
    .option('--format <f>', `output: ${FORMATS.join(', ')} (md: GitHub markdown for a CI comment; junit: JUnit XML for a test report; github: workflow-command annotations)`, 'table')
    .option('--level <p>', 'confidence level of the Δ intervals', String(DEFAULT_LEVEL))
    .option('--allow-data-change', 'gate runs whose data fingerprints differ (by default that is unusable input, exit 2)')
    .action((baseline: string, current: string, o: CompareFlags) => {
      const metric = choiceOption<CompareMetric>('--metric', o.metric, COMPARE_METRICS);
      const labels = choiceOption<LabelFilter>('--labels', o.labels, LABEL_FILTERS);
      const format = choiceOption<CompareFormat | CiFormat>('--format', o.format, FORMATS);
      const maxDrop = numberOption('--max-drop', o.maxDrop, { min: 0 });
      const level = numberOption('--level', o.level, { min: 0, exclusiveMin: true, max: 1 });
      if (level === 1) throw new InputError(`--level: expected a number > 0 and < 1, got "${o.level}"`);
      if (!o.allowDataChange) checkSameData(baseline, current);
      const comparison = compareResults(baseline, current, { metric, maxDrop, labels, level });
      const text = format === 'junit' || format === 'github' ? formatCi(comparison, format) : formatComparison(comparison, format);
      process.stdout.write(text + '\n');
      process.exitCode = comparison.regressions > 0 ? 1 : 0;
    });
}
