import type { Command } from 'commander';
import { readLabelsCsv } from '../data/labels-csv.js';
import { classWeights, DEFAULT_BETA, WEIGHT_SCHEMES } from '../labels/weights.js';
import { formatWeights, weightsJson } from '../report/labels.js';
import { choiceOption, numberOption, warn } from './options.js';

export function registerWeights(program: Command): void {
  program
    .command('weights')
    .description('per-label weights on the positive and negative terms of binary cross-entropy')
    .argument('<labels.csv>', 'image labels (see stats)')
    .requiredOption('--scheme <s>', `one of ${WEIGHT_SCHEMES.join(', ')}`)
    .option('--beta <b>', 'β of effective-number, in [0, 1)', String(DEFAULT_BETA))
    .option('--normalize <mode>', 'none, or mean: positive-term weights average 1', 'none')
    .option('--clip <c>', 'largest weight allowed')
    .option('--sep <s>', 'separator between label names in a labels column', '|')
    .option('--json', 'print JSON instead of a table')
    .action((file: string, o: { scheme: string; beta: string; normalize: string; clip?: string; sep: string; json?: boolean }) => {
      const scheme = choiceOption('--scheme', o.scheme, WEIGHT_SCHEMES);
      const beta = numberOption('--beta', o.beta, { min: 0, max: 0.999999999 });
      const normalize = choiceOption('--normalize', o.normalize, ['none', 'mean'] as const);
      const clip = o.clip === undefined ? undefined : numberOption('--clip', o.clip, { min: 0, exclusiveMin: true });
      const matrix = readLabelsCsv(file, { sep: o.sep });
      const w = classWeights(matrix, scheme, { beta, normalize, clip });
      if (o.json) {
        w.warnings.forEach(warn);
        process.stdout.write(JSON.stringify(weightsJson(w, matrix.labels), null, 2) + '\n');
      } else {
        process.stdout.write(formatWeights(w, matrix.labels) + '\n');
      }
    });
}
