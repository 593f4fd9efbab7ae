import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/index.js';
import { parseSkew } from '../../src/data/skew.js';
import { checkTestPositives } from '../../src/experiment/trial.js';
import { LabelMatrix } from '../../src/labels/matrix.js';

/** Just what the check reads: name, labels, skew, seed and the test labels. */
function dataset(skew: string): Dataset {
  const test = LabelMatrix.fromRows(['sea', 'boat'], [[0, 1], [0], [0], [0, 1], [0]]);
  return { name: 'folder', labels: ['sea', 'boat'], skew: parseSkew(skew), seed: 1, test: { labels: test } } as unknown as Dataset;
}

describe('checkTestPositives', () => {
  it('under skew natural names the test split as the way out, not testPerLabel (it does not apply)', () => {
    expect(() => checkTestPositives(dataset('natural'), 3)).toThrow(
      'dataset folder (skew natural, seed 1): label "boat" has 2 test positives, fewer than evaluation.minTestPositives 3; add test images of "boat" or lower evaluation.minTestPositives (0 turns the check off)',
    );
    expect(() => checkTestPositives(dataset('uniform'), 3)).toThrow(/; raise dataset\.options\.testPerLabel, add test images of "boat", or lower evaluation\.minTestPositives/);
    expect(() => checkTestPositives(dataset('natural'), 2)).not.toThrow();
  });
});
