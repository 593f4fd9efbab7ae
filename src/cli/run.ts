import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSpec } from '../experiment/spec.js';
import { runSuite } from '../experiment/runner.js';
import { resultsDir } from '../report/results.js';
import { formatFailures, formatPerLabelTable, formatSummaryTable } from '../report/tables.js';
import { PACKAGE_ROOT } from '../report/manifest.js';
import { BACKEND_PREFERENCES, type BackendPreference } from '../train/index.js';
import { choiceOption } from './options.js';
import { progressReporter } from './progress.js';
import { num } from '../report/format.js';

const DEFAULT_SUITE = 'experiments/quick.json';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('train every dataset × skew × method × seed of a suite, then print and write the results')
    .argument('[suite.json]', `suite spec (default ${DEFAULT_SUITE})`)
    .option('--out <dir>', 'results folder (default results/<suite name>)')
    .option('--backend <b>', `tfjs backend: ${BACKEND_PREFERENCES.join(', ')} (default: the spec's, else auto)`)
    .option('--save-predictions', 'also write predictions/<trial>.csv with every test score')
    .action(async (file: string | undefined, o: { out?: string; backend?: string; savePredictions?: boolean }) => {
      const path = file ?? (existsSync(DEFAULT_SUITE) ? DEFAULT_SUITE : join(PACKAGE_ROOT, DEFAULT_SUITE));
      const spec = loadSpec(path);
      const backend = o.backend === undefined ? undefined : choiceOption<BackendPreference>('--backend', o.backend, BACKEND_PREFERENCES);
      const out = o.out ?? resultsDir(spec.name);
      const progress = progressReporter();
      let result;
      try {
        result = await runSuite(spec, { out, backend, savePredictions: o.savePredictions, onEvent: progress.onEvent });
      } finally {
        progress.stop();
      }
      const write = (text: string): boolean => process.stdout.write(text + '\n');
      write('');
      write(formatSummaryTable(result.aggregate));
      write(formatPerLabelTable(result.aggregate));
      const failures = formatFailures(result.aggregate);
      if (failures) write(failures);
      write(`results: ${out}`);
      write(`wall time: ${num(result.seconds, 1)} s for ${result.records.length} trials on ${result.backend.name}`);
      if (result.records.some((r) => r.status === 'failed')) process.exitCode = 1;
    });
}
