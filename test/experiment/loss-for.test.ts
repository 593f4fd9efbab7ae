import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/index.js';
import { parseSpec } from '../../src/experiment/spec.js';
import { lossFor } from '../../src/experiment/trial.js';
import { LabelMatrix } from '../../src/labels/matrix.js';

const train = { labels: LabelMatrix.fromRows(['a', 'b', 'c'], [[0], [0], [0, 1], [2], []]) } as unknown as Dataset['train'];
const method = (loss: unknown) => parseSpec({ name: 's', dataset: { name: 'shapes' }, skews: ['uniform'], methods: [{ name: 'baseline' }, { name: 'm', loss }], seeds: [1] }, 's.json').methods[1];

describe('lossFor', () => {
  it('hands a loss that works from label frequencies the training counts, and its options', () => {
    expect(lossFor(method({ kind: 'distribution-balanced', options: { lambda: 2 } }), { train })).toEqual({ kind: 'distribution-balanced', lambda: 2, prior: { counts: [3, 1, 1], images: 5 } });
  });

  it('gives other losses no prior', () => {
    expect(lossFor(method({ kind: 'focal', options: { gamma: 1 } }), { train })).toEqual({ kind: 'focal', gamma: 1 });
    expect(lossFor(method({ kind: 'weighted-bce', weights: 'pos-weight' }), { train })).not.toHaveProperty('prior');
  });

  it('rejects an option the distribution-balanced loss does not read, and a weight scheme', () => {
    expect(() => method({ kind: 'distribution-balanced', options: { clip: 0.1 } })).toThrow(/methods\[1\]\.loss\.options\.clip/);
    expect(() => method({ kind: 'distribution-balanced', weights: 'pos-weight' })).toThrow(/takes no per-label weights/);
  });
});
