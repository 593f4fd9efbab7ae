import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes `<dir>/<name>.json`: a suite of seconds (shapes, one skew, seed 3, one epoch) with the given
 * model and methods, for tests of models of one's own; returns its path.
 */
export function writeTinySpec(dir: string, name: string, model: unknown, methods: unknown[]): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      name,
      dataset: { name: 'shapes', options: { nMax: 30, testPerLabel: 8 } },
      skews: ['exponential:5'],
      model,
      train: { epochs: 1, batchSize: 16 },
      methods,
      seeds: [3],
    }),
  );
  return file;
}
