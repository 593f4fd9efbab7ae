import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LabelMatrix } from '../../src/labels/matrix.js';
import { planOversampling, PLAN_METHODS, type OversamplingPlan } from '../../src/labels/oversample.js';
import { skewedMatrix, matrixAndPermutation } from './arbitraries.js';

const anyMethod = fc.constantFrom(...PLAN_METHODS);
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

/** The label counts of the original images plus every copy, by materialising the copies. */
function countsAfterCopies(m: LabelMatrix, copies: Int32Array): number[] {
  const extra: number[] = [];
  copies.forEach((c, i) => {
    for (let k = 0; k < c; k++) extra.push(i);
  });
  return Array.from(m.concat(m.select(extra)).counts());
}

/**
 * The plan, or undefined where the seed heuristic refuses: only when a label has no images (its
 * 1e-6 guard then asks for ~10⁶ copies per image).
 */
function planOrRefusal(m: LabelMatrix, method: (typeof PLAN_METHODS)[number], s: number): OversamplingPlan | undefined {
  try {
    return planOversampling(m, method, {}, s);
  } catch (err) {
    expect(method).toBe('seed-heuristic');
    expect(m.counts().some((c) => c === 0)).toBe(true);
    expect(String(err)).toMatch(/no images/);
    return undefined;
  }
}

