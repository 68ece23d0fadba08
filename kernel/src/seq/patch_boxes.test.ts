import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { newBoxWarnings } from './box_check';
import { CausalLM } from './causal_lm';
import { codecByName } from './codec_registry';
import { coordinateRows, PatchBoxHead, patchBoxTargets, tokensPerBox } from './patch_boxes';
import { groundedTokenizer, textTokenizer } from './sequence_vocabulary';
import { stage1GroundedTask } from './stage1_grounded_task';
import { extendVocabulary } from './vocabulary_extension';
import { tinyStage1, tinyStage1Options, trainTinyPart, twoObjectScene } from './test_support/stage1_fixtures';

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

test('patch boxes: tokens per box of each codec; the text codec (varying digit runs) is rejected by name', () => {
  assert.equal(tokensPerBox(codecByName('bins64')), 4);
  assert.equal(tokensPerBox(codecByName('grid16')), 2);
  assert.throws(() => tokensPerBox(codecByName('text1000')), /codec 'text1000'.*patchBoxWeight/);
});

test('patch boxes: each owned patch gets its owner’s bins, background patches weight 0 (hand-computed 4×4 grid, bins 65 on 64 px)', () => {
  const scene = twoObjectScene();
  const codec = codecByName('bins65'); // k = round(x / 64 · 64) = x
  const { codes, weights } = patchBoxTargets([scene], 4, codec, { clipBoxes: false }, newBoxWarnings());
  const c = [0, 0, 32, 32];
  const s = [20, 20, 44, 44];
  const z = [0, 0, 0, 0];
  // prettier-ignore
  const expected = [
    c, c, z, z,
    c, s, s, z,
    z, s, s, z,
    z, z, z, z,
  ];
  assert.deepEqual(Array.from(codes), expected.flat());
  assert.deepEqual(Array.from(weights), expected.map((b) => (b === z ? [0, 0, 0, 0] : [1, 1, 1, 1])).flat());
});

test('patch boxes: the coordinate rows are the codec’s run of the vocabulary; the loss is the mean cross-entropy over owned patches (hand-computed)', () => {
  const base = textTokenizer();
  const codec = codecByName('bins4');
  const tok = groundedTokenizer(codec, base);
  const rows = coordinateRows(tok, codec);
  assert.equal(rows.count, 4);
  assert.equal(tok.wordOf(rows.start), '<bin_0>');
  assert.equal(tok.wordOf(rows.start + 3), '<bin_3>');

  const d = 2;
  const lm = extendVocabulary(new CausalLM({ vocabSize: base.size, maxLength: 8, width: d, depth: 1, heads: 1, mlpWidth: 4 }, 0), tok.size - base.size, 1);
  // coordinate embeddings e_k = (k, 1)
  const table = lm.extraEmbedding!.arraySync() as number[][];
  for (let k = 0; k < 4; k++) table[rows.start - base.size + k] = [k, 1];
  lm.extraEmbedding!.assign(tf.tensor2d(table));
  const head = new PatchBoxHead(d, 1, 0); // L = 1 token per "box" for a small hand computation
  head.linear.weight.assign(tf.tensor2d([[1, 0], [0, 1]]));
  head.linear.bias.assign(tf.zeros([2]));
  const prefix = tf.tensor3d([[[1, 0], [0, 2], [5, 5]]]); // [1, 3, 2]: patch 2 is background
  const loss = head.loss(prefix, lm, rows, tf.tensor1d([3, 1, 0], 'int32'), tf.tensor1d([1, 1, 0])).dataSync()[0]!;
  const ce = (h: number[], y: number) => {
    const z = [0, 1, 2, 3].map((k) => h[0]! * k + h[1]!);
    return Math.log(z.reduce((a, b) => a + Math.exp(b), 0)) - z[y]!;
  };
  assert.ok(Math.abs(loss - (ce([1, 0], 3) + ce([0, 2], 1)) / 2) < 1e-5, `loss ${loss}`);
  head.dispose();
  lm.dispose();
});

test('stage 1 with patchBoxWeight > 0: the head is trained with the model, the loss is reported and falls, nothing leaks', async () => {
  const { codec, tok, pool, model } = tinyStage1();
  const task = stage1GroundedTask(model, tok, codec, pool, tinyStage1Options({ detection: 1, regionCaption: 0, rec: 1, listing: 0 }, { patchBoxWeight: 1 }), newBoxWarnings(), {});
  assert.equal(task.variables().length, model.variables().length + 2, 'the head’s weight and bias are trained too');
  const { first, last } = await trainTinyPart(task, 'patchBox');
  assert.ok(Number.isFinite(first) && Math.abs(first - Math.log(32)) < 0.5, `starts near ln 32: ${first}`);
  assert.ok(last < first - 0.5, `the patch-box loss falls on 8 memorisable scenes: ${first} → ${last}`);
  model.dispose();
});
