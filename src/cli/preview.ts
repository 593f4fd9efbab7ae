import type { Command } from 'commander';
import { writeFileAtomic } from '../fs-atomic.js';
import { BACKEND_NAMES } from '../experiment/spec.js';
import { addDatasetFlags, buildFromFlags, type DatasetFlags } from './dataset.js';
import { choiceOption, numberOption, warn } from './options.js';

export function registerPreview(program: Command): void {
  addDatasetFlags(program.command('preview').description('write a PNG contact sheet: sample images with their labels, and originals beside augmented copies'))
    .option('--out <file.png>', 'where to write the PNG', 'preview.png')
    .option('--samples <n>', 'sample training images to show', '16')
    .option('--copies <n>', 'augmented copies beside each original', '5')
    .option('--scale <n>', 'pixels per image pixel', '4')
    .option('--backend <name>', `tfjs backend for the augmented copies: ${BACKEND_NAMES.join(', ')}`, 'auto')
    .addHelpText('after', '\nExample:\n  skewbench preview fashion-mosaic --skew exponential:50 --seed 1 --out preview.png')
    .action(async (name: string, flags: DatasetFlags & { out: string; samples: string; copies: string; scale: string; backend: string }) => {
      const samples = numberOption('--samples', flags.samples, { min: 1, max: 256, integer: true });
      const copies = numberOption('--copies', flags.copies, { min: 1, max: 16, integer: true });
      const scale = numberOption('--scale', flags.scale, { min: 1, max: 16, integer: true });
      const backend = choiceOption('--backend', flags.backend, BACKEND_NAMES);
      const d = await buildFromFlags(name, flags);
      d.warnings.forEach(warn);
      // tfjs and sharp load only for this command, so the others start fast.
      const [{ selectBackend }, { previewSheet }, { renderContactSheet }] = await Promise.all([
        import('../train/backend.js'),
        import('../data/preview.js'),
        import('../report/preview.js'),
      ]);
      await selectBackend(backend);
      const png = await renderContactSheet(previewSheet(d, { samples, copies, seed: d.seed }), scale);
      writeFileAtomic(flags.out, png);
      process.stdout.write(`wrote ${flags.out}\n`);
    });
}