describe('planOversampling properties', () => {
  it('conserves labels: after = before + Σ copies × labels, for every method', () => {
    fc.assert(
      fc.property(skewedMatrix(), anyMethod, seed, (m, method, s) => {
        const plan = planOrRefusal(m, method, s);
        if (!plan) return;
        expect(Array.from(plan.before)).toEqual(Array.from(m.counts()));
        expect(Array.from(plan.after)).toEqual(countsAfterCopies(m, plan.copies));
        expect(plan.added).toBe(plan.copies.reduce((a, b) => a + b, 0));
        expect(plan.copies.every((c) => c >= 0)).toBe(true);
      }),
    );
  });

  it('is deterministic in the seed', () => {
    fc.assert(
      fc.property(skewedMatrix(), anyMethod, seed, (m, method, s) => {
        const first = planOrRefusal(m, method, s);
        fc.pre(first !== undefined);
        expect(planOrRefusal(m, method, s)!.copies).toEqual(first!.copies);
      }),
    );
  });

  it('targeted: reaches the target below the growth cap, never exceeds the cap, adds no copy that reduces no deficit', () => {
    const options = fc.record({
      target: fc.oneof(fc.constantFrom('max' as const, 'mean' as const, 'median' as const), fc.integer({ min: 0, max: 60 })),
      maxGrowth: fc.double({ min: 1, max: 6, noNaN: true }),
    });
    fc.assert(
      fc.property(skewedMatrix({ minRows: 1 }), options, seed, (m, o, s) => {
        const plan = planOversampling(m, 'targeted', o, s);
        const before = Array.from(plan.before);
        const present = before.filter((c) => c > 0).sort((a, b) => a - b);
        const target =
          typeof o.target === 'number'
            ? o.target
            : o.target === 'max'
              ? Math.max(0, ...present)
              : o.target === 'mean'
                ? Math.ceil(present.reduce((a, b) => a + b, 0) / Math.max(1, present.length))
                : present.length % 2
                  ? present[present.length >> 1]
                  : Math.ceil((present[(present.length >> 1) - 1] + present[present.length >> 1]) / 2);
        const cap = Math.floor((o.maxGrowth - 1) * m.rows);
        expect(plan.added).toBeLessThanOrEqual(cap);
        if (plan.added < cap) {
          before.forEach((c, l) => {
            if (c > 0) expect(plan.after[l]).toBeGreaterThanOrEqual(target);
          });
        }
        // Each copy lowers the deficit of one of the image's labels by one, so an image is copied
        // at most as often as the largest deficit among its labels.
        plan.copies.forEach((c, i) => {
          if (c === 0) return;
          const largestDeficit = Math.max(...m.labelsOf(i).map((l) => target - before[l]));
          expect(c).toBeLessThanOrEqual(largestDeficit);
        });
        // and no label that reached its target keeps pulling copies: the total added is at most the
        // sum of the initial deficits
        const totalDeficit = before.reduce((a, c) => a + (c > 0 ? Math.max(0, target - c) : 0), 0);
        expect(plan.added).toBeLessThanOrEqual(totalDeficit);
      }),
    );
  });

  it('ml-ros: never more clones than the budget; every clone carries a minority label', () => {
    fc.assert(
      fc.property(skewedMatrix(), fc.integer({ min: 0, max: 200 }), seed, (m, percent, s) => {
        const plan = planOversampling(m, 'ml-ros', { percent }, s);
        expect(plan.added).toBeLessThanOrEqual(Math.floor((m.rows * percent) / 100));
        const counts = Array.from(m.counts());
        const max = Math.max(0, ...counts);
        const irs = counts.filter((c) => c > 0).map((c) => max / c);
        const meanIR = irs.reduce((a, b) => a + b, 0) / Math.max(1, irs.length);
        plan.copies.forEach((c, i) => {
          if (c > 0) expect(m.labelsOf(i).some((l) => max / counts[l] > meanIR)).toBe(true);
        });
      }),
    );
  });

  it('lp-ros: within the budget, only minority label sets are cloned, none past the mean set size; with budget enough each reaches it', () => {
    fc.assert(
      fc.property(skewedMatrix({ maxRows: 60 }), fc.integer({ min: 0, max: 400 }), seed, (m, percent, s) => {
        const plan = planOversampling(m, 'lp-ros', { percent }, s);
        const budget = Math.floor((m.rows * percent) / 100);
        expect(plan.added).toBeLessThanOrEqual(budget);
        // Label sets by hand: the key of an image is its sorted label list.
        const keyOf = (i: number) => m.labelsOf(i).join(',');
        const size = new Map<string, number>();
        for (let i = 0; i < m.rows; i++) size.set(keyOf(i), (size.get(keyOf(i)) ?? 0) + 1);
        const mean = m.rows / size.size;
        const after = new Map(size);
        plan.copies.forEach((c, i) => {
          if (c === 0) return;
          expect(size.get(keyOf(i))!).toBeLessThan(mean);
          after.set(keyOf(i), after.get(keyOf(i))! + c);
        });
        const deficit = [...size.values()].filter((n) => n < mean).reduce((sum, n) => sum + (Math.floor(mean) - n), 0);
        for (const [key, n] of after) {
          if (size.get(key)! < mean) {
            expect(n).toBeLessThanOrEqual(Math.floor(mean));
            if (budget >= deficit) expect(n).toBe(Math.floor(mean));
          } else expect(n).toBe(size.get(key));
        }
        expect(plan.added).toBe(Math.min(budget, deficit));
      }),
    );
  });

  it('lp-ros: a hand-checked case', () => {
    // Label sets {a}: 6 images, {b}: 2, {a,b}: 1, {}: 1 → mean 10 / 4 = 2.5; minority sets {b}, {a,b}, {}.
    const m = LabelMatrix.fromRows(['a', 'b'], [[0], [0], [0], [0], [0], [0], [1], [1], [0, 1], []]);
    // Budget ⌊10 · 30 / 100⌋ = 3: {b} (largest first) gets min(2 − 2, 1) = 0, {a,b} min(1, ⌊3/2⌋) = 1, {} min(1, 2) = 1.
    const plan = planOversampling(m, 'lp-ros', { percent: 30 }, 7);
    expect(Array.from(plan.copies)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    expect(planOversampling(m, 'lp-ros', { percent: 10 }, 7).added).toBe(1);
  });

  it('rfs: the mean number of copies over many seeds approaches r − 1', () => {
    fc.assert(
      fc.property(skewedMatrix({ minRows: 5, maxRows: 30 }), fc.double({ min: 0.05, max: 1, noNaN: true }), (m, t) => {
        const seeds = 600;
        const sum = new Float64Array(m.rows);
        for (let s = 0; s < seeds; s++) planOversampling(m, 'rfs', { threshold: t }, s).copies.forEach((c, i) => (sum[i] += c));
        const counts = m.counts();
        for (let i = 0; i < m.rows; i++) {
          const r = Math.max(1, ...m.labelsOf(i).map((l) => Math.sqrt(t / (counts[l] / m.rows))));
          // the fractional part is a Bernoulli draw: sd of its mean ≤ 0.5/√600 ≈ 0.02; allow 5 sd
          expect(Math.abs(sum[i] / seeds - (r - 1))).toBeLessThan(0.1);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('permuting label columns permutes the plan counts (and leaves the copies alone)', () => {
    fc.assert(
      fc.property(matrixAndPermutation(), anyMethod, seed, ({ m, perm }, method, s) => {
        const a = planOrRefusal(m, method, s);
        const b = planOrRefusal(m.permuteLabels(perm), method, s);
        if (!a || !b) {
          expect(a).toBe(b);
          return;
        }
        expect(Array.from(b.before)).toEqual(perm.map((p) => a.before[p]));
        expect(Array.from(b.after)).toEqual(perm.map((p) => a.after[p]));
        expect(b.copies).toEqual(a.copies);
      }),
    );
  });
});

describe('seed-heuristic', () => {
  it('duplicates images by how many labels they carry, as the seed loop does', () => {
    // counts a=4, b=1 → max_needed = 4 / (1 + 1e-6) ≈ 4; copies = floor(4 · labels/2)
    const m = LabelMatrix.fromRows(['a', 'b'], [[0, 1], [0], [0], [0]]);
    expect(Array.from(planOversampling(m, 'seed-heuristic').copies)).toEqual([3, 1, 1, 1]);
  });
});
