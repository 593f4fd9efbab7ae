import type { Command } from 'commander';
import { registerLabelsBench } from './bench-labels.js';
import { registerTrainingBench } from './bench-training.js';
import { registerDataBench } from './bench-data.js';
import { registerFolderBench } from './bench-folder.js';
import { registerGemmBench } from './bench-gemm.js';

/**
 * `skewbench bench <name>`: each benchmark registers one subcommand here (one file in src/cli/,
 * one line in this list). `npm run bench -- <name>` is the same command.
 */
export const benchSubcommands: Array<(bench: Command) => void> = [
  registerLabelsBench,
  registerTrainingBench,
  registerDataBench,
  registerFolderBench,
  registerGemmBench,
];

export function registerBench(program: Command): void {
  const bench = program
    .command('bench')
    .description('run a benchmark (labels, data, folder, training, gemm)')
    .addHelpText('after', '\nExamples:\n  skewbench bench labels\n  npm run bench -- training --json');
  for (const register of benchSubcommands) register(bench);
}
