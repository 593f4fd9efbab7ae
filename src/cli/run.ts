import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { loadSpec, BACKEND_NAMES } from '../experiment/spec.js';
import { parseShard } from '../experiment/grid.js';
import { resultsDir } from '../report/results.js';
import { formatFailures, formatPerLabelTable, formatSummaryTable } from '../report/tables.js';
import { PACKAGE_ROOT } from '../report/manifest.js';
import { choiceOption, numberOption } from './options.js';
import { progressReporter } from './progress.js';
import { num } from '../report/format.js';

const DEFAULT_SUITE = 'experiments/quick.json';

interface RunFlags {
  out?: string;
  backend?: string;
  savePredictions?: boolean;
  resume?: boolean;
  shard?: string;
  workers?: string;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('train every dataset × skew × method × seed of a suite, then print and write the results')
    .argument('[suite.json]', `suite spec (default ${DEFAULT_SUITE})`)
    .option('--out <dir>', 'results folder (default results/<suite name>)')
    .option('--backend <b>', `tfjs backend: ${BACKEND_NAMES.join(', ')} (default: the spec's, else auto)`)
    .option('--save-predictions', 'also write predictions/<trial>.csv with every test score')
    .option('--resume', 'keep the trials an interrupted run into the same folder finished; run the rest')
    .option('--shard <i/n>', 'run only shard i of n of the trial grid (combine the shards with merge)')
    .option('--workers <n>', `trials in parallel, each in its own process (default: ${availableParallelism()}, the number of cores)`)
    .action(async (file: string | undefined, o: RunFlags) => {
      const path = file ?? (existsSync(DEFAULT_SUITE) ? DEFAULT_SUITE : join(PACKAGE_ROOT, DEFAULT_SUITE));
      const spec = loadSpec(path);
      const backend = o.backend === undefined ? undefined : choiceOption('--backend', o.backend, BACKEND_NAMES);
      const workers = o.workers === undefined ? undefined : numberOption('--workers', o.workers, { min: 1, integer: true });
      const shard = o.shard === undefined ? undefined : parseShard(o.shard);
      const out = o.out ?? resultsDir(spec.name);
      // tfjs loads only when a suite runs, so the other commands start fast.
      const { runSuite, RunInterrupted } = await import('../experiment/runner.js');
      const progress = progressReporter();
      const interrupt = new AbortController();
      const onSigint = (): void => interrupt.abort();
      process.once('SIGINT', onSigint);
      let result: Awaited<ReturnType<typeof runSuite>>;
      try {
        result = await runSuite(spec, { out, backend, workers, shard, resume: o.resume, savePredictions: o.savePredictions, signal: interrupt.signal, onEvent: progress.onEvent });
      } catch (err) {
        progress.stop();
        if (err instanceof RunInterrupted) {
          process.stderr.write(`\n${err.message}${err.finished > 0 ? `; written to ${out}` : ''}. Rerun with --resume to finish.\n`);
          process.exit(130);
        }
        throw err;
      } finally {
        progress.stop();
        process.off('SIGINT', onSigint);
      }
      const write = (text: string): boolean => process.stdout.write(text + '\n');
      write('');
      write(formatSummaryTable(result.aggregate));
      write(formatPerLabelTable(result.aggregate));
      const failures = formatFailures(result.aggregate);
      if (failures) write(failures);
      const backends = [...new Set(result.records.map((r) => r.backend))].join(', ');
      write(`results: ${out}`);
      write(`wall time: ${num(result.seconds, 1)} s for ${result.ran} trials${result.ran < result.records.length ? ` (${result.records.length - result.ran} kept from before)` : ''} on ${backends}`);
      if (result.records.some((r) => r.status === 'failed')) process.exitCode = 1;
    });
}
