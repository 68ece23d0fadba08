import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { WordTokenizer } from '../data/word_tokenizer';
import { SPECIAL_TOKENS } from '../data/scene_vocabulary';
import { newBoxWarnings } from './box_check';
import { CausalLM } from './causal_lm';
import { PatchWordHead, patchWordTargets } from './patch_words';
import { stage1GroundedTask } from './stage1_grounded_task';
import { tinyStage1, tinyStage1Options, trainTinyPart, twoObjectScene } from './test_support/stage1_fixtures';

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

test('patch words: each owned patch gets its owner’s phrase as a bag of words, unknown words skipped, background weight 0 (hand-computed 4×4 grid)', () => {
  const tok = new WordTokenizer([...SPECIAL_TOKENS, 'small', 'red', 'circle', 'star']);
  // the star's phrase has a word outside the vocabulary: skipped
  const scene = twoObjectScene([], { circle: { regionPhrase: 'small red circle' }, star: { regionPhrase: 'glowing star' } });
  const V = tok.size;
  const { distributions, weights } = patchWordTargets([scene], 4, tok);
  const circle = new Array(V).fill(0);
  for (const w of ['small', 'red', 'circle']) circle[tok.idOf(w)] = 1 / 3;
  const star = new Array(V).fill(0);
  star[tok.idOf('star')] = 1;
  const none = new Array(V).fill(0);
  // prettier-ignore
  const expected = [
    circle, circle, none, none,
    circle, star, star, none,
    none, star, star, none,
    none, none, none, none,
  ];
  const got = Array.from({ length: 16 }, (_, p) => Array.from(distributions.subarray(p * V, (p + 1) * V)));
  got.forEach((row, p) => row.forEach((x, w) => assert.ok(Math.abs(x - expected[p]![w]!) < 1e-7, `patch ${p} word ${w}: ${x}`)));
  assert.deepEqual(Array.from(weights), expected.map((r) => (r === none ? 0 : 1)));
});

test('patch words: the loss is the mean bag-of-words cross-entropy against the tied embedding over owned patches (hand-computed)', () => {
  const d = 2;
  const V = 3;
  const lm = new CausalLM({ vocabSize: V, maxLength: 8, width: d, depth: 1, heads: 1, mlpWidth: 4 }, 0);
  lm.textEmbedding.assign(tf.tensor2d([[1, 0], [0, 1], [1, 1]])); // e_0, e_1, e_2
  const head = new PatchWordHead(d, 0);
  head.linear.weight.assign(tf.tensor2d([[1, 0], [0, 1]]));
  head.linear.bias.assign(tf.zeros([2]));
  const prefix = tf.tensor3d([[[2, 0], [0, 1], [5, 5]]]); // [1, 3, 2]: patch 2 is background
  const dist = tf.tensor2d([[0.5, 0, 0.5], [0, 1, 0], [0, 0, 0]]);
  const loss = head.loss(prefix, lm, dist, tf.tensor1d([1, 1, 0])).dataSync()[0]!;
  const logSoftmax = (z: number[]) => {
    const lse = Math.log(z.reduce((a, b) => a + Math.exp(b), 0));
    return z.map((x) => x - lse);
  };
  const l0 = logSoftmax([2, 0, 2]); // h = (2, 0)
  const l1 = logSoftmax([0, 1, 1]); // h = (0, 1)
  const expected = (-(0.5 * l0[0]! + 0.5 * l0[2]!) - l1[1]!) / 2;
  assert.ok(Math.abs(loss - expected) < 1e-5, `loss ${loss} vs ${expected}`);
  head.dispose();
  lm.dispose();
});

test('stage 1 with patchWordWeight > 0: the head is trained with the model, the loss is reported and falls, nothing leaks', async () => {
  const { codec, tok, pool, model } = tinyStage1();
  const task = stage1GroundedTask(model, tok, codec, pool, tinyStage1Options({ detection: 1, regionCaption: 0, rec: 1, listing: 0 }, { patchWordWeight: 1 }), newBoxWarnings(), {});
  assert.equal(task.variables().length, model.variables().length + 2, 'the head’s weight and bias are trained too');
  const { first, last } = await trainTinyPart(task, 'patchWord');
  assert.ok(Number.isFinite(first) && first > 2, `starts near ln V: ${first}`);
  assert.ok(last < first - 1, `the patch-word loss falls on 8 memorisable scenes: ${first} → ${last}`);
  model.dispose();
});
