/*
 * Multiplicity corrections for a family of p-values. Holm's step-down controls the family-wise error
 * rate (the chance of any false rejection) under any dependence between the tests; Benjamini–Hochberg
 * q-values control the expected share of false discoveries (for browsing, not for gating).
 */

function checkP(p: readonly number[], what: string): void {
  p.forEach((v, i) => {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`${what}: p-value ${i} is ${v}, expected a number in [0, 1]`);
  });
}

/** Indices of `p` in ascending order of p (ties keep input order). */
function ascending(p: readonly number[]): number[] {
  return Array.from(p.keys()).sort((a, b) => p[a] - p[b] || a - b);
}

/**
 * Holm-adjusted p-values, in input order: for the i-th smallest p (1-based) of m,
 * max over j ≤ i of min(1, (m − j + 1) · p₍ⱼ₎). A test rejects at level α when its adjusted p ≤ α.
 */
export function holmAdjust(p: readonly number[]): number[] {
  checkP(p, 'holmAdjust');
  const m = p.length;
  const out = new Array<number>(m);
  let running = 0;
  ascending(p).forEach((index, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p[index]));
    out[index] = running;
  });
  return out;
}

/** Benjamini–Hochberg q-values, in input order: min over j ≥ i of min(1, m / j · p₍ⱼ₎). */
export function bhAdjust(p: readonly number[]): number[] {
  checkP(p, 'bhAdjust');
  const m = p.length;
  const out = new Array<number>(m);
  const order = ascending(p);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    running = Math.min(running, (m / (k + 1)) * p[order[k]]);
    out[order[k]] = Math.min(1, running);
  }
  return out;
}
