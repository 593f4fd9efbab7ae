import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { formatSkew, parseSkew, profileShares, profileTargets } from '../../src/data/skew.js';

describe('parseSkew', () => {
  it('reads the compact forms', () => {
    expect(parseSkew('exponential:50')).toEqual({ kind: 'exponential', imbalance: 50 });
    expect(parseSkew('pareto:20')).toEqual({ kind: 'pareto', imbalance: 20, alpha: 6 });
    expect(parseSkew('pareto:20:3')).toEqual({ kind: 'pareto', imbalance: 20, alpha: 3 });
    expect(parseSkew('step:0.3:20')).toEqual({ kind: 'step', fraction: 0.3, factor: 20 });
    expect(parseSkew('uniform')).toEqual({ kind: 'uniform' });
    expect(parseSkew('natural')).toEqual({ kind: 'natural' });
    expect(parseSkew(' Exponential:1 ')).toEqual({ kind: 'exponential', imbalance: 1 });
  });

  it.each([
    ['exponential:0.5', /skew "exponential:0.5": the imbalance factor IF = n_max \/ n_min must be ≥ 1, got 0.5/],
    ['exponential', /exponential takes 1 parameter\(s\), got 0/],
    ['exponential:abc', /must be a number, got "abc"/],
    ['exponential:', /must be a number, got ""/],
    ['step:1.5:10', /fraction of rare labels must be in \[0, 1\], got 1.5/],
    ['step:0.3', /step takes 2 parameter\(s\), got 1/],
    ['step:0.3:0.5', /rarity factor must be ≥ 1, got 0.5/],
    ['pareto:10:0', /shape alpha must be > 0/],
    ['uniform:3', /uniform takes 0 parameter\(s\), got 1/],
    ['natural:2', /natural takes 0 parameter\(s\), got 1/],
    ['zipf:2', /unknown profile "zipf" \(expected exponential:IF/],
  ])('rejects %s with a one-line InputError', (text, message) => {
    let error: unknown;
    try {
      parseSkew(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('formats back to text that parses to the same profile', () => {
    for (const text of ['exponential:50', 'pareto:20', 'pareto:20:3', 'step:0.3:20', 'uniform', 'natural']) {
      expect(formatSkew(parseSkew(text))).toBe(text);
    }
  });
});

describe('profiles', () => {
  it('natural has no shares: it is the data as it is, refused where frequencies are drawn', () => {
    expect(() => profileShares({ kind: 'natural' }, 3)).toThrow(/skew natural needs data with its own label frequencies: the folder dataset/);
  });

  it('exponential: n_max · IF^(−r/(L−1))', () => {
    const shares = profileShares({ kind: 'exponential', imbalance: 100 }, 5);
    expect(shares.map((s) => +s.toFixed(6))).toEqual([1, 0.316228, 0.1, 0.031623, 0.01]);
  });

  it('pareto: ends at 1 and 1/IF, and drops faster than exponential at the head', () => {
    const pareto = profileShares({ kind: 'pareto', imbalance: 50, alpha: 6 }, 10);
    const exponential = profileShares({ kind: 'exponential', imbalance: 50 }, 10);
    expect(pareto[0]).toBe(1);
    expect(pareto[9]).toBeCloseTo(1 / 50, 12);
    expect(pareto[1]).toBeLessThan(exponential[1]);
    // (1 + 1/9 · (50^(1/6) − 1))^(−6)
    expect(pareto[1]).toBeCloseTo(Math.pow(1 + (Math.pow(50, 1 / 6) - 1) / 9, -6), 12);
  });

  it('step: the rarest ⌈fraction · L⌉ labels are rarer by the factor', () => {
    expect(profileShares({ kind: 'step', fraction: 0.3, factor: 20 }, 10)).toEqual([1, 1, 1, 1, 1, 1, 1, 0.05, 0.05, 0.05]);
    expect(profileShares({ kind: 'step', fraction: 0.25, factor: 4 }, 10).filter((s) => s < 1)).toHaveLength(3);
  });

  it('targets put rank r on label order[r], rounded, at least 1', () => {
    expect(profileTargets({ kind: 'exponential', imbalance: 10 }, 100, [2, 0, 1])).toEqual([32, 10, 100]);
    expect(profileTargets({ kind: 'exponential', imbalance: 1000 }, 10, [0, 1])).toEqual([10, 1]);
    expect(profileTargets({ kind: 'uniform' }, 7, [1, 0])).toEqual([7, 7]);
  });
});
