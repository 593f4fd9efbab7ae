import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scheduleFactor, type LearningRateSchedule } from '../../src/train/schedule.js';

const total = fc.integer({ min: 1, max: 5000 });
const warmup = fc.option(fc.double({ min: 0, max: 0.9, noNaN: true }), { nil: undefined });
const schedule: fc.Arbitrary<LearningRateSchedule> = fc.oneof(
  warmup.map((w) => ({ kind: 'constant' as const, ...(w ? { warmup: w } : {}) })),
  fc.record({
    at: fc.uniqueArray(fc.double({ min: 0.01, max: 0.99, noNaN: true }), { minLength: 1, maxLength: 4 }).map((a) => a.sort((x, y) => x - y)),
    factor: fc.double({ min: 0.01, max: 1, noNaN: true }),
    warmup,
  }).map(({ warmup: w, ...r }) => ({ kind: 'step' as const, ...r, ...(w ? { warmup: w } : {}) })),
  fc.record({ final: fc.double({ min: 0, max: 1, noNaN: true }), warmup }).map(({ warmup: w, final }) => ({ kind: 'cosine' as const, final, ...(w ? { warmup: w } : {}) })),
);

describe('scheduleFactor', () => {
  it('no schedule, and constant without warm-up, are exactly 1 at every step (today’s training unchanged)', () => {
    fc.assert(
      fc.property(total, fc.nat(), (n, s) => {
        expect(scheduleFactor(undefined, s % n, n)).toBe(1);
        expect(scheduleFactor({ kind: 'constant' }, s % n, n)).toBe(1);
      }),
    );
  });

  it('stays in (0, 1] and never rises after warm-up', () => {
    fc.assert(
      fc.property(schedule, total, (sch, n) => {
        const warm = sch.warmup ? Math.ceil(sch.warmup * n) : 0;
        let previous = Number.POSITIVE_INFINITY;
        for (let s = 0; s < n; s += Math.max(1, Math.floor(n / 200))) {
          const f = scheduleFactor(sch, s, n);
          const floor = sch.kind === 'cosine' ? sch.final : 0;
          expect(f).toBeLessThanOrEqual(1 + 1e-12);
          if (sch.kind !== 'cosine' || sch.final > 0 || s < n - 1) expect(f).toBeGreaterThanOrEqual(floor > 0 ? Math.min(floor, 1) * (s < warm ? (s + 1) / warm : 1) - 1e-12 : 0);
          if (s >= warm) {
            expect(f).toBeLessThanOrEqual(previous + 1e-12);
            previous = f;
          }
        }
      }),
    );
  });

  it('warm-up rises linearly, (s + 1) / W, and reaches the schedule’s start at step W', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 0.9, noNaN: true }), fc.integer({ min: 10, max: 2000 }), (w, n) => {
        const W = Math.ceil(w * n);
        for (const s of [0, Math.floor(W / 2), W - 1]) expect(scheduleFactor({ kind: 'constant', warmup: w }, s, n)).toBeCloseTo((s + 1) / W, 12);
        if (W < n) expect(scheduleFactor({ kind: 'cosine', final: 0, warmup: w }, W, n)).toBe(1);
      }),
    );
  });

  it('step decay multiplies by the factor at each milestone passed, like MultiStepLR', () => {
    const sch: LearningRateSchedule = { kind: 'step', at: [0.5, 0.75], factor: 0.1 };
    // 100 steps: milestones at steps 50 and 75.
    expect(scheduleFactor(sch, 49, 100)).toBe(1);
    expect(scheduleFactor(sch, 50, 100)).toBeCloseTo(0.1, 15);
    expect(scheduleFactor(sch, 74, 100)).toBeCloseTo(0.1, 15);
    expect(scheduleFactor(sch, 75, 100)).toBeCloseTo(0.01, 15);
    expect(scheduleFactor(sch, 99, 100)).toBeCloseTo(0.01, 15);
  });

  it('cosine follows CosineAnnealingLR: final + (1 − final)(1 + cos(π s / T)) / 2', () => {
    // PyTorch 1.13 CosineAnnealingLR(T_max=10, eta_min=0.1) with lr 1 printed these at steps 0…9.
    const expected = [1.0, 0.9779754323, 0.9140576475, 0.8145033635, 0.6890576475, 0.55, 0.4109423525, 0.2854966365, 0.1859423525, 0.1220245677];
    expected.forEach((f, s) => expect(scheduleFactor({ kind: 'cosine', final: 0.1 }, s, 10)).toBeCloseTo(f, 9));
  });
});
