import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { newBoxWarnings } from './box_check';
import { codecByName } from './codec_registry';
import { coordinateTargets, gaussianBinTargets, softTokenNll } from './coordinate_smoothing';
import { resolveGroundedLMConfig } from './grounded_lm_config';
import { weightedTokenLoss } from './sequence_loss';
import { stage1GroundedTask } from './stage1_grounded_task';
import { tinyStage1, tinyStage1Options, trainTinyPart } from './test_support/stage1_fixtures';
import { stepRng } from '../train/step_rng';
import { coordinateRows, PatchBoxHead } from './patch_boxes';

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

test('Gaussian bin targets (hand-computed, 3 bins, σ = 1): rows are exp(−(j−k)²/2) normalised; bad arguments are refused', () => {
  const q = gaussianBinTargets(3, 1);
  const e = Math.exp(-0.5);
  const e2 = Math.exp(-2);
  [[1, e, e2], [e, 1, e], [e2, e, 1]].forEach((row, k) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((v, j) => close(q[k * 3 + j]!, v / total));
  });
  assert.throws(() => gaussianBinTargets(3, 0), /sigma must be a positive number of bins; got 0/);
  assert.throws(() => gaussianBinTargets(0, 1), /bins must be a positive integer; got 0/);
});

test('soft token NLL (hand-computed): one-hot outside the coordinate block, the Gaussian row inside it', () => {
  // V = 5, bins at ids 2, 3, 4; labels: a word (0), bin 1 (id 3), bin 0 (id 2)
  const logp = tf.logSoftmax(tf.tensor2d([[0.1, 0.2, 0.3, 0.4, 0.5], [1, -1, 0.5, 2, 0], [0, 0, 3, 1, -2]]));
  const lp = logp.arraySync() as number[][];
  const c = { start: 2, count: 3, table: gaussianBinTargets(3, 1) };
  const got = softTokenNll(logp as tf.Tensor2D, tf.tensor1d([0, 3, 2], 'int32'), c).arraySync() as number[];
  close(got[0]!, -lp[0]![0]!);
  close(got[1]!, -[0, 1, 2].reduce((a, j) => a + c.table[1 * 3 + j]! * lp[1]![2 + j]!, 0));
  close(got[2]!, -[0, 1, 2].reduce((a, j) => a + c.table[0 * 3 + j]! * lp[2]![2 + j]!, 0));
  // a tiny σ is the one-hot cross-entropy again
  const logits = tf.randomNormal([6, 5], 0, 1, 'float32', 2);
  const labels = tf.tensor1d([0, 2, 3, 4, 1, 3], 'int32');
  const w = tf.tensor1d([1, 1, 1, 0.5, 1, 0]);
  const hard = weightedTokenLoss(logits, labels, w).total.dataSync()[0]!;
  const sharp = weightedTokenLoss(logits, labels, w, { start: 2, count: 3, table: gaussianBinTargets(3, 0.05) }).total.dataSync()[0]!;
  const wide = weightedTokenLoss(logits, labels, w, { start: 2, count: 3, table: gaussianBinTargets(3, 2) }).total.dataSync()[0]!;
  close(sharp, hard);
  assert.ok(Math.abs(wide - hard) > 1e-3, `σ = 2 changes the loss: ${wide} vs ${hard}`);
  tf.dispose([logp, logits, labels, w]);
});

test('coordinate targets need ordered bins: the bins codec is accepted, grid and text are refused naming the setting; the config refuses σ < 0', () => {
  const bins = coordinateTargets(codecByName('bins64'), 100, 1);
  assert.equal(bins.count, 64);
  assert.equal(bins.table.length, 64 * 64);
  assert.throws(() => coordinateTargets(codecByName('grid16'), 100, 1), /stage1\.coordinateSmoothing needs the bins codec \(ordered <bin_k> tokens\); got codec 'grid16'/);
  assert.throws(() => coordinateTargets(codecByName('text1000'), 100, 1), /got codec 'text1000'/);
  assert.equal(resolveGroundedLMConfig({}).stage1.coordinateSmoothing, 0);
  assert.throws(() => resolveGroundedLMConfig({ stage1: { coordinateSmoothing: -1 } }), /GroundedLMConfig\.stage1\.coordinateSmoothing: expected a number of bins ≥ 0, got -1/);
});

test('stage 1 with coordinateSmoothing 1: answers and patch boxes use the soft targets (their losses change, the words’ do not), training falls, nothing leaks', async () => {
  const { pool, model, tok, codec } = tinyStage1();
  const weights = { detection: 1, regionCaption: 0, rec: 1, listing: 0 };
  const hard = stage1GroundedTask(model, tok, codec, pool, tinyStage1Options(weights, { patchBoxWeight: 1 }), newBoxWarnings(), {});
  const soft = stage1GroundedTask(model, tok, codec, pool, tinyStage1Options(weights, { patchBoxWeight: 1, coordinateSmoothing: 1 }), newBoxWarnings(), {});
  const batch = hard.nextBatch(0, stepRng(0, 0));
  const parts = (t: typeof hard) => tf.tidy(() => Object.fromEntries(Object.entries(t.lossFn(batch, 0).parts).map(([k, v]) => [k, v.dataSync()[0]!])));
  const a = parts(hard);
  const b = parts(soft);
  assert.ok(b.nll! > a.nll! + 1e-3, `the soft targets' cross-entropy is higher at init (their entropy is added): ${b.nll} vs ${a.nll}`);
  assert.notEqual(b.patchBox, a.patchBox, 'patch boxes use them too (checked by hand below)');
  close(b.tokenAcc!, a.tokenAcc!);
  const { first, last } = await trainTinyPart(soft, 'nll');
  assert.ok(last < first - 0.5, `the soft-target loss falls on 8 memorisable scenes: ${first} → ${last}`);
  model.dispose();
});

test('patch-box loss with soft targets (hand-computed from the head’s log-probabilities); a tiny σ is the one-hot loss', () => {
  const { model, tok, codec } = tinyStage1();
  const head = new PatchBoxHead(16, 4, 0);
  const rows = coordinateRows(tok, codec);
  const prefix = tf.randomNormal([1, 2, 16], 0, 1, 'float32', 4);
  const codes = tf.tensor1d([0, 5, 31, 17, 2, 2, 30, 9], 'int32');
  const weights = tf.tensor1d([1, 1, 1, 1, 0, 0, 1, 1]);
  const N = rows.count;
  const table = gaussianBinTargets(N, 1.5);
  const logp = tf.tidy(() => {
    const h = tf.reshape(head.linear.forward(prefix), [-1, 16]) as tf.Tensor2D;
    const emb = tf.slice(model.lm.embeddingTable(), [rows.start, 0], [N, 16]) as tf.Tensor2D;
    return tf.logSoftmax(tf.matMul(h, tf.transpose(emb)), -1).arraySync() as number[][];
  });
  const c = codes.arraySync() as number[];
  const w = weights.arraySync() as number[];
  let want = 0;
  c.forEach((k, i) => (want += w[i]! * -logp[i]!.reduce((a, lp, j) => a + table[k * N + j]! * lp, 0)));
  want /= w.reduce((a, b) => a + b, 0);
  close(head.loss(prefix, model.lm, rows, codes, weights, table).dataSync()[0]!, want, 1e-4);
  close(head.loss(prefix, model.lm, rows, codes, weights, gaussianBinTargets(N, 0.05)).dataSync()[0]!, head.loss(prefix, model.lm, rows, codes, weights).dataSync()[0]!, 1e-4);
  tf.dispose([prefix, codes, weights]);
  head.dispose();
  model.dispose();
});
