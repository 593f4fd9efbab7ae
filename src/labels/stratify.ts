import type { LabelMatrix } from './matrix.js';
import { hash32 } from './rng.js';

/**
 * Iterative stratification (Sechidis, Tsoumakas & Vlahavas 2011, "On the stratification of
 * multi-label data"): splits multi-label rows into subsets of the given shares so that every label
 * is spread over the subsets in about those shares, rarest label first.
 *
 * Each subset j desires share_j · n rows, and share_j · n_l rows of each label l. Repeatedly the
 * label with the fewest rows still unassigned is taken, and each of its unassigned rows goes to the
 * subset that most desires that label; ties go to the subset that most desires rows at all, then to
 * one picked by a hash of the row's id. A row's assignment lowers every desire it meets. Rows with
 * no label fill the subsets' remaining total desire last.
 *
 * What it guarantees: the first label taken (the rarest, ties by label index) — and every label,
 * when no row carries two labels — gets, in every subset, within one row of its share
 * (|count − share · n_l| < 1). A label whose rows also carry rarer labels has some of its rows
 * placed by those labels first, so its counts are as close as that leaves room for, not bounded.
 *
 * Deterministic in the ids alone: rows are visited in the order of a hash of their id (then the id),
 * never in file order, and no seed is involved, so the same images land in the same subsets whatever
 * the order of the CSV or the trial seed. Ids must be unique.
 */
export function iterativeStratification(labels: LabelMatrix, ids: readonly string[], shares: readonly number[]): Uint8Array {
  const n = labels.rows;
  const L = labels.numLabels;
  const k = shares.length;
  if (ids.length !== n) throw new RangeError(`iterativeStratification: ${ids.length} ids for ${n} rows`);
  if (k < 1 || k > 255 || shares.some((s) => !(s >= 0))) throw new RangeError(`iterativeStratification: expected 1–255 non-negative shares, got ${shares.join(', ')}`);
  const total = shares.reduce((a, b) => a + b, 0);
  const share = shares.map((s) => s / total);
  const hashes = ids.map((id) => hash32(id));
  // Visit order: by hash of the id, then the id itself (unique), so file order never matters.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => hashes[a] - hashes[b] || (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
  const { offsets, labels: flat } = labels.positives();
  const rowsOf: number[][] = Array.from({ length: L }, () => []);
  for (const i of order) for (let p = offsets[i]; p < offsets[i + 1]; p++) rowsOf[flat[p]].push(i);

  const counts = labels.counts();
  const desire = share.map((s) => s * n);
  const labelDesire = share.map((s) => Array.from(counts, (c) => s * c));
  const remaining = Int32Array.from(counts);
  const UNASSIGNED = 255;
  const subset = new Uint8Array(n).fill(UNASSIGNED);

  const assign = (i: number, j: number): void => {
    subset[i] = j;
    desire[j] -= 1;
    for (let p = offsets[i]; p < offsets[i + 1]; p++) {
      labelDesire[j][flat[p]] -= 1;
      remaining[flat[p]] -= 1;
    }
  };
  /** Among subsets tied at the best value(s), the one the row's hash picks. */
  const pick = (i: number, candidates: number[]): number => candidates[hashes[i] % candidates.length];
  const best = (values: (j: number) => number, among: number[]): number[] => {
    let top = -Infinity;
    let out: number[] = [];
    for (const j of among) {
      const v = values(j);
      if (v > top + 1e-9) {
        top = v;
        out = [j];
      } else if (Math.abs(v - top) <= 1e-9) out.push(j);
    }
    return out;
  };
  const all = Array.from({ length: k }, (_, j) => j);

  for (;;) {
    let label = -1;
    for (let l = 0; l < L; l++) if (remaining[l] > 0 && (label < 0 || remaining[l] < remaining[label])) label = l;
    if (label < 0) break;
    for (const i of rowsOf[label]) {
      if (subset[i] !== UNASSIGNED) continue;
      const byLabel = best((j) => labelDesire[j][label], all);
      const byTotal = byLabel.length > 1 ? best((j) => desire[j], byLabel) : byLabel;
      assign(i, pick(i, byTotal));
    }
  }
  for (const i of order) {
    if (subset[i] !== UNASSIGNED) continue;
    assign(i, pick(i, best((j) => desire[j], all)));
  }
  return subset;
}
