import { describe, expect, it } from 'vitest';
import { seedSubsets } from '../../src/bench/calibrate.js';

// The README's calibration table is one of the blocks test/readme.test.ts renders from results/calibration/verdicts.json.
describe('calibration draws', () => {
  it('seed subsets: all of them when few, else distinct seeded draws', () => {
    expect(seedSubsets([1, 2, 3, 4], 3, 10, 1)).toEqual([[1, 2, 3], [1, 2, 4], [1, 3, 4], [2, 3, 4]]);
    const drawn = seedSubsets(Array.from({ length: 12 }, (_, i) => i + 1), 5, 50, 7);
    expect(drawn).toHaveLength(50);
    expect(new Set(drawn.map((s) => s.join())).size).toBe(50);
    expect(drawn.every((s) => s.length === 5 && new Set(s).size === 5)).toBe(true);
    expect(seedSubsets(Array.from({ length: 12 }, (_, i) => i + 1), 5, 50, 7)).toEqual(drawn);
  });
});
