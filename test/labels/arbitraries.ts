import fc from 'fast-check';
import { LabelMatrix } from '../../src/labels/matrix.js';

/** A small multi-label matrix with skewed label frequencies (label l appears with probability ~ 1/(l+1)). */
export function skewedMatrix(opts: { maxRows?: number; maxLabels?: number; minRows?: number } = {}): fc.Arbitrary<LabelMatrix> {
  const { maxRows = 80, maxLabels = 8, minRows = 0 } = opts;
  return fc.integer({ min: 1, max: maxLabels }).chain((L) =>
    fc
      .array(
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: L, maxLength: L }).map((u) => u.flatMap((x, l) => (x < 1000 / (l + 1.5) ? [l] : []))),
        { minLength: minRows, maxLength: maxRows },
      )
      .map((rows) => LabelMatrix.fromRows(Array.from({ length: L }, (_, l) => `label${l}`), rows)),
  );
}

/** A matrix plus a permutation of its label columns. */
export function matrixAndPermutation(opts?: Parameters<typeof skewedMatrix>[0]): fc.Arbitrary<{ m: LabelMatrix; perm: number[] }> {
  return skewedMatrix(opts).chain((m) =>
    fc.shuffledSubarray(Array.from({ length: m.numLabels }, (_, l) => l), { minLength: m.numLabels, maxLength: m.numLabels }).map((perm) => ({ m, perm })),
  );
}
