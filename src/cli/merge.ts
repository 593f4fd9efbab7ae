import type { Command } from 'commander';
import { mergeResults } from '../experiment/merge.js';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('combine the result folders of shards into the files one unsharded run writes')
    .argument('<dirs...>', 'result folders (e.g. one per shard)')
    .requiredOption('--out <dir>', 'folder for the merged results')
    .option('--partial', 'merge an incomplete set of shards (the result lacks the missing trials)')
    .option('--allow-mixed-commits', 'merge shards that ran from different commits (the merged manifest then names none)')
    .action(async (dirs: string[], o: { out: string; allowMixedCommits?: boolean; partial?: boolean }) => {
      const merged = await mergeResults(dirs, o.out, { allowMixedCommits: o.allowMixedCommits, partial: o.partial });
      const failed = merged.aggregate.failed.length;
      process.stdout.write(`merged ${dirs.length} folders: ${merged.aggregate.trials} trials${failed ? ` (${failed} failed)` : ''} → ${o.out}\n`);
    });
}
