import type { Command } from 'commander';
import { writeFileAtomic } from '../fs-atomic.js';
import { InputError } from '../errors.js';
import { loadSpec } from '../experiment/spec.js';
import { BACKEND_NAMES } from '../experiment/spec.js';
import { choiceOption, numberOption } from './options.js';

interface CalibrateFlags {
  out: string;
  pool: string;
  rerun: string;
  sizes: string;
  draws: string;
  workers: string;
  backend: string;
  resamples: string;
  analyzeOnly?: boolean;
}

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description("measure the gate's false-alarm rate and power: train each condition's seed pool once, then compare many seed subsets")
    .argument('[suite.json]', 'the suite to calibrate on', 'experiments/quick.json')
    .option('--out <dir>', 'pools and verdicts.json', 'results/calibration')
    .option('--pool <n>', 'seeds 1…n trained per condition', '12')
    .option('--rerun <n>', 'seeds of the unchanged rerun', '10')
    .option('--sizes <list>', 'seeds per side of the simulated comparisons', '5,10')
    .option('--draws <n>', 'comparisons per condition and size', '200')
    .option('--workers <n>', 'trials in parallel', '2')
    .option('--backend <b>', `tfjs backend: ${BACKEND_NAMES.join(', ')}`, 'auto')
    .option('--resamples <n>', 'bootstrap resamples per interval', '1000')
    .option('--analyze-only', 'do not train; analyse the pools already in --out')
    .action(async (suite: string, o: CalibrateFlags) => {
      const calibrate = await import('../bench/calibrate.js');
      const spec = loadSpec(suite);
      const sizes = o.sizes.split(',').map((x) => numberOption('--sizes', x, { min: 2, integer: true }));
      const options = {
        out: o.out,
        pool: numberOption('--pool', o.pool, { min: 2, integer: true }),
        rerun: numberOption('--rerun', o.rerun, { min: 2, integer: true }),
        sizes,
        draws: numberOption('--draws', o.draws, { min: 1, integer: true }),
        workers: numberOption('--workers', o.workers, { min: 1, integer: true }),
        backend: choiceOption('--backend', o.backend, BACKEND_NAMES),
        resamples: numberOption('--resamples', o.resamples, { min: 1, integer: true }),
        onProgress: (m: string) => process.stderr.write(m + '\n'),
      };
      if (options.rerun > options.pool) throw new InputError(`--rerun: at most --pool (${options.pool}), got ${options.rerun}`);
      if (!o.analyzeOnly) await calibrate.trainPools(spec, options);
      const result = calibrate.analyzePools(spec.name, options);
      const file = calibrate.calibrationFilePath(o.out);
      writeFileAtomic(file, JSON.stringify(result, null, 1) + '\n');
      for (const r of result.results) process.stdout.write(`${r.condition.padEnd(20)} ${String(r.seeds).padStart(2)} seeds: gate fails ${r.draws - r.pass}/${r.draws} (${(r.failRate * 100).toFixed(1)} %)\n`);
      process.stdout.write(`verdicts: ${file}\n`);
    });
}
