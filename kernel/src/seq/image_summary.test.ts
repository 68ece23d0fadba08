import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { BoxSlotEmbedding } from './box_slots';
import { CausalLM } from './causal_lm';
import { GroundedLM } from './grounded_lm';
import { resolveGroundedLMConfig } from './grounded_lm_config';
import { ImageSummary } from './image_summary';

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

test('ImageSummary: W_out · max over the patches of W_in · prefix, by hand; blind to the patches’ order; one patch can move it alone', () => {
  const B = 2;
  const P = 5;
  const d = 4;
  const summary = new ImageSummary(d, 3);
  const prefix = tf.randomNormal([B, P, d], 0, 1, 'float32', 5);
  const got = summary.forward(prefix).arraySync() as number[][][];
  assert.deepEqual([got.length, got[0]!.length, got[0]![0]!.length], [B, 1, d]);
  const x = prefix.arraySync() as number[][][];
  const wIn = summary.pool.weight.arraySync() as number[][];
  const bIn = summary.pool.bias.arraySync() as number[];
  const wOut = summary.out.weight.arraySync() as number[][];
  const bOut = summary.out.bias.arraySync() as number[];
  for (let b = 0; b < B; b++) {
    const pooled = Array.from({ length: d }, (_, j) => Math.max(...x[b]!.map((row) => row.reduce((a, v, i) => a + v * wIn[i]![j]!, bIn[j]!))));
    for (let k = 0; k < d; k++) {
      const want = pooled.reduce((a, v, j) => a + v * wOut[j]![k]!, bOut[k]!);
      assert.ok(Math.abs(got[b]![0]![k]! - want) < 1e-6, `row ${b}, entry ${k}: ${got[b]![0]![k]} vs ${want} by hand`);
    }
  }
  const reversed = tf.reverse(prefix, 1);
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(summary.forward(reversed), summary.forward(prefix)))).dataSync()[0]!);
  assert.equal(diff, 0, 'the same summary for the patches in any order');
  // an OR: a patch far out along W_in's first column decides that maximum whatever the other patches hold
  const loud = tf.tidy(() => {
    const direction = tf.reshape(tf.slice(summary.pool.weight, [0, 0], [d, 1]), [1, 1, d]); // W_in[:, 0]
    const mask = tf.reshape(tf.oneHot(tf.tensor1d([2], 'int32'), P), [1, P, 1]);
    return tf.add(prefix, tf.mul(tf.mul(mask, direction), 1e4)); // patch 2 of each row pushed along it
  });
  const moved = tf.tidy(() => tf.sub(summary.forward(loud), summary.forward(prefix)).arraySync() as number[][][]);
  assert.ok(moved.every((row) => row[0]!.some((v) => Math.abs(v) > 1e-3)), 'one loud patch moves every row’s summary');
  const before = tf.memory().numTensors;
  tf.dispose(summary.forward(prefix));
  assert.equal(tf.memory().numTensors, before, 'forward leaks no tensor');
  assert.throws(() => summary.forward(tf.zeros([1, 3, 8])), /prefix must be \[B, P, 4\]; got \[1,3,8\]/);
  tf.dispose([prefix, reversed, loud]);
  summary.dispose();
});

test('GroundedLM with an image summary: every text position gets the same vector of its image; it learns, comes last, and is off by default', () => {
  const encoder = { width: 16, depth: 1, heads: 2, mlpWidth: 32, outputDim: 16, patchSize: 16 }; // 64-px images: a 4 × 4 grid
  const lmConfig = { vocabSize: 12, maxLength: 12, width: 16, depth: 1, heads: 2, mlpWidth: 32, prefixAttention: 'memory' as const };
  const plain = new GroundedLM(new CausalLM(lmConfig, 4), encoder, 7);
  const summary = new ImageSummary(16, 9);
  const summed = new GroundedLM(new CausalLM(lmConfig, 4), encoder, 7, { imageSummary: summary });
  assert.equal(summed.variables().length, plain.variables().length + 4);
  assert.deepEqual(summed.variables().slice(-4), summary.trainableVariables(), 'the summary’s variables come last (the checkpoint order)');
  const images = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 1);
  const ids = tf.tensor2d([[5, 6, 9, 1], [5, 9, 1, 2]], [2, 4], 'int32');
  // the same LM with the summary written into its token embeddings' input by hand gives the same logits
  const diff = tf.tidy(() => {
    const prefix = summed.prefix(images);
    const viaPart = summed.textLogits(ids, prefix);
    const byHand = summed.lm.logits(summed.lm.forward(ids, prefix, undefined, undefined, tf.tile(summary.forward(prefix), [1, 4, 1])));
    return tf.max(tf.abs(tf.sub(viaPart, byHand))).dataSync()[0]!;
  });
  assert.ok(diff < 1e-6, `textLogits adds the summary to every text position (max difference ${diff})`);
  // with box slots as well, both are added
  const slots = new BoxSlotEmbedding(9, 4, 16, 3);
  const both = new GroundedLM(new CausalLM(lmConfig, 4), encoder, 7, { slots, imageSummary: new ImageSummary(16, 9) });
  const diffBoth = tf.tidy(() => {
    const prefix = both.prefix(images);
    const input = tf.add(slots.forward(ids), tf.tile(both.imageSummary!.forward(prefix), [1, 4, 1]));
    return tf.max(tf.abs(tf.sub(both.textLogits(ids, prefix), both.lm.logits(both.lm.forward(ids, prefix, undefined, undefined, input))))).dataSync()[0]!;
  });
  assert.ok(diffBoth < 1e-6, `box slots and the summary are both added (max difference ${diffBoth})`);
  both.dispose();
  const { grads } = tf.variableGrads(() => tf.mean(tf.square(summed.textLogits(ids, summed.prefix(images)))) as tf.Scalar, summary.trainableVariables());
  for (const v of summary.trainableVariables()) assert.ok(tf.sum(tf.abs(grads[v.name]!)).dataSync()[0]! > 0, `${v.name} learns`);
  tf.dispose([images, ids, ...Object.values(grads)]);
  plain.dispose();
  summed.dispose();
  assert.equal(resolveGroundedLMConfig({}).model.imageSummary, false, 'off by default');
  assert.throws(() => resolveGroundedLMConfig({ model: { imageSummary: 1 } }), /model\.imageSummary/);
});
