import type { Command } from 'commander';
import { mergeResults } from '../experiment/merge.js';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('combine the result folders of shards into the files one unsharded run writes')
    .argument('<dirs...>', 'result folders (e.g. one per shard)')
    .requiredOption('--out <dir>', 'folder for the merged results')
    .action(async (dirs: string[], o: { out: string }) => {
      const merged = await mergeResults(dirs, o.out);
      const failed = merged.aggregate.failed.length;
      process.stdout.write(`merged ${dirs.length} folders: ${merged.aggregate.trials} trials${failed ? ` (${failed} failed)` : ''} → ${o.out}\n`);
    });
}
