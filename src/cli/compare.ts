import type { Command } from 'commander';
import { InputError } from '../errors.js';
import {
  COMPARE_FORMATS,
  COMPARE_METRICS,
  compareResults,
  DEFAULT_GATE_LEVEL,
  DEFAULT_MAX_DROP,
  DEFAULT_MIN_SEEDS,
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
  maxDropSummary?: string;
  maxDropLabel?: string;
  labels: string;
  format: string;
  level: string;
  allowDataChange?: boolean;
  minSeeds: string;
  strict?: boolean;
  allowMissing?: boolean;
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('the regression gate, paired by seed with Holm per family: exit 0 pass, 1 regression (or missing baseline rows), 2 unusable input, 3 inconclusive (too few shared seeds)')
    .argument('<baseline>', 'results folder or per_label.csv of the reference run')
    .argument('<current>', 'results folder or per_label.csv of the run to check')
    .option('--metric <m>', `per-label metric: ${COMPARE_METRICS.join(', ')}`, 'ap')
    .option('--max-drop <x>', 'largest mean drop tolerated, both families', String(DEFAULT_MAX_DROP))
    .option('--max-drop-summary <x>', 'largest drop tolerated in the summary family (default --max-drop)')
    .option('--max-drop-label <x>', 'largest drop tolerated in the per-label family (default --max-drop)')
    .option('--labels <group>', `per-label rows to test: ${LABEL_FILTERS.join(', ')} (groups as in the baseline)`, 'all')
    .option('--format <f>', `output: ${FORMATS.join(', ')} (md: GitHub markdown for a CI comment; junit: JUnit XML for a test report; github: workflow-command annotations)`, 'table')
    .option('--level <p>', '1 − α of each family (Holm) and the level of the intervals', String(DEFAULT_GATE_LEVEL))
    .option('--min-seeds <n>', 'fewest shared seeds the gate decides on; fewer is inconclusive (exit 3)', String(DEFAULT_MIN_SEEDS))
    .option('--strict', 'inconclusive rows fail the gate too')
    .option('--allow-missing', 'baseline rows (method, label, seed) missing from the current run do not fail the gate')
    .option('--allow-data-change', 'gate runs whose data fingerprints differ (by default that is unusable input, exit 2)')
    .action((baseline: string, current: string, o: CompareFlags) => {
      const metric = choiceOption<CompareMetric>('--metric', o.metric, COMPARE_METRICS);
      const labels = choiceOption<LabelFilter>('--labels', o.labels, LABEL_FILTERS);
      const format = choiceOption<CompareFormat | CiFormat>('--format', o.format, FORMATS);
      const maxDrop = numberOption('--max-drop', o.maxDrop, { min: 0 });
      const maxDropSummary = o.maxDropSummary === undefined ? undefined : numberOption('--max-drop-summary', o.maxDropSummary, { min: 0 });
      const maxDropLabel = o.maxDropLabel === undefined ? undefined : numberOption('--max-drop-label', o.maxDropLabel, { min: 0 });
      const level = numberOption('--level', o.level, { min: 0, exclusiveMin: true, max: 1 });
      if (level === 1) throw new InputError(`--level: expected a number > 0 and < 1, got "${o.level}"`);
      if (!o.allowDataChange) checkSameData(baseline, current);
      const minSeeds = numberOption('--min-seeds', o.minSeeds, { min: 2, integer: true });
      const comparison = compareResults(baseline, current, { metric, maxDrop, maxDropSummary, maxDropLabel, labels, level, minSeeds, strict: o.strict ?? false, allowMissing: o.allowMissing ?? false });
      const text = format === 'junit' || format === 'github' ? formatCi(comparison, format) : formatComparison(comparison, format);
      process.stdout.write(text + '\n');
      process.exitCode = comparison.exitCode;
    });
}
