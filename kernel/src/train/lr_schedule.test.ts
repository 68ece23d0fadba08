import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cooldownFactor, makeBudgetSchedule, makeSchedule, warmupCosine, withCooldown } from './lr_schedule';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

test('warm-up + cosine: hand-computed values', () => {
  const lr = warmupCosine({ baseLr: 1, minLr: 0.1, warmupSteps: 4, totalSteps: 14 });
  close(lr(0), 0.25);
  close(lr(3), 1);
  close(lr(4), 1); // cosine starts at baseLr
  close(lr(9), 0.1 + 0.45 * (1 + Math.cos(Math.PI / 2))); // halfway: 0.55
  close(lr(9), 0.55);
  close(lr(14), 0.1);
  close(lr(100), 0.1); // clamped past the horizon
  const noWarmup = warmupCosine({ baseLr: 2, minLr: 0, warmupSteps: 0, totalSteps: 4 });
  close(noWarmup(0), 2);
  close(noWarmup(2), 1);
});

test('constant schedule keeps the warm-up then stays flat', () => {
  const lr = makeSchedule({ kind: 'constant', warmupSteps: 2, minLr: 0 }, 0.5, 10);
  assert.deepEqual([0, 1, 2, 9].map(lr), [0.25, 0.5, 0.5, 0.5]);
});

test('budget schedule: warm-up by steps, then the cosine on the fraction of the budget spent', () => {
  const lr = makeBudgetSchedule({ kind: 'cosine', warmupSteps: 2, minLr: 0.1 }, 1);
  close(lr(0, 0.5), 0.5); // warm-up ignores the fraction
  close(lr(1, 0.9), 1);
  close(lr(2, 0), 1);
  close(lr(2, 0.5), 0.55);
  close(lr(1000, 1), 0.1);
  close(lr(3, 7), 0.1); // clamped
  close(lr(3, -1), 1);
  const flat = makeBudgetSchedule({ kind: 'constant', warmupSteps: 0, minLr: 0 }, 0.3);
  close(flat(5, 0.99), 0.3);
});

test('cooldown: full rate until 1 − share of the run, then a linear ramp to minLr at its end', () => {
  close(cooldownFactor(0, 0.25), 1);
  close(cooldownFactor(0.74, 0.25), 1);
  close(cooldownFactor(0.75, 0.25), 1); // the ramp starts at 1 on its first point
  close(cooldownFactor(0.875, 0.25), 0.5);
  close(cooldownFactor(1, 0.25), 0);
  close(cooldownFactor(3, 0.25), 0); // clamped
  close(cooldownFactor(0.99, 0), 1); // share 0 = none
  close(withCooldown(0.5, 0.1, 0.875, 0.25), 0.3); // half way between minLr and the scheduled rate
  close(withCooldown(0.5, 0.1, 0.2, 0.25), 0.5);
});
