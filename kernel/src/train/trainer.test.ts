import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { CancellationSource } from './cancellation';
import { loadCheckpoint } from './checkpoint_io';
import { train } from './trainer';
import type { TrainEvent } from './progress';
import type { TrainConfigInput } from './train_config';
import { linearRegressionTask } from './test_support/linear_regression_task';

const CONFIG: TrainConfigInput = {
  steps: 6,
  seed: 7,
  optimizer: { kind: 'adamw', lr: 0.2, weightDecay: 0.01 },
  schedule: { kind: 'cosine', warmupSteps: 2, minLr: 0.001 },
  clipGradNorm: 1.0,
};

const tmp = (): Promise<string> => fs.mkdtemp(path.join(os.tmpdir(), 'alignscope-train-'));
const read = async (vars: tf.Variable[]): Promise<Float32Array[]> => Promise.all(vars.map(async (v) => new Float32Array(await v.data())));

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

test('6 steps straight == 3 steps + checkpoint + resume + 3 steps (bit-identical weights and losses)', async () => {
  const [dirA, dirB] = [await tmp(), await tmp()];
  const a = linearRegressionTask();
  const straight = await train(a, CONFIG, { outDir: dirA });
  assert.equal(straight.stoppedReason, 'completed');
  assert.equal(straight.history.length, 6);
  const wa = await read(a.variables());

  const b1 = linearRegressionTask();
  const first = await train(b1, CONFIG, { outDir: dirB, untilStep: 3 });
  assert.equal(first.stoppedReason, 'paused');
  assert.equal(first.step, 3);
  b1.dispose();
  const manifest = JSON.parse(await fs.readFile(path.join(dirB, 'checkpoint.json'), 'utf8'));
  assert.equal(manifest.step, 3);
  assert.equal(manifest.seed, 7);
  assert.deepEqual(manifest.config.task, { kind: 'linreg', dim: 3, batch: 8 });
  assert.deepEqual(manifest.optimizer.stepCounts, [3, 3]);

  const b2 = linearRegressionTask({ initSeed: 99 }); // different init: the checkpoint must overwrite it
  const second = await train(b2, CONFIG, { outDir: dirB, resume: true });
  assert.equal(second.stoppedReason, 'completed');
  assert.deepEqual(second.history.map((h) => h.step), [4, 5, 6]);
  const lossesStraight = straight.history.slice(3).map((h) => [h.loss, h.parts.mse, h.parts.l1w, h.lr, h.gradNorm]);
  const lossesResumed = second.history.map((h) => [h.loss, h.parts.mse, h.parts.l1w, h.lr, h.gradNorm]);
  assert.deepEqual(lossesResumed, lossesStraight);
  assert.deepEqual(first.history.map((h) => h.loss), straight.history.slice(0, 3).map((h) => h.loss));
  const wb = await read(b2.variables());
  for (let i = 0; i < wa.length; i++) assert.deepEqual(Buffer.from(wb[i].buffer), Buffer.from(wa[i].buffer), `variable ${i} bit-identical`);
  // The final checkpoints agree too, optimiser state included.
  const [ca, cb] = [await loadCheckpoint(dirA), await loadCheckpoint(dirB)];
  assert.deepEqual(cb.tensors.map((t) => Array.from(t.values)), ca.tensors.map((t) => Array.from(t.values)));
  assert.ok(straight.history[5].loss < straight.history[0].loss, 'the loss goes down');
  a.dispose();
  b2.dispose();
});

test('no tensor growth across steps; none left after the run', async () => {
  const task = linearRegressionTask();
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  await train(task, { ...CONFIG, steps: 12, checkpointEvery: 4 }, { outDir: await tmp(), listeners: [(e) => e.kind === 'step' && counts.push(tf.memory().numTensors)] });
  assert.equal(counts.length, 12);
  assert.ok(counts.every((c) => c === counts[0]), `numTensors per step: ${counts}`);
  assert.equal(tf.memory().numTensors, before);
  task.dispose();
});

