import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../../src/labels/matrix.js';
import { createRng } from '../../src/labels/rng.js';
import { cumulative, drawImages, SAMPLER_NAMES, samplerDefinition } from '../../src/labels/sampling.js';
import { skewedMatrix } from './arbitraries.js';

const probabilities = (name: string, m: LabelMatrix, options = {}) => samplerDefinition(name)!.probabilities(m, options);
const withLabels = skewedMatrix({ maxRows: 50 }).filter((m) => Array.from(m.counts()).some((c) => c > 0));

describe('online samplers', () => {
  it('give every image a probability ≥ 0, summing to 1, the same on every call', () => {
    fc.assert(
      fc.property(withLabels, fc.constantFrom(...SAMPLER_NAMES), (m, name) => {
        const p = probabilities(name, m);
        expect(p).toHaveLength(m.rows);
        expect(Array.from(p).every((v) => v >= 0)).toBe(true);
        expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
        expect(probabilities(name, m)).toEqual(p);
      }),
    );
  });

  it('class-aware: P(i) = Σ over i’s labels of 1/(C·n_k), so every label with images is drawn equally often', () => {
    fc.assert(
      fc.property(withLabels, (m) => {
        const p = probabilities('class-aware', m);
        const counts = Array.from(m.counts());
        const C = counts.filter((n) => n > 0).length;
        for (let i = 0; i < m.rows; i++) {
          const want = m.labelsOf(i).reduce((s, k) => s + 1 / (C * counts[k]), 0);
          expect(p[i]).toBeCloseTo(want, 12);
        }
        // The chance that a draw is "for" label k: its images' share of k's mass, 1/C for each label.
        counts.forEach((n, k) => {
          if (n === 0) return;
          let mass = 0;
          for (let i = 0; i < m.rows; i++) if (m.has(i, k)) mass += 1 / (C * n);
          expect(mass).toBeCloseTo(1 / C, 12);
        });
      }),
    );
  });

  it('square-root: P(i) = Σ over i’s labels of √n_k / (Σ_j √n_j · n_k); repeat-factor: P(i) ∝ max(1, max √(t/f_k))', () => {
    fc.assert(
      fc.property(withLabels, fc.double({ min: 0.01, max: 1, noNaN: true }), (m, t) => {
        const counts = Array.from(m.counts());
        const S = counts.reduce((s, n) => s + Math.sqrt(n), 0);
        const sq = probabilities('square-root', m);
        const rf = probabilities('repeat-factor', m, { threshold: t });
        const r = Array.from({ length: m.rows }, (_, i) => Math.max(1, ...m.labelsOf(i).map((k) => Math.sqrt(t / (counts[k] / m.rows)))));
        const R = r.reduce((a, b) => a + b, 0);
        for (let i = 0; i < m.rows; i++) {
          expect(sq[i]).toBeCloseTo(m.labelsOf(i).reduce((s, k) => s + Math.sqrt(counts[k]) / (S * counts[k]), 0), 12);
          expect(rf[i]).toBeCloseTo(r[i] / R, 12);
        }
      }),
    );
  });

  it('a hand-checked case, and a set without labels is an error naming the sampler', () => {
    // a on images 0, 1, 2; b on image 2 alone; image 3 has none: C = 2.
    const m = LabelMatrix.fromRows(['a', 'b'], [[0], [0], [0, 1], []]);
    expect(Array.from(probabilities('class-aware', m))).toEqual([1 / 6, 1 / 6, 1 / 6 + 1 / 2, 0].map((v) => expect.closeTo(v, 12)));
    expect(() => probabilities('class-aware', LabelMatrix.fromRows(['a'], [[], []]))).toThrow('class-aware sampler: no image can be drawn (no image has a label)');
  });
});

describe('drawImages', () => {
  it('is deterministic in the seed and draws each image about as often as its probability says', () => {
    const p = [0.5, 0.25, 0.15, 0.1, 0];
    const cdf = cumulative(p);
    const draw = (seed: number) => {
      const out = new Uint32Array(40_000);
      drawImages(cdf, createRng(seed), out);
      return out;
    };
    const a = draw(3);
    expect(draw(3)).toEqual(a);
    expect(draw(4)).not.toEqual(a);
    const freq = p.map((_, i) => a.filter((d) => d === i).length / a.length);
    p.forEach((v, i) => expect(Math.abs(freq[i] - v)).toBeLessThanOrEqual(5 * Math.sqrt((v * (1 - v)) / a.length) + 1e-12));
    expect(freq[4]).toBe(0);
  });
});

describe('drawImages at the edge of the unit interval', () => {
  it('a uniform draw that rounds up to the total lands on the last image that can be drawn', () => {
    const cdf = cumulative([0.5, 0.5, 0, 0]);
    const out = new Uint32Array(3);
    // float() just below 1, and exactly where rounding can reach the total.
    const edge = { float: () => 1 - 2 ** -53, int: () => 0, normal: () => 0, fork: () => edge, shuffle: <T>(a: T) => a } as unknown as Parameters<typeof drawImages>[1];
    drawImages(cdf, edge, out);
    expect(Array.from(out)).toEqual([1, 1, 1]);
    const all = { ...edge, float: () => 1 } as unknown as Parameters<typeof drawImages>[1];
    drawImages(cdf, all, out);
    expect(Array.from(out)).toEqual([1, 1, 1]);
  });
});
