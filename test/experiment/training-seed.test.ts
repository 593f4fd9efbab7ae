import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/experiment/spec.js';
import { expandGrid } from '../../src/experiment/grid.js';
import { trainingSeed } from '../../src/experiment/trial.js';

const spec = (train: Record<string, unknown>) =>
  parseSpec({ name: 's', dataset: { name: 'shapes' }, skews: ['uniform'], methods: [{ name: 'baseline' }], seeds: [1, 2], train }, 's.json');

describe('train.seedOffset', () => {
  it('absent or 0: training uses the trial seed, and trial ids are those of a spec without the field', () => {
    const [a] = expandGrid(spec({}));
    const [b] = expandGrid(spec({ seedOffset: 0 }));
    expect(trainingSeed(a)).toBe(1);
    expect(trainingSeed(b)).toBe(1);
    expect(spec({}).train).not.toHaveProperty('seedOffset');
  });

  it('changes the training seed and the trial id, but not the data key', () => {
    const [a, a2] = expandGrid(spec({}));
    const [b, b2] = expandGrid(spec({ seedOffset: 1 }));
    const [c] = expandGrid(spec({ seedOffset: 2 }));
    expect(trainingSeed(b)).not.toBe(trainingSeed(a));
    expect(trainingSeed(c)).not.toBe(trainingSeed(b));
    expect(trainingSeed(b2)).not.toBe(trainingSeed(b));
    expect(b.id).not.toBe(a.id);
    expect(b.dataKey).toBe(a.dataKey);
    expect(b2.dataKey).toBe(a2.dataKey);
    expect(() => spec({ seedOffset: -1 })).toThrow(/seedOffset/);
  });
});
