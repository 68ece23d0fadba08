/**
 * Learning-rate schedules, as pure functions of the step index.
 *
 * Warm-up + cosine (SGDR without restarts, Loshchilov & Hutter 2017; the nanoGPT / open_clip schedule),
 * for the update at 0-based step s, with W = warmupSteps, S = totalSteps:
 *
 *   s < W:   lr(s) = baseLr · (s + 1) / W                                  (linear, reaches baseLr at s = W−1)
 *   s >= W:  p = min(1, (s − W) / max(1, S − W))
 *            lr(s) = minLr + ½ (baseLr − minLr) (1 + cos(π p))             (baseLr at s = W, → minLr at s = S)
 *
 * 'constant' keeps the linear warm-up and then stays at baseLr.
 *
 * A wall-clock-budgeted run measures the decay by time instead (makeBudgetSchedule): the same warm-up
 * by steps, then p = the fraction of the budget spent, so the cosine reaches minLr when the budget
 * ends however many steps the machine managed (budgeted training, Li, Yumer & Ramanan 2020).
 *
 * A cooldown (warmup–stable–decay, Hägele et al. 2024 "Scaling Laws and Compute-Optimal Training Beyond
 * Fixed Training Durations") multiplies the excess over minLr by a linear ramp to 0 over the last `share`
 * of the run, where the run's progress q ∈ [0, 1] is whatever ends it (steps done, or budget spent):
 *
 *   q < 1 − share:  lr'(s) = lr(s)
 *   otherwise:      lr'(s) = minLr + (lr(s) − minLr) · (1 − q) / share
 *
 * so a run that keeps the peak rate for most of its time still ends at minLr (withCooldown).
 *
 * @example
 *   const lr = warmupCosine({ baseLr: 1e-3, minLr: 1e-5, warmupSteps: 10, totalSteps: 100 });
 *   lr(0);   // 1e-4
 *   lr(10);  // 1e-3
 */
export interface ScheduleConfig {
  kind: 'cosine' | 'constant';
  /** Linear warm-up steps (0 = none). */
  warmupSteps: number;
  /** Final learning rate of the cosine decay. */
  minLr: number;
}

export type LrSchedule = (step: number) => number;

/** The linear warm-up's rate for update `step` < warmupSteps. */
const warmupRate = (baseLr: number, warmupSteps: number, step: number): number => (baseLr * (step + 1)) / warmupSteps;

/** The cosine from baseLr (p = 0) to minLr (p = 1). */
const cosineRate = (baseLr: number, minLr: number, p: number): number => minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * p));

export function warmupCosine(o: { baseLr: number; minLr: number; warmupSteps: number; totalSteps: number }): LrSchedule {
  const { baseLr, minLr, warmupSteps, totalSteps } = o;
  const decaySteps = Math.max(1, totalSteps - warmupSteps);
  return (step: number): number =>
    step < warmupSteps ? warmupRate(baseLr, warmupSteps, step) : cosineRate(baseLr, minLr, Math.min(1, (step - warmupSteps) / decaySteps));
}

export function warmupConstant(o: { baseLr: number; warmupSteps: number }): LrSchedule {
  const { baseLr, warmupSteps } = o;
  return (step: number): number => (step < warmupSteps ? warmupRate(baseLr, warmupSteps, step) : baseLr);
}

/** lr for update `step` of a budgeted run, `fraction` ∈ [0, 1] of its budget spent (clamped); see the header. */
export type BudgetSchedule = (step: number, fraction: number) => number;

export function makeBudgetSchedule(schedule: ScheduleConfig, baseLr: number): BudgetSchedule {
  const { warmupSteps, minLr } = schedule;
  return (step: number, fraction: number): number => {
    if (step < warmupSteps) return warmupRate(baseLr, warmupSteps, step);
    return schedule.kind === 'constant' ? baseLr : cosineRate(baseLr, minLr, Math.min(1, Math.max(0, fraction)));
  };
}

/** The cooldown's multiplier of lr − minLr at progress q of the run (see the header); share 0 = no cooldown. */
export function cooldownFactor(progress: number, share: number): number {
  if (!(share > 0)) return 1;
  const q = Math.min(1, Math.max(0, progress));
  return q < 1 - share ? 1 : (1 - q) / share;
}

/** lr with the cooldown applied at progress q (see the header). */
export function withCooldown(lr: number, minLr: number, progress: number, share: number): number {
  return minLr + (lr - minLr) * cooldownFactor(progress, share);
}

/** The schedule a trainer config describes. */
export function makeSchedule(schedule: ScheduleConfig, baseLr: number, totalSteps: number): LrSchedule {
  switch (schedule.kind) {
    case 'cosine':
      return warmupCosine({ baseLr, minLr: schedule.minLr, warmupSteps: schedule.warmupSteps, totalSteps });
    case 'constant':
      return warmupConstant({ baseLr, warmupSteps: schedule.warmupSteps });
  }
}
