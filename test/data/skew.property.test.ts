import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSkew, parseSkew, profileShares, type SkewProfile } from '../../src/data/skew.js';

const profile: fc.Arbitrary<SkewProfile> = fc.oneof(
  fc.record({ kind: fc.constant('exponential' as const), imbalance: fc.double({ min: 1, max: 1e4, noNaN: true }) }),
  fc.record({ kind: fc.constant('pareto' as const), imbalance: fc.double({ min: 1, max: 1e4, noNaN: true }), alpha: fc.double({ min: 0.1, max: 20, noNaN: true }) }),
  fc.record({ kind: fc.constant('step' as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }), factor: fc.double({ min: 1, max: 1e4, noNaN: true }) }),
  fc.constant({ kind: 'uniform' as const }),
);

describe('skew profiles (properties)', () => {
  it('shares start at 1, never increase with rank, and the rarest is 1/IF', () => {
    fc.assert(
      fc.property(profile, fc.integer({ min: 2, max: 60 }), (p, L) => {
        const shares = profileShares(p, L);
        expect(shares).toHaveLength(L);
        for (let r = 1; r < L; r++) expect(shares[r]).toBeLessThanOrEqual(shares[r - 1] * (1 + 1e-12));
        // step: a fraction that rounds to no label at all (below 1e-9 of one) leaves every label common.
        const stepHasRare = p.kind === 'step' && Math.ceil(p.fraction * L - 1e-9) > 0;
        const rarest = p.kind === 'uniform' || p.kind === 'natural' ? 1 : p.kind === 'step' ? (stepHasRare ? 1 / p.factor : 1) : 1 / p.imbalance;
        expect(Math.abs(shares[L - 1] - rarest)).toBeLessThanOrEqual(1e-9 * rarest);
        const everyLabelRare = p.kind === 'step' && Math.ceil(p.fraction * L - 1e-9) >= L;
        expect(shares[0]).toBe(everyLabelRare ? 1 / p.factor : 1);
      }),
    );
  });

  it('the compact text round-trips', () => {
    fc.assert(
      fc.property(profile, (p) => {
        expect(parseSkew(formatSkew(p))).toEqual(p);
      }),
    );
  });
});
