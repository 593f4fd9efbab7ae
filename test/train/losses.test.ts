import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/train/backend.js';
import { computeLoss, elementwiseLoss, type LossSpec } from '../../src/train/losses.js';
import '../../src/train/gradients.js';
import { distributionBalanced, rebalancedWeights } from '../../src/train/losses/distribution-balanced.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

function perEntry(spec: LossSpec, z: number[][], y: number[][]): number[] {
  return tf.tidy(() => Array.from(elementwiseLoss(spec, tf.tensor2d(z), tf.tensor2d(y)).dataSync()));
}

function mean(spec: LossSpec, z: number[][], y: number[][]): number {
  return tf.tidy(() => computeLoss(spec, tf.tensor2d(z), tf.tensor2d(y)).dataSync()[0]);
}

function closeTo(got: number[], want: number[], digits = 5): void {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i], digits));
}

// σ(0) = 1/2, σ(2) = 0.8807971, σ(−1) = 0.2689414, σ(−3) = 0.0474259.
// softplus(u) = ln(1 + eᵘ): softplus(0) = ln 2 = 0.6931472, softplus(−2) = ln 1.1353353 = 0.1269280,
// softplus(2) = 2 + softplus(−2) = 2.1269280, softplus(3) = 3.0485874, softplus(−1) = 0.3132617.

describe('bce', () => {
  it('matches hand-computed values: −ln σ(z) for positives, −ln(1 − σ(z)) for negatives', () => {
    closeTo(perEntry({ kind: 'bce' }, [[0, 2, 2, -3]], [[1, 1, 0, 1]]), [0.6931472, 0.126928, 2.126928, 3.0485874]);
    expect(mean({ kind: 'bce' }, [[0, 2, 2, -3]], [[1, 1, 0, 1]])).toBeCloseTo((0.6931472 + 0.126928 + 2.126928 + 3.0485874) / 4, 5);
  });
});

describe('weighted-bce', () => {
  it('weights the positive term by pos[l] and the negative term by neg[l]', () => {
    // label 0 positive: 2 · softplus(−2) = 0.2538560; label 1 negative: 3 · softplus(−1) = 0.9397851.
    const spec: LossSpec = { kind: 'weighted-bce', weights: { pos: [2, 0.5], neg: [1, 3] } };
    closeTo(perEntry(spec, [[2, -1]], [[1, 0]]), [0.253856, 0.9397851]);
    expect(mean(spec, [[2, -1]], [[1, 0]])).toBeCloseTo(0.5968205, 5);
  });

  it('raising label l’s weights by c scales exactly label l’s gradient by c', () => {
    const z = [
      [0.3, -1.2, 2.0, 0.0],
      [-0.7, 0.4, -2.5, 1.1],
      [1.5, 0.9, 0.2, -0.3],
    ];
    const y = [
      [1, 0, 1, 0],
      [0, 1, 0, 0],
      [1, 1, 0, 1],
    ];
    const base = { pos: [1, 2, 0.5, 3], neg: [1, 0.25, 1, 2] };
    const gradient = (weights: { pos: number[]; neg: number[] }) =>
      tf.tidy(() => Array.from(tf.grad((logits: tf.Tensor) => computeLoss({ kind: 'weighted-bce', weights }, logits as tf.Tensor2D, tf.tensor2d(y)))(tf.tensor2d(z)).dataSync()));
    const before = gradient(base);
    const c = 7;
    const label = 2;
    const after = gradient({ pos: base.pos.map((w, l) => (l === label ? w * c : w)), neg: base.neg.map((w, l) => (l === label ? w * c : w)) });
    for (let i = 0; i < before.length; i++) {
      const expected = i % 4 === label ? before[i] * c : before[i];
      expect(after[i]).toBeCloseTo(expected, 6);
    }
    // and the column did have a gradient to scale
    expect(before.filter((_, i) => i % 4 === label).some((g) => Math.abs(g) > 1e-3)).toBe(true);
  });

  it('rejects weights of the wrong length or negative', () => {
    expect(() => mean({ kind: 'weighted-bce', weights: { pos: [1], neg: [1, 1] } }, [[0, 0]], [[1, 0]])).toThrow(/pos weights have 1 entries for 2 labels/);
    expect(() => mean({ kind: 'weighted-bce', weights: { pos: [1, 1], neg: [1, -2] } }, [[0, 0]], [[1, 0]])).toThrow(/neg weight of label 1/);
  });
});

