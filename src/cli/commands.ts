import type { Command } from 'commander';

/** Every CLI command registers itself here: one file per command, one line in this list. */
export const commands: Array<(program: Command) => void> = [];
