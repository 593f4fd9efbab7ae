import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, constants } from 'node:os';
import { loadSpec, BACKEND_NAMES } from '../experiment/spec.js';
import { parseShard } from '../experiment/grid.js';
import { resultsDir } from '../report/results.js';
import { formatFailures, formatPerLabelTable, formatSummaryTable } from '../report/tables.js';
import { PACKAGE_ROOT } from '../report/manifest.js';
import { choiceOption, numberOption, warn } from './options.js';
import { progressReporter } from './progress.js';
import type { RunEvent } from '../experiment/runner.js';
import { num } from '../report/format.js';

const DEFAULT_SUITE = 'experiments/quick.json';
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

interface RunFlags {
  out?: string;
  backend?: string;
  savePredictions?: boolean;
  saveModels?: boolean;
  resume?: boolean;
  shard?: string;
  workers?: string;
  threads?: string;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('train every dataset × skew × method × seed of a suite, then print and write the results')
    .argument('[suite.json]', `suite spec (default ${DEFAULT_SUITE})`)
    .option('--out <dir>', 'results folder (default results/<suite name>)')
    .option('--backend <b>', `tfjs backend: ${BACKEND_NAMES.join(', ')} (default: the spec's, else auto)`)
    .option('--save-predictions', 'also write predictions/<trial>.csv with every test score')
    .option('--save-models', 'also write each trial\'s trained model as a tfjs Layers model: models/<trial>/model.json + weights.bin')
    .option('--resume', 'keep the trials an interrupted run into the same folder finished; run the rest')
    .option('--shard <i/n>', 'run only shard i of n of the trial grid (combine the shards with merge)')
    .option('--workers <n>', `trials in parallel, each in its own process (default: ${availableParallelism()}, the number of cores)`)
    .option('--threads <n>', "threads training each trial, over its micro-batches (default: the spec's train.threads, else the cores the workers leave); results do not depend on it")
    .action(async (file: string | undefined, o: RunFlags) => {
      const path = file ?? (existsSync(DEFAULT_SUITE) ? DEFAULT_SUITE : join(PACKAGE_ROOT, DEFAULT_SUITE));
      const spec = loadSpec(path);
      const backend = o.backend === undefined ? undefined : choiceOption('--backend', o.backend, BACKEND_NAMES);
      let workers = o.workers === undefined ? undefined : numberOption('--workers', o.workers, { min: 1, integer: true });
      const cores = availableParallelism();
      if (workers !== undefined && workers > cores) {
        // Each worker is a whole tfjs process: past one per core they only add memory and contention.
        process.stderr.write(`notice: --workers ${workers} capped at ${cores}, the number of cores\n`);
        workers = cores;
      }
      const threads = o.threads === undefined ? undefined : numberOption('--threads', o.threads, { min: 1, integer: true });
      const shard = o.shard === undefined ? undefined : parseShard(o.shard);
      const out = o.out ?? resultsDir(spec.name);
      // tfjs loads only when a suite runs, so the other commands start fast.
      const { runSuite, RunInterrupted } = await import('../experiment/runner.js');
      const progress = progressReporter();
      const interrupt = new AbortController();
      // A terminal closing (SIGHUP) or a scheduler stopping the job (SIGTERM) deserves the same
      // orderly stop as Ctrl-C: the finished trials are written and --resume can complete the run.
      let caught: NodeJS.Signals | undefined;
      const onSignal = (signal: NodeJS.Signals): void => {
        caught ??= signal;
        interrupt.abort();
      };
      for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
      let result: Awaited<ReturnType<typeof runSuite>>;
      try {
        // The same dataset warning typically comes from every seed's data: say it once.
        const warned = new Set<string>();
        const onEvent = (e: RunEvent): void => {
          if (e.type !== 'warning') progress.onEvent(e);
          else if (!warned.has(e.message)) {
            warned.add(e.message);
            warn(e.message);
          }
        };
        result = await runSuite(spec, { out, backend, workers, shard, threads, resume: o.resume, savePredictions: o.savePredictions, saveModels: o.saveModels, specFile: path, signal: interrupt.signal, onEvent });
      } catch (err) {
        progress.stop();
        if (err instanceof RunInterrupted) {
          const signal = caught ?? 'SIGINT';
          process.stderr.write(`\n${signal}: ${err.message}${err.finished > 0 ? `; written to ${out}` : ''}. Rerun with --resume to finish.\n`);
          process.exit(128 + constants.signals[signal]);
        }
        throw err;
      } finally {
        progress.stop();
        for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
      }
      const write = (text: string): boolean => process.stdout.write(text + '\n');
      write('');
      write(formatSummaryTable(result.aggregate));
      write(formatPerLabelTable(result.aggregate));
      const backends = [...new Set(result.records.map((r) => r.backend))].join(', ');
      write(`results: ${out}`);
      write(`wall time: ${num(result.seconds, 1)} s for ${result.ran} trials${result.ran < result.records.length ? ` (${result.records.length - result.ran} kept from before)` : ''} on ${backends}`);
      // Last, and on stderr: a failed trial must not scroll away above the tables or vanish into a
      // redirected stdout.
      const failures = formatFailures(result.aggregate);
      if (failures) {
        process.stderr.write(`${result.aggregate.failed.length} trial${result.aggregate.failed.length === 1 ? '' : 's'} failed:\n${failures}\n`);
        process.exitCode = 1;
      }
      if (result.records.some((r) => r.status === 'failed')) process.exitCode = 1;
    });
}