describe('focal', () => {
  it('matches hand-computed values with γ = 2 and optional α', () => {
    // z = 2, y = 1: p_t = 0.8807971, (1 − p_t)² = 0.0142093, −ln p_t = 0.1269280 → 0.0018036
    // z = 2, y = 0: p_t = 0.1192029, (1 − p_t)² = 0.7758034, −ln p_t = 2.1269280 → 1.6500782
    // z = −1, y = 1: p_t = 0.2689414, (1 − p_t)² = 0.5344466, −ln p_t = 1.3132617 → 0.7018683
    closeTo(perEntry({ kind: 'focal' }, [[2, 2, -1]], [[1, 0, 1]]), [0.0018036, 1.6500782, 0.7018683]);
    // α = 0.25 weighs positives by 0.25 and negatives by 0.75
    closeTo(perEntry({ kind: 'focal', alpha: 0.25 }, [[2, 2]], [[1, 0]]), [0.0004509, 1.2375586]);
  });

  it('with γ = 0 and no α is exactly bce', () => {
    const z = [[-4, -0.5, 0, 0.5, 4]];
    const y = [[1, 0, 1, 1, 0]];
    closeTo(perEntry({ kind: 'focal', gamma: 0 }, z, y), perEntry({ kind: 'bce' }, z, y), 6);
  });
});

describe('asymmetric (ASL)', () => {
  it('matches hand-computed values with γ⁻ = 4, γ⁺ = 1, clip 0.05', () => {
    // positive z = 2: (1 − 0.8807971)¹ · 0.1269280 = 0.0151302
    // negative z = 2: p_m = 0.8807971 − 0.05 = 0.8307971, p_m⁴ = 0.4764051, −ln(1 − p_m) = 1.7766709 → 0.8464150
    // negative z = −3: p = 0.0474259 < clip, so p_m = 0 → 0
    // negative z = 0: p_m = 0.45, 0.45⁴ = 0.0410063, −ln 0.55 = 0.5978370 → 0.0245151
    // positive z = −1: 0.7310586 · 1.3132617 = 0.9600712
    closeTo(perEntry({ kind: 'asymmetric' }, [[2, 2, -3, 0, -1]], [[1, 0, 0, 0, 1]]), [0.0151302, 0.846415, 0, 0.0245151, 0.9600712]);
  });

  it('is averaged, not summed', () => {
    const z = [[2, -1], [0, 3]];
    const y = [[1, 0], [0, 1]];
    const entries = perEntry({ kind: 'asymmetric' }, z, y);
    expect(mean({ kind: 'asymmetric' }, z, y)).toBeCloseTo(entries.reduce((a, b) => a + b, 0) / 4, 6);
  });

  it('with γ⁻ = γ⁺ = 0 and no clip is exactly bce', () => {
    const z = [[-4, -0.5, 0, 0.5, 4]];
    const y = [[1, 0, 1, 0, 0]];
    closeTo(perEntry({ kind: 'asymmetric', gammaNeg: 0, gammaPos: 0, clip: 0 }, z, y), perEntry({ kind: 'bce' }, z, y), 6);
  });
});

describe('numerical stability', () => {
  const specs: LossSpec[] = [
    { kind: 'bce' },
    { kind: 'weighted-bce', weights: { pos: [3, 3, 3, 3], neg: [0.5, 0.5, 0.5, 0.5] } },
    { kind: 'focal' },
    { kind: 'focal', gamma: 0.5, alpha: 0.25 },
    { kind: 'asymmetric' },
    { kind: 'asymmetric', clip: 0 },
    { kind: 'asymmetric', gammaNeg: 0.5 },
  ];
  for (const spec of specs) {
    it(`${JSON.stringify(spec)}: finite loss and gradient at logits of ±1e4 (no log(0))`, () => {
      const z = [[1e4, -1e4, 1e4, -1e4]];
      const y = [[0, 1, 1, 0]];
      const loss = perEntry(spec, z, y);
      for (const l of loss) expect(Number.isFinite(l)).toBe(true);
      // confidently wrong entries cost on the order of the logit (bce: exactly |z|)
      if (spec.kind === 'bce') closeTo(loss, [1e4, 1e4, 0, 0], 2);
      const grad = tf.tidy(() => Array.from(tf.grad((logits: tf.Tensor) => computeLoss(spec, logits as tf.Tensor2D, tf.tensor2d(y)))(tf.tensor2d(z)).dataSync()));
      for (const g of grad) expect(Number.isFinite(g)).toBe(true);
    });
  }
});