test('cancellation stops at the next step boundary, saves and reports the step', async () => {
  const dir = await tmp();
  const task = linearRegressionTask();
  const source = new CancellationSource();
  const events: TrainEvent[] = [];
  const result = await train(task, { ...CONFIG, steps: 100 }, {
    outDir: dir,
    cancel: source.token,
    listeners: [(e) => events.push(e), (e) => e.kind === 'step' && e.step === 2 && source.cancel()],
  });
  assert.equal(result.stoppedReason, 'cancelled');
  assert.equal(result.step, 2);
  const { manifest } = await loadCheckpoint(dir);
  assert.equal(manifest.step, 2);
  assert.equal(manifest.reason, 'cancelled');
  assert.deepEqual(events.map((e) => e.kind), ['start', 'step', 'step', 'checkpoint', 'end']);
  const step = events[1] as Extract<TrainEvent, { kind: 'step' }>;
  assert.equal(step.totalSteps, 100);
  assert.ok(step.examplesPerSec > 0 && step.etaSec >= 0 && Number.isFinite(step.lr));
  task.dispose();
});

test('a time budget stops the run with a checkpoint; the budget horizon decays the rate by time spent', async () => {
  const dir = await tmp();
  const task = linearRegressionTask();
  let now = 0; // ms; one second per step
  const steps: Extract<TrainEvent, { kind: 'step' }>[] = [];
  const result = await train(task, { ...CONFIG, steps: 100 }, {
    outDir: dir,
    budgetSeconds: 5,
    scheduleHorizon: 'budget',
    clock: () => now,
    listeners: [(e) => e.kind === 'step' && (steps.push(e), (now += 1000))],
  });
  assert.equal(result.stoppedReason, 'budget');
  assert.equal(result.step, 5);
  assert.equal((await loadCheckpoint(dir)).manifest.reason, 'budget');
  const cosine = (p: number) => 0.001 + 0.5 * (0.2 - 0.001) * (1 + Math.cos(Math.PI * p));
  const expected = [0.1, 0.2, cosine(0.4), cosine(0.6), cosine(0.8)]; // warm-up 2 steps, then step k at k/5 of the budget
  steps.forEach((e, k) => assert.ok(Math.abs(e.lr - expected[k]) < 1e-12, `step ${k + 1}: lr ${e.lr} vs ${expected[k]}`));
  // the steps horizon keeps the step schedule (100 steps) under the same budget
  now = 0;
  const lrs: number[] = [];
  const bySteps = await train(task, { ...CONFIG, steps: 100 }, { budgetSeconds: 4, clock: () => now, listeners: [(e) => e.kind === 'step' && (lrs.push(e.lr), (now += 1000))] });
  assert.equal(bySteps.stoppedReason, 'budget');
  assert.equal(bySteps.step, 4);
  assert.ok(Math.abs(lrs[3] - (0.001 + 0.5 * 0.199 * (1 + Math.cos(Math.PI / 98)))) < 1e-12, `${lrs[3]}`); // (3 − 2) / (100 − 2) of the steps
  await assert.rejects(train(task, CONFIG, { budgetSeconds: 0 }), /'budgetSeconds': expected a positive number of seconds, got 0/);
  await assert.rejects(train(task, CONFIG, { scheduleHorizon: 'budget' }), /'scheduleHorizon': 'budget' needs budgetSeconds/);
  task.dispose();
});

test('a cooldown ramps the rate to minLr over the last share of the budget, or of the steps (untilStep included)', async () => {
  const task = linearRegressionTask();
  const stable = 0.001 + 0.5 * 0.199 * (1 + Math.cos(Math.PI / 98)); // step 3 of the 100-step cosine (warm-up 2)
  let now = 0; // ms; one second per step, budget 5 s, cooldown over its last 40%
  const lrs: number[] = [];
  const byTime = await train(task, { ...CONFIG, steps: 100 }, {
    budgetSeconds: 5,
    cooldownShare: 0.4,
    clock: () => now,
    listeners: [(e) => e.kind === 'step' && (lrs.push(e.lr), (now += 1000))],
  });
  assert.equal(byTime.stoppedReason, 'budget');
  // steps 0, 1 warm up; step 2 at 0.4 of the budget (factor 1); step 3 at 0.6 (factor 1); step 4 at 0.8 (factor 0.5)
  const bySteps100 = (s: number) => 0.001 + 0.5 * 0.199 * (1 + Math.cos((Math.PI * (s - 2)) / 98));
  const expected = [0.1, 0.2, bySteps100(2), bySteps100(3), 0.001 + (bySteps100(4) - 0.001) * 0.5];
  lrs.forEach((lr, k) => assert.ok(Math.abs(lr - expected[k]) < 1e-12, `step ${k + 1}: lr ${lr} vs ${expected[k]}`));
  assert.ok(Math.abs(lrs[3] - stable) < 1e-12);
  // without a budget the progress is steps done of untilStep: 10 steps, cooldown 0.5 → factors 1 … 1, 1, 0.8, 0.6, 0.4, 0.2
  const constant = { ...CONFIG, steps: 100, schedule: { kind: 'constant' as const, warmupSteps: 0, minLr: 0 } };
  const paused: number[] = [];
  const result = await train(task, constant, { untilStep: 10, cooldownShare: 0.5, outDir: await tmp(), listeners: [(e) => e.kind === 'step' && paused.push(e.lr)] });
  assert.equal(result.stoppedReason, 'paused');
  const want = [1, 1, 1, 1, 1, 1, 0.8, 0.6, 0.4, 0.2].map((f) => 0.2 * f);
  paused.forEach((lr, k) => assert.ok(Math.abs(lr - want[k]) < 1e-12, `step ${k + 1}: lr ${lr} vs ${want[k]}`));
  await assert.rejects(train(task, CONFIG, { cooldownShare: 1 }), /'cooldownShare': expected a share in \[0, 1\) of the run, got 1/);
  task.dispose();
});

