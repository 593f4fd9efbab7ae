import type { Command } from 'commander';
import { writeFileAtomic } from '../fs-atomic.js';
import { DEFAULT_LEVEL } from '../eval/seed-stats.js';
import { buildHistory, DEFAULT_MIN_STEP, formatHistory, HISTORY_LABEL_METRICS, historyHtml, readHistoryRuns, type HistoryLabelMetric } from '../report/history.js';
import { choiceOption, numberOption } from './options.js';

interface HistoryFlags {
  metric: string;
  minStep: string;
  level: string;
  out: string;
}

export function registerHistory(program: Command): void {
  program
    .command('history')
    .description('metrics of one suite across runs (e.g. one results folder per commit), in order of start time, with the steps beyond noise')
    .argument('<dirs...>', 'results folders of runs of one suite')
    .option('--metric <m>', `per-label metric: ${HISTORY_LABEL_METRICS.join(', ')}`, 'f1')
    .option('--min-step <x>', 'smallest change that counts as a step', String(DEFAULT_MIN_STEP))
    .option('--level <p>', 'confidence level of the step intervals', String(DEFAULT_LEVEL))
    .option('--out <file>', 'the HTML page to write', 'history.html')
    .action((dirs: string[], o: HistoryFlags) => {
      const labelMetric = choiceOption<HistoryLabelMetric>('--metric', o.metric, HISTORY_LABEL_METRICS);
      const minStep = numberOption('--min-step', o.minStep, { min: 0 });
      const level = numberOption('--level', o.level, { min: 0, exclusiveMin: true, max: 0.999999 });
      const history = buildHistory(readHistoryRuns(dirs), { labelMetric, minStep, level });
      const html = historyHtml(history);
      writeFileAtomic(o.out, html);
      process.stdout.write(`${formatHistory(history)}\nhistory page: ${o.out}\n`);
    });
}
