import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { pairwiseCosine } from '../align/features';
import { otScores } from '../align/ot_loss';
import { resolveExperimentConfig } from './experiment_config';
import { otPairPlans } from './ot_pair_plans';

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

// n = 7 patches, m = 5 tokens (+1 dustbin): neither a multiple of 4, so the fused kernel pads both
const N = 7;

/** Host values of a tensor made by `f`, which is then freed. */
const read = (f: () => tf.Tensor): unknown => {
  const t = tf.tidy(f);
  const v = t.arraySync();
  t.dispose();
  return v;
};

const pairs = (): { s: tf.Tensor3D; mask: tf.Tensor2D } => {
  const x = tf.randomNormal([3, N, 4], 0, 1, 'float32', 1);
  const s = tf.tidy(() => {
    const y = tf.randomNormal([3, 5, 4], 0, 1, 'float32', 2);
    const nx = tf.div(x, tf.norm(x, 'euclidean', -1, true));
    const ny = tf.div(y, tf.norm(y, 'euclidean', -1, true));
    return tf.matMul(nx, ny, false, true) as tf.Tensor3D; // [3, n, 5] cosines
  });
  x.dispose();
  const mask = tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 1, 0, 0, 0]]); // padded tokens
  return { s, mask };
};

test("background 'none' gives align.otScores' plan and score (seed line i unchanged)", () => {
  const before = tf.memory().numTensors;
  const x = tf.randomNormal([3, N, 4], 0, 1, 'float32', 1); // patches [P, n, d]
  const y = tf.randomNormal([3, 5, 4], 0, 1, 'float32', 2); // tokens [P, m, d]
  const mask = tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 1, 0, 0, 0]]);
  const s = tf.tidy(() => tf.stack([0, 1, 2].map((p) => tf.squeeze(pairwiseCosine(tf.slice(x, [p, 0, 0], [1, N, 4]), tf.slice(y, [p, 0, 0], [1, 5, 4])), [0, 1])))) as tf.Tensor3D; // [P, n, m]
  const { plan, scores } = otPairPlans(s, mask, resolveExperimentConfig({ loss: { otBackground: 'none' } }).loss);
  const got = scores.arraySync();
  const gotPlan = plan.arraySync();
  for (let p = 0; p < 3; p++) {
    tf.tidy(() => {
    const ref = otScores(tf.slice(x, [p, 0, 0], [1, N, 4]), tf.slice(y, [p, 0, 0], [1, 5, 4]), tf.slice(mask, [p, 0], [1, 5]), { eps: 0.05, iterations: 20, method: 'kernel' });
    assert.ok(Math.abs(got[p]! - ref.scores.arraySync()[0]![0]!) < 1e-5, `score of pair ${p}`);
    const refPlan = ref.plans.arraySync()[0]!;
    refPlan.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - gotPlan[p]![i]![j]!) < 1e-6)));
    });
  }
  const col = read(() => tf.sum(plan, 1)) as number[][];
  assert.ok(Math.abs(col[1]![0]! - 1 / 3) < 1e-3 && col[1]![3] === 0 && col[2]![4] === 0, 'uniform on valid tokens, nothing on padding');
  tf.dispose([plan, scores, s, mask, x, y]);
  assert.equal(tf.memory().numTensors, before, 'no leak');
});

test("background 'dustbin': the dustbin takes ρ, tokens share 1 − ρ, rows still send 1/n; score is mass-normalised", () => {
  const before = tf.memory().numTensors;
  const { s, mask } = pairs();
  const loss = resolveExperimentConfig({ loss: { otBackground: 'dustbin', dustbinMass: 0.6, iterations: 200 } }).loss;
  const { plan, scores } = otPairPlans(s, mask, loss);
  const tokenMass = read(() => tf.sum(plan, [1, 2])) as number[];
  tokenMass.forEach((v) => assert.ok(Math.abs(v - 0.4) < 1e-3, `token mass ${v}`));
  const col = read(() => tf.sum(plan, 1)) as number[][];
  assert.ok(Math.abs(col[2]![0]! - 0.4 / 2) < 1e-3 && col[2]![2] === 0, 'uniform over valid tokens, none on padding');
  const rows = read(() => tf.sum(plan, 2)) as number[][];
  rows.flat().forEach((r) => assert.ok(r <= 1 / N + 1e-4, 'a patch never sends more than 1/n to tokens'));
  const plain = read(() => tf.div(tf.sum(tf.mul(plan, s), [1, 2]), 0.4)) as number[];
  scores.arraySync().forEach((v, i) => assert.ok(Math.abs(v - plain[i]!) < 1e-5));
  tf.dispose([plan, scores, s, mask]);
  assert.equal(tf.memory().numTensors, before, 'no leak');
});