test('a cancel from another macrotask is processed between steps (the loop yields)', async () => {
  const task = linearRegressionTask();
  const source = new CancellationSource();
  setTimeout(() => source.cancel(), 5);
  const result = await train(task, { ...CONFIG, steps: 100000 }, { cancel: source.token });
  assert.equal(result.stoppedReason, 'cancelled');
  assert.ok(result.step < 100000);
  assert.equal(result.checkpoint, null);
  task.dispose();
});

test('a NaN loss stops the run naming the step, keeps the last good checkpoint and good weights', async () => {
  const dir = await tmp();
  const task = linearRegressionTask({ nanAtStep: 4 });
  const result = await train(task, { ...CONFIG, checkpointEvery: 2 }, { outDir: dir });
  assert.equal(result.stoppedReason, 'non-finite');
  assert.equal(result.step, 4);
  assert.match(result.message, /loss is NaN at step 5 \(0-based index 4\)/);
  assert.match(result.message, /last good checkpoint/);
  const { manifest, tensors } = await loadCheckpoint(dir);
  assert.equal(manifest.step, 4);
  assert.ok(tensors.every((t) => t.values.every(Number.isFinite)));
  for (const v of await read(task.variables())) assert.ok(v.every(Number.isFinite), 'variables keep the last good weights');
  task.dispose();
});

test('bad input: occupied folder, foreign checkpoint, unknown config key', async () => {
  const dir = await tmp();
  const task = linearRegressionTask();
  await train(task, CONFIG, { outDir: dir, untilStep: 2 });
  await assert.rejects(train(task, CONFIG, { outDir: dir }), /exists and is not empty.*resume: true/);
  await assert.rejects(
    train(task, { ...CONFIG, optimizer: { ...CONFIG.optimizer, lr: 0.01 } }, { outDir: dir, resume: true }),
    /another configuration — train\.optimizer\.lr: 0\.2 vs 0\.01/,
  );
  const other = linearRegressionTask({ dim: 4 });
  await assert.rejects(train(other, CONFIG, { outDir: dir, resume: true }), /task\.dim: 3 vs 4/);
  await assert.rejects(train(task, { ...CONFIG, stepz: 3 } as TrainConfigInput), /unknown key 'stepz'/);
  // overwrite: true replaces it
  const fresh = await train(task, CONFIG, { outDir: dir, overwrite: true, untilStep: 1 });
  assert.equal(fresh.step, 1);
  task.dispose();
  other.dispose();
});

test('a throwing lossFn or listener: the error propagates / the run goes on, and nothing leaks', async () => {
  const task = linearRegressionTask();
  const before = tf.memory().numTensors;
  const broken = { ...task, lossFn: () => { tf.scalar(1); throw new Error('boom in lossFn'); } };
  await assert.rejects(train(broken, CONFIG), /boom in lossFn/);
  assert.equal(tf.memory().numTensors, before);
  const origError = console.error;
  const logged: string[] = [];
  console.error = (m: string) => logged.push(m);
  try {
    const r = await train(task, CONFIG, { listeners: [() => { throw new Error('bad display'); }] });
    assert.equal(r.stoppedReason, 'completed');
  } finally {
    console.error = origError;
  }
  assert.match(logged[0], /listener threw and was removed: bad display/);
  assert.equal(tf.memory().numTensors, before);
  task.dispose();
});
