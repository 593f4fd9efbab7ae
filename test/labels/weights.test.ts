import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../../src/labels/matrix.js';
import { classWeights } from '../../src/labels/weights.js';

// 10 images; label counts a=2, b=5, c=8.
const m = LabelMatrix.fromRows(
  ['a', 'b', 'c'],
  [[0, 1, 2], [0, 2], [1, 2], [1, 2], [1, 2], [1, 2], [2], [2], [], []],
);

describe('classWeights', () => {
  it('balanced-binary equals scikit-learn compute_class_weight("balanced") per label', () => {
    // sklearn: n_samples / (n_classes · bincount) → for a: [10/(2·8), 10/(2·2)] = [0.625, 2.5]
    const w = classWeights(m, 'balanced-binary');
    expect(Array.from(w.pos)).toEqual([2.5, 1, 0.625]);
    expect(Array.from(w.neg)).toEqual([0.625, 1, 2.5]);
  });

  it('inverse-frequency is the seed formula N / (L · n), on both terms', () => {
    const w = classWeights(m, 'inverse-frequency');
    expect(Array.from(w.pos)).toEqual([10 / 6, 10 / 15, 10 / 24]);
    expect(Array.from(w.neg)).toEqual(Array.from(w.pos));
  });

  it('pos-weight is PyTorch pos_weight = negatives / positives with neg weight 1', () => {
    const w = classWeights(m, 'pos-weight');
    expect(Array.from(w.pos)).toEqual([4, 1, 0.25]);
    expect(Array.from(w.neg)).toEqual([1, 1, 1]);
  });

  it('effective-number follows Cui et al. and sums to L', () => {
    const beta = 0.9;
    const raw = [2, 5, 8].map((n) => (1 - beta) / (1 - beta ** n));
    const s = raw.reduce((a, b) => a + b);
    const w = classWeights(m, 'effective-number', { beta });
    raw.forEach((r, l) => expect(w.pos[l]).toBeCloseTo((3 * r) / s, 12));
    expect(Array.from(w.pos).reduce((a, b) => a + b)).toBeCloseTo(3, 12);
  });

  it('sqrt-inverse averages 1; none is all ones', () => {
    const w = classWeights(m, 'sqrt-inverse');
    expect(Array.from(w.pos).reduce((a, b) => a + b) / 3).toBeCloseTo(1, 12);
    expect(w.pos[0] / w.pos[2]).toBeCloseTo(2, 12);
    expect(Array.from(classWeights(m, 'none').pos)).toEqual([1, 1, 1]);
  });

  it('normalize mean keeps each w⁺/w⁻ ratio; clip bounds every weight', () => {
    const raw = classWeights(m, 'balanced-binary');
    const w = classWeights(m, 'balanced-binary', { normalize: 'mean' });
    expect(Array.from(w.pos).reduce((a, b) => a + b) / 3).toBeCloseTo(1, 12);
    for (let l = 0; l < 3; l++) expect(w.pos[l] / w.neg[l]).toBeCloseTo(raw.pos[l] / raw.neg[l], 12);
    const c = classWeights(m, 'pos-weight', { clip: 2 });
    expect(Array.from(c.pos)).toEqual([2, 1, 0.25]);
  });

  it('gives a label with no images a finite weight (the rarest label’s) and a warning', () => {
    const z = LabelMatrix.fromRows(['a', 'zero'], [[0], [0], []]);
    for (const scheme of ['inverse-frequency', 'balanced-binary', 'pos-weight', 'effective-number', 'sqrt-inverse'] as const) {
      const w = classWeights(z, scheme);
      expect(Number.isFinite(w.pos[1]) && Number.isFinite(w.neg[1])).toBe(true);
      expect(w.pos[1]).toBeLessThan(10);
      expect(w.warnings.join()).toMatch(/zero/);
    }
    // a label on every image has no negative term; balanced-binary gives it the largest finite negative weight
    const all = LabelMatrix.fromRows(['every', 'some'], [[0, 1], [0], [0]]);
    const w = classWeights(all, 'balanced-binary');
    expect(w.neg[0]).toBeCloseTo(3 / 4, 12);
  });

  it('rejects bad options', () => {
    expect(() => classWeights(m, 'effective-number', { beta: 1 })).toThrow(RangeError);
    expect(() => classWeights(m, 'nope' as never)).toThrow(/unknown weight scheme/);
    expect(() => classWeights(m, 'none', { clip: 0 })).toThrow(RangeError);
  });
});