describe('distribution-balanced loss: hand-computed cases from the paper’s definitions', () => {
  // Wu et al. 2020 with the VOC-MLT defaults α = 0.1, β = 10, μ = 0.3, λ = 5, κ = 0.05, γ = 2, b = 2.
  // 200 training images; label counts 100, 10, 1.
  const prior = { counts: [100, 10, 1], images: 200 };
  const params = distributionBalanced.params({ kind: 'distribution-balanced', prior }, 3);

  it('re-balanced weights: r_k = (1/n_k) / Σ_{j∈y} 1/n_j, r̂ = α + σ(β(r − μ)), the same for positive and negative entries', () => {
    const out = new Float64Array(3);
    // An image of labels 0 and 1: Σ = 1/100 + 1/10 = 0.11, r = (0.0909, 0.909, 9.09).
    rebalancedWeights(params.freqInv, [true, true, false], { alpha: 0.1, beta: 10, mu: 0.3 }, out);
    closeTo(Array.from(out), [0.1 + 1 / (1 + Math.exp(2.0909090909)), 0.1 + 1 / (1 + Math.exp(-6.0909090909)), 1.1], 9);
    closeTo(Array.from(out), [0.20998355, 1.09774176, 1.1], 7);
    // An image of the rarest label alone: r = (0.01, 0.1, 1) / 1 → r̂ = α + σ(10(r − 0.3)).
    rebalancedWeights(params.freqInv, [false, false, true], { alpha: 0.1, beta: 10, mu: 0.3 }, out);
    closeTo(Array.from(out), [0.1 + 1 / (1 + Math.exp(2.9)), 0.1 + 1 / (1 + Math.exp(2)), 0.1 + 1 / (1 + Math.exp(-7))], 9);
    // No label: r = ∞ for every entry, r̂ = α + 1.
    rebalancedWeights(params.freqInv, [false, false, false], { alpha: 0.1, beta: 10, mu: 0.3 }, out);
    closeTo(Array.from(out), [1.1, 1.1, 1.1], 12);
  });

  it('the class bias is the prior log-odds scaled by κ/λ: ν_k = −κ·ln(N/n_k − 1)/λ', () => {
    closeTo(Array.from(params.bias), [0, -0.05 * Math.log(19) / 5, -0.05 * Math.log(199) / 5], 12);
    closeTo(Array.from(params.bias), [0, -0.0294443898, -0.0529330482], 9);
  });

  it('one row by hand: positive and negative-tolerant terms, weighted and scaled', () => {
    // Row y = (1, 0, 0), logits z = (0.5, 1, −2).
    const z = [0.5, 1, -2];
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const w = new Float64Array(3);
    rebalancedWeights(params.freqInv, [true, false, false], { alpha: 0.1, beta: 10, mu: 0.3 }, w);
    const u = z.map((v, k) => v + params.bias[k]);
    const want = [
      w[0] * 2 * (1 - sig(u[0])) ** 2 * -Math.log(sig(u[0])),
      (w[1] * 2 * sig(5 * u[1]) ** 2 * -Math.log(1 - sig(5 * u[1]))) / 5,
      (w[2] * 2 * sig(5 * u[2]) ** 2 * -Math.log(1 - sig(5 * u[2]))) / 5,
    ];
    const spec: LossSpec = { kind: 'distribution-balanced', prior };
    closeTo(perEntry(spec, [z], [[1, 0, 0]]), want, 5);
    expect(mean(spec, [z], [[1, 0, 0]])).toBeCloseTo((want[0] + want[1] + want[2]) / 3, 5);
  });

  it('needs the prior of every label', () => {
    expect(() => distributionBalanced.params({ kind: 'distribution-balanced', prior: { counts: [1, 2], images: 10 } }, 3)).toThrow(/training label counts of 3 labels/);
  });
});
