/*
 * Learning-rate schedules: the factor that multiplies the base learning rate at each optimiser step.
 * Positions are fractions of the step budget, so one schedule means the same thing under a budget in
 * steps or in epochs, for any set size. Pure: the factor of step s depends only on s and the budget.
 */

export type LearningRateSchedule =
  | { kind: 'constant'; warmup?: number }
  /** × factor at each milestone (fractions of the budget, ascending), like PyTorch's MultiStepLR. */
  | { kind: 'step'; at: number[]; factor: number; warmup?: number }
  /** Half a cosine from 1 down to `final` over the steps after warm-up, like PyTorch's CosineAnnealingLR. */
  | { kind: 'cosine'; final: number; warmup?: number };

export const SCHEDULE_KINDS = ['constant', 'step', 'cosine'] as const;

/** `step` without milestones: ×0.1 at half and at three quarters of the budget. */
export const DEFAULT_STEP_SCHEDULE = { at: [0.5, 0.75], factor: 0.1 } as const;

/**
 * The factor of step `step` (0-based) of `total`. With `warmup` = w, the first ⌈w · total⌉ steps rise
 * linearly, (s + 1) / W, to the schedule's value; a step-decay or cosine schedule then runs over the
 * steps that remain. `constant` without warm-up is exactly 1.
 */
export function scheduleFactor(schedule: LearningRateSchedule | undefined, step: number, total: number): number {
  if (!schedule) return 1;
  const warm = schedule.warmup ? Math.ceil(schedule.warmup * total) : 0;
  const ramp = step < warm ? (step + 1) / warm : 1;
  const rest = Math.max(1, total - warm);
  const t = Math.max(0, step - warm) / rest;
  switch (schedule.kind) {
    case 'constant':
      return ramp;
    case 'step': {
      let f = 1;
      for (const m of schedule.at) if (t >= m) f *= schedule.factor;
      return ramp * f;
    }
    case 'cosine':
      return ramp * (schedule.final + (1 - schedule.final) * 0.5 * (1 + Math.cos(Math.PI * t)));
  }
}
