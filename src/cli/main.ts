#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import type * as CommanderModule from 'commander';
import { requireModule } from '../require.js';

const { Command, CommanderError } = requireModule('commander') as typeof CommanderModule;
import { InputError } from '../errors.js';
import { commandsFor } from './commands.js';

const program = new Command()
  .name('skewbench')
  .description('Which rebalancing method helps your rare labels, by how much, at what cost?')
  // package.json sits two levels above this file, in src/cli and in dist/cli alike.
  .version((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version, '-V, --version', 'print the version of skewbench')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

try {
  for (const register of await commandsFor(process.argv.slice(2))) register(program);
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // commander already printed its message; help and version exit 0, usage errors exit 2.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof InputError) {
    process.stderr.write(`skewbench: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`skewbench: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}
