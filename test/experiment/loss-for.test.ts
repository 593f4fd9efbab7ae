import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/index.js';
import { parseSpec } from '../../src/experiment/spec.js';
import { deferredLoss, lossFor } from '../../src/experiment/trial.js';
import { LabelMatrix } from '../../src/labels/matrix.js';

const train = { labels: LabelMatrix.fromRows(['a', 'b', 'c'], [[0], [0], [0, 1], [2], []]) } as unknown as Dataset['train'];
const method = (loss: unknown) => parseSpec({ name: 's', dataset: { name: 'shapes' }, skews: ['uniform'], methods: [{ name: 'baseline' }, { name: 'm', loss }], seeds: [1] }, 's.json').methods[1];

describe('lossFor', () => {
  it('hands a loss that works from label frequencies the training counts, and its options', () => {
    expect(lossFor(method({ kind: 'distribution-balanced', options: { lambda: 2 } }), { train })).toEqual({ kind: 'distribution-balanced', lambda: 2, prior: { counts: [3, 1, 1], images: 5 } });
  });

  it('gives other losses no prior', () => {
    expect(lossFor(method({ kind: 'focal', options: { gamma: 1 } }), { train })).toEqual({ kind: 'focal', gamma: 1 });
    expect(lossFor(method({ kind: 'weighted-bce', weights: 'pos-weight' }), { train })).not.toHaveProperty('prior');
  });

  it('rejects an option the distribution-balanced loss does not read, and a weight scheme', () => {
    expect(() => method({ kind: 'distribution-balanced', options: { clip: 0.1 } })).toThrow(/methods\[1\]\.loss\.options\.clip/);
    expect(() => method({ kind: 'distribution-balanced', weights: 'pos-weight' })).toThrow(/takes no per-label weights/);
  });
});

describe('deferred re-weighting (loss.schedule)', () => {
  it('switches to the weights at ⌊from · steps⌋, with every weight 1 before', () => {
    const m = method({ kind: 'weighted-bce', weights: 'inverse-frequency', schedule: { from: 0.8 } });
    const loss = lossFor(m, { train });
    const deferred = deferredLoss(m, loss, 175)!;
    expect(deferred.fromStep).toBe(140);
    expect(deferred.before).toEqual({ ...loss, weights: { pos: [1, 1, 1], neg: [1, 1, 1] } });
    expect(deferredLoss(method({ kind: 'weighted-bce', weights: 'inverse-frequency' }), loss, 175)).toBeUndefined();
  });

  it('is a spec error outside [0, 1) or on a loss without weights, naming the JSON path', () => {
    expect(() => method({ kind: 'weighted-bce', weights: 'pos-weight', schedule: { from: 1 } })).toThrow(/methods\[1\]\.loss\.schedule\.from: expected a number < 1, got 1/);
    expect(() => method({ kind: 'weighted-bce', weights: 'pos-weight', schedule: { from: -0.1 } })).toThrow(/methods\[1\]\.loss\.schedule\.from/);
    expect(() => method({ kind: 'focal', schedule: { from: 0.5 } })).toThrow(/methods\[1\]\.loss\.schedule: only per-label weights can be deferred, and the focal loss takes none/);
    expect(() => method({ kind: 'weighted-bce', weights: 'pos-weight', schedule: { from: 0.5, epoch: 3 } })).toThrow(/methods\[1\]\.loss\.schedule/);
  });
});

describe('methods[].sampler', () => {
  it('takes a sampler and its own options; one it does not read, or a plan beside it, is a spec error with the JSON path', () => {
    const spec = (m: Record<string, unknown>) => parseSpec({ name: 's', dataset: { name: 'shapes' }, skews: ['uniform'], methods: [{ name: 'baseline' }, { name: 'm', ...m }], seeds: [1] }, 's.json').methods[1];
    expect(spec({ sampler: { method: 'repeat-factor', options: { threshold: 0.2 } } }).sampler).toEqual({ method: 'repeat-factor', options: { threshold: 0.2 } });
    expect(spec({ sampler: { method: 'class-aware' } }).sampler).toEqual({ method: 'class-aware', options: {} });
    expect(() => spec({ sampler: { method: 'class-aware', options: { threshold: 0.2 } } })).toThrow(/methods\[1\]\.sampler\.options\.threshold: not an option of the class-aware sampler \(it takes no options\)/);
    expect(() => spec({ sampler: { method: 'balanced' } })).toThrow(/methods\[1\]\.sampler\.method: expected one of "class-aware", "square-root", "repeat-factor"/);
    expect(() => spec({ sampler: { method: 'class-aware' }, plan: { method: 'rfs' } })).toThrow(/methods\[1\]\.sampler: a method resamples either with copies \(plan\) or online \(sampler\), not both/);
  });
});
