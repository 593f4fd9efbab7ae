import type { Command } from 'commander';
import { registerBench } from './bench.js';

/** Every CLI command registers itself here: one file per command, one line in this list. */
export const commands: Array<(program: Command) => void> = [
  registerBench,
];
