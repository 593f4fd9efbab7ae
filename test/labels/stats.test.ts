import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../../src/labels/matrix.js';
import { labelStats, groupOf } from '../../src/labels/stats.js';

describe('labelStats', () => {
  // counts a=3, b=2, c=1 → IRLbl 1, 1.5, 3 (values worked by hand from mldr's definitions)
  const m = LabelMatrix.fromRows(['a', 'b', 'c'], [[0, 1], [0], [0, 2], [1], []]);
  const s = labelStats(m);

  it('computes the per-label measures', () => {
    expect(s.labels.map((l) => l.count)).toEqual([3, 2, 1]);
    expect(s.labels.map((l) => l.share)).toEqual([0.6, 0.4, 0.2]);
    expect(s.labels.map((l) => l.irlbl)).toEqual([1, 1.5, 3]);
  });

  it('computes the dataset measures', () => {
    expect(s.images).toBe(5);
    expect(s.cardinality).toBeCloseTo(1.2, 12);
    expect(s.density).toBeCloseTo(0.4, 12);
    expect(s.labelsets).toBe(5);
    expect(s.meanIR).toBeCloseTo(11 / 6, 12);
    expect(s.maxIR).toBe(3);
    // sqrt(((1 − 11/6)² + (1.5 − 11/6)² + (3 − 11/6)²) / 2) / (11/6)
    expect(s.cvIR).toBeCloseTo(0.5677271, 6);
    // images {a,b}: 1 − √1.5/1.25; {a,c}: 1 − √3/2; the other three 0; mean over 5
    expect(s.scumble).toBeCloseTo((1 - Math.sqrt(1.5) / 1.25 + 1 - Math.sqrt(3) / 2) / 5, 12);
    expect(s.scumble).toBeCloseTo(0.0308358, 6);
  });

  it('leaves labels with no images out of the aggregates and warns', () => {
    const z = labelStats(LabelMatrix.fromRows(['a', 'b', 'c', 'zero'], [[0, 1], [0], [0, 2], [1], []]));
    expect(z.labels[3].irlbl).toBeNull();
    expect(z.meanIR).toBeCloseTo(11 / 6, 12);
    expect(z.maxIR).toBe(3);
    expect(z.warnings.join()).toMatch(/zero/);
  });

  it('counts identical label sets once', () => {
    const d = labelStats(LabelMatrix.fromRows(['a', 'b'], [[0, 1], [1, 0], [0], [], []]));
    expect(d.labelsets).toBe(3);
  });

  it('groups by count with configurable thresholds', () => {
    expect([groupOf(100), groupOf(99), groupOf(20), groupOf(19)]).toEqual(['head', 'medium', 'medium', 'tail']);
    expect(labelStats(m, { groups: { head: 3, tail: 2 } }).labels.map((l) => l.group)).toEqual(['head', 'medium', 'tail']);
    expect(() => labelStats(m, { groups: { head: 1, tail: 5 } })).toThrow(RangeError);
  });

  it('handles an empty matrix', () => {
    const e = labelStats(new LabelMatrix(0, ['a']));
    expect(e).toMatchObject({ images: 0, cardinality: 0, meanIR: 0, scumble: 0, labelsets: 0 });
  });
});
