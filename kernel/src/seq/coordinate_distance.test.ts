import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { newBoxWarnings } from './box_check';
import { codecByName } from './codec_registry';
import { coordinateDistanceBlock, coordinateDistanceLoss } from './coordinate_distance';
import { resolveGroundedLMConfig } from './grounded_lm_config';
import { stage1GroundedTask } from './stage1_grounded_task';
import { tinyStage1, tinyStage1Options, trainTinyPart } from './test_support/stage1_fixtures';
import { stepRng } from '../train/step_rng';

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

// V = 6, the bins at ids 2…5 (4 bins); rows: bin 1 under uniform bin logits, bin 3 under p = (1, 3, 1, 1)/6,
// a word label (left out), a bin with weight 0 (left out)
const logits = () => tf.tensor2d([
  [5, -1, 0, 0, 0, 0],
  [0, 0, 0, Math.log(3), 0, 0],
  [0, 0, 4, 0, 0, 0],
  [0, 0, 9, 0, 0, 0],
]);
const labels = () => tf.tensor1d([3, 5, 0, 4], 'int32');
const weights = () => tf.tensor1d([1, 2, 1, 0]);
const block = { start: 2, count: 4 };

test('expected bin distance (hand-computed): Σ_j p(j)|j − k| over the bins only, weighted over the positions whose label is a bin', () => {
  // row 0: uniform over 4 bins, k = 1: (1 + 0 + 1 + 2) / 4 = 1 (the word logits at ids 0, 1 do not count)
  // row 1: p = (1, 3, 1, 1) / 6, k = 3: (3·1 + 2·3 + 1·1 + 0·1) / 6 = 10 / 6
  const want = (1 * 1 + 2 * (10 / 6)) / 3;
  close(coordinateDistanceLoss(logits(), labels(), weights(), block).dataSync()[0]!, want);
  // the same numbers as [B, T, V] / [B, T]
  close(coordinateDistanceLoss(tf.reshape(logits(), [2, 2, 6]), tf.reshape(labels(), [2, 2]), tf.reshape(weights(), [2, 2]), block).dataSync()[0]!, want);
  // no weighted bin label: 0
  close(coordinateDistanceLoss(logits(), tf.tensor1d([0, 1, 0, 1], 'int32'), weights(), block).dataSync()[0]!, 0);
  assert.throws(() => coordinateDistanceLoss(logits(), labels(), weights(), { start: 3, count: 4 }), /coordinateDistanceLoss: the bins \[3, 7\) lie outside the 6 logits/);
});

test('its gradient on bin j is w·p(j)·(|j − k| − L_t) / Σw: far mass is pushed down harder than near mass; words get none', () => {
  const z = logits();
  const g = tf.grad((x: tf.Tensor) => coordinateDistanceLoss(x, labels(), weights(), block))(z).arraySync() as number[][];
  const p = [[0.25, 0.25, 0.25, 0.25], [1 / 6, 3 / 6, 1 / 6, 1 / 6]];
  const k = [1, 3];
  const L = [1, 10 / 6];
  const w = [1 / 3, 2 / 3];
  for (const r of [0, 1]) {
    for (let j = 0; j < 4; j++) close(g[r]![2 + j]!, w[r]! * p[r]![j]! * (Math.abs(j - k[r]!) - L[r]!));
    close(g[r]![0]!, 0);
    close(g[r]![1]!, 0);
  }
  assert.ok(g[1]![2]! > g[1]![3]! && g[1]![3]! > 0 && g[1]![5]! < 0, 'row 1: bin 0 (3 off) gets more push-down than bin 1 (2 off); the target bin is pulled up');
  for (const r of [2, 3]) g[r]!.forEach((v) => close(v, 0));
});

test('the loss needs ordered bins: the bins codec is accepted, grid and text are refused naming the setting; the config refuses a weight < 0', () => {
  assert.deepEqual(coordinateDistanceBlock(codecByName('bins64'), 100), { start: 100, count: 64 });
  assert.throws(() => coordinateDistanceBlock(codecByName('grid16'), 100), /stage1\.coordinateDistanceWeight needs the bins codec \(ordered <bin_k> tokens\); got codec 'grid16'/);
  assert.throws(() => coordinateDistanceBlock(codecByName('text1000'), 100), /got codec 'text1000'/);
  assert.equal(resolveGroundedLMConfig({}).stage1.coordinateDistanceWeight, 0);
  assert.throws(() => resolveGroundedLMConfig({ stage1: { coordinateDistanceWeight: -0.1 } }), /GroundedLMConfig\.stage1\.coordinateDistanceWeight: expected a weight ≥ 0 \(0 = off\), got -0\.1/);
});

test('stage 1 with coordinateDistanceWeight: the part is reported and added to the total with its weight, the token loss is unchanged; it falls in training, nothing leaks', async () => {
  const { pool, model, tok, codec } = tinyStage1();
  const weights = { detection: 1, regionCaption: 0, rec: 1, listing: 0 };
  const plain = stage1GroundedTask(model, tok, codec, pool, tinyStage1Options(weights), newBoxWarnings(), {});
  const withDistance = stage1GroundedTask(model, tok, codec, pool, tinyStage1Options(weights, { coordinateDistanceWeight: 0.5 }), newBoxWarnings(), {});
  const batch = plain.nextBatch(0, stepRng(0, 0));
  const run = (t: typeof plain) => tf.tidy(() => {
    const out = t.lossFn(batch, 0);
    return { total: out.total.dataSync()[0]!, parts: Object.fromEntries(Object.entries(out.parts).map(([k, v]) => [k, v.dataSync()[0]!])) };
  });
  const a = run(plain);
  const b = run(withDistance);
  assert.equal(a.parts.coordinateDistance, undefined);
  close(b.parts.nll!, a.parts.nll!);
  assert.ok(b.parts.coordinateDistance! > 1, `an untrained LM expects to be several of bins32's bins off: ${b.parts.coordinateDistance}`);
  close(b.total, a.total + 0.5 * b.parts.coordinateDistance!, 1e-4);
  const { first, last } = await trainTinyPart(withDistance, 'coordinateDistance');
  assert.ok(last < first - 1, `the expected bin distance falls on 8 memorisable scenes: ${first} → ${last}`);
  model.dispose();
});
