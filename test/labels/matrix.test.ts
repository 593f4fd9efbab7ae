import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../../src/labels/matrix.js';

describe('LabelMatrix', () => {
  const m = LabelMatrix.fromRows(['a', 'b', 'c'], [[0, 1], [0], [0, 2], [1], []]);

  it('stores membership, counts and per-image labels', () => {
    expect(m.rows).toBe(5);
    expect(Array.from(m.counts())).toEqual([3, 2, 1]);
    expect(m.labelsOf(2)).toEqual([0, 2]);
    expect(m.has(3, 1)).toBe(true);
    expect(m.has(3, 0)).toBe(false);
    expect(m.rowCount(4)).toBe(0);
  });

  it('spans several bitset words for more than 32 labels', () => {
    const names = Array.from({ length: 70 }, (_, l) => `l${l}`);
    const wide = LabelMatrix.fromRows(names, [[0, 31, 32, 69], [64]]);
    expect(wide.wordsPerRow).toBe(3);
    expect(wide.labelsOf(0)).toEqual([0, 31, 32, 69]);
    expect(wide.counts()[64]).toBe(1);
    expect(Array.from(wide.toDense().subarray(70, 140)).indexOf(1)).toBe(64);
  });

  it('selects, concatenates and converts to dense rows', () => {
    const s = m.select([2, 2, 0]);
    expect(s.labelsOf(0)).toEqual([0, 2]);
    expect(s.labelsOf(2)).toEqual([0, 1]);
    expect(Array.from(m.concat(s).counts())).toEqual([6, 3, 3]);
    expect(Array.from(m.toDense().subarray(0, 6))).toEqual([1, 1, 0, 1, 0, 0]);
    expect(LabelMatrix.fromDense(['a', 'b', 'c'], m.toDense()).labelsOf(2)).toEqual([0, 2]);
  });

  it('permutes label columns', () => {
    const p = m.permuteLabels([2, 0, 1]);
    expect(p.labels).toEqual(['c', 'a', 'b']);
    expect(Array.from(p.counts())).toEqual([1, 3, 2]);
  });

  it('rejects out-of-range indices and duplicate names', () => {
    expect(() => m.set(5, 0, true)).toThrow(RangeError);
    expect(() => m.select([7])).toThrow(RangeError);
    expect(() => new LabelMatrix(1, ['x', 'x'])).toThrow(/unique/);
  });
});
