import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { answerAttentionLoss, answerAttentionTargets, packedAnswerAttentionTargets } from './answer_attention';
import { newBoxWarnings } from './box_check';
import { codecByName } from './codec_registry';
import { packedExampleRows } from './packed_rows';
import { exampleRows } from './sequence_batch';
import { resolveGroundedLMConfig } from './grounded_lm_config';
import { groundedTokenizer, textTokenizer } from './sequence_vocabulary';
import { stage1GroundedTask } from './stage1_grounded_task';
import type { SeqExample } from './task_templates';
import { segmentPositions, tinyStage1, tinyStage1Options, trainTinyPart, twoObjectScene } from './test_support/stage1_fixtures';
import { wordAttentionTargets } from './word_attention';

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

const codec = codecByName('bins32');
const tok = groundedTokenizer(codec, textTokenizer());
const ex = (task: SeqExample['task'], prompt: string[], target: string[], object: number): SeqExample => ({ task, record: 'test#0', prompt, target: [...target, '[EOS]'], weights: [...target.map(() => 1), 1], object });

// the circle owns patches 0, 1, 4; the star 5, 6, 9, 10 (stage1_fixtures' grid); a red square [50, 50, 54, 54] owns none
const scene = twoObjectScene([{ box: [50, 50, 54, 54], name: 'square', regionPhrase: 'the red square' }], {
  circle: { regionPhrase: 'small red circle' },
  star: { regionPhrase: 'large red star' },
});
const CIRCLE = [0, 1, 4];
const STAR = [5, 6, 9, 10];
const mask = (owned: number[]): number[] => Array.from({ length: 16 }, (_, p) => (owned.includes(p) ? 1 : 0));

test('word attention targets: each content word → the patches of every object its phrase names (hand-computed 4×4 grid); function words, other words and objects owning no patch are left out', () => {
  const rec = ex('rec', ['locate', 'the', 'red', 'star'], ['<box>', '<bin_1>', '<bin_2>', '<bin_5>', '<bin_9>', '</box>'], 1);
  const rows = exampleRows([rec], tok);
  // inputs: [BOS] locate the red star [SEP] <box> b b b b </box>
  const { patches, positions } = wordAttentionTargets([scene], rows, 4, tok);
  const T = rows.length;
  const expected = new Array(T).fill(0);
  expected[3] = 1; // red: the circle and the star (the red square owns no patch)
  expected[4] = 1; // star
  assert.deepEqual(Array.from(positions), expected);
  assert.deepEqual(Array.from(patches.subarray(3 * 16, 4 * 16)), mask([...CIRCLE, ...STAR]));
  assert.deepEqual(Array.from(patches.subarray(4 * 16, 5 * 16)), mask(STAR));
  assert.deepEqual(Array.from(patches.subarray(0, 3 * 16)), new Array(48).fill(0), '[BOS], locate, the');
  assert.deepEqual(Array.from(patches.subarray(5 * 16)), new Array((T - 5) * 16).fill(0), '[SEP] and the answer');
  assert.throws(() => wordAttentionTargets([scene, scene], rows, 4, tok), /2 scenes for 1 rows/);
});

test('word attention targets: the prompt only — a region caption’s, a listing’s and a detection’s answer words are left out', () => {
  const caption = ex('regionCaption', ['describe', '<box>', '<bin_1>', '<bin_2>', '<bin_5>', '<bin_9>', '</box>'], ['small', 'red', 'circle'], 0);
  const listing = ex('listing', ['list'], ['circle', 'star'], -1);
  const detection = ex('detection', ['detect'], ['<box>', '<bin_1>', '<bin_2>', '<bin_5>', '<bin_9>', '</box>', 'star'], -1);
  const rows = exampleRows([caption, listing, detection], tok);
  const { patches, positions } = wordAttentionTargets([scene, scene, scene], rows, 4, tok);
  assert.deepEqual(Array.from(positions), new Array(3 * rows.length).fill(0));
  assert.deepEqual(Array.from(patches), new Array(3 * rows.length * 16).fill(0));
  // the same words in a prompt are supervised: "locate the small red circle"
  const rec = ex('rec', ['locate', 'the', 'small', 'red', 'circle'], ['<box>', '<bin_1>', '<bin_2>', '<bin_5>', '<bin_9>', '</box>'], 0);
  const one = wordAttentionTargets([scene], exampleRows([rec], tok), 4, tok);
  assert.deepEqual(Array.from(one.positions.subarray(0, 7)), [0, 0, 0, 1, 1, 1, 0]);
  assert.deepEqual(Array.from(one.patches.subarray(3 * 16, 4 * 16)), mask(CIRCLE), 'small: the circle');
  assert.deepEqual(Array.from(one.patches.subarray(4 * 16, 5 * 16)), mask([...CIRCLE, ...STAR]), 'red: both red objects');
});

test('word attention targets, scope \'all\' (the first version): every content word but the answer-attention positions', () => {
  const caption = ex('regionCaption', ['describe', '<box>', '<bin_1>', '<bin_2>', '<bin_5>', '<bin_9>', '</box>'], ['small', 'red', 'circle'], 0);
  const listing = ex('listing', ['list'], ['circle', 'star'], -1);
  const rows = exampleRows([caption, listing], tok);
  const answer = answerAttentionTargets([caption, listing], [scene, scene], rows, 4, tok);
  const words = wordAttentionTargets([scene, scene], rows, 4, tok, 'all', answer.positions);
  const T = rows.length;
  // caption inputs: [BOS] describe <box> b b b b </box> [SEP] small red circle — answer attention has t = 8…10
  // (predicting small, red, circle); the last word (t = 11, predicting [EOS]) is word attention's: the circles
  const captioned = new Array(T).fill(0);
  captioned[11] = 1;
  assert.deepEqual(Array.from(words.positions.subarray(0, T)), captioned);
  assert.deepEqual(Array.from(words.patches.subarray(11 * 16, 12 * 16)), mask(CIRCLE));
  // listing inputs: [BOS] list [SEP] circle star
  assert.deepEqual(Array.from(words.positions.subarray(T, T + 6)), [0, 0, 0, 1, 1, 0]);
  assert.deepEqual(Array.from(words.patches.subarray((T + 4) * 16, (T + 5) * 16)), mask(STAR));
  assert.throws(() => wordAttentionTargets([scene, scene], rows, 4, tok, 'all', new Float32Array(3)), /answerPositions has 3 entries, expected B·T = 2·12/);
});

test('word attention targets of packed rows: each segment’s prompt is supervised as if its example were alone, in both scopes; padding is left out', () => {
  const rec = ex('rec', ['locate', 'the', 'red', 'star'], ['<box>', '<bin_1>', '<bin_2>', '<bin_5>', '<bin_9>', '</box>'], 1);
  const caption = ex('regionCaption', ['describe', '<box>', '<bin_1>', '<bin_2>', '<bin_5>', '<bin_9>', '</box>'], ['small', 'red', 'circle'], 0);
  const listing = ex('listing', ['list'], ['circle', 'star'], -1);
  const small = ex('rec', ['locate', 'the', 'small', 'red', 'circle'], ['<box>', '<bin_1>', '<bin_2>', '<bin_5>', '<bin_9>', '</box>'], 0);
  const rows = [[listing, rec], [caption, small], [small]];
  const packed = packedExampleRows(rows, tok);
  const T = packed.length;
  const P = 16;
  for (const scope of ['prompt', 'all'] as const) {
    const answers = scope === 'all' ? packedAnswerAttentionTargets(rows, [scene, scene, scene], packed, 4, tok).positions : undefined;
    const got = wordAttentionTargets([scene, scene, scene], packed, 4, tok, scope, answers);
    const seen = new Array(rows.length * T).fill(false);
    let supervised = 0;
    for (const { b, e, k, i } of segmentPositions(rows, T)) {
      const alone = exampleRows([e], tok);
      const aloneAnswers = scope === 'all' ? answerAttentionTargets([e], [scene], alone, 4, tok).positions : undefined;
      const one = wordAttentionTargets([scene], alone, 4, tok, scope, aloneAnswers);
      seen[i] = true;
      assert.equal(got.positions[i], one.positions[k], `${scope}: row ${b}, '${e.prompt.join(' ')}' position ${k}`);
      assert.deepEqual(Array.from(got.patches.subarray(i * P, (i + 1) * P)), Array.from(one.patches.subarray(k * P, (k + 1) * P)), `${scope}: patches at row ${b}, position ${k}`);
      supervised += one.positions[k]!;
    }
    // prompt: red star (2) + small red circle twice (3 + 3); all: + the caption's last word and the listing's two names
    assert.equal(supervised, scope === 'prompt' ? 8 : 11, scope);
    seen.forEach((inside, i) => inside || assert.equal(got.positions[i], 0, `${scope}: padding position ${i}`));
  }
});

test('the attention loss with per-position targets [B, T, P]: mean −log mass over the supervised positions (hand-computed)', () => {
  const A = tf.tensor3d([[
    [1, 0, 0, 0],
    [0.5, 0.5, 0, 0],
    [0.2, 0.3, 0.5, 0], // text t = 0
    [0.6, 0.1, 0.1, 0.2], // text t = 1
  ]]);
  const loss = answerAttentionLoss(A, 2, tf.tensor3d([[[1, 0], [1, 1]]]), tf.tensor2d([[1, 1]])).dataSync()[0]!;
  assert.ok(Math.abs(loss - (-Math.log(0.2 + 1e-6) - Math.log(0.7 + 1e-6)) / 2) < 1e-5, `loss ${loss}`);
});

test('config: stage1.wordAttentionScope is checked by name', () => {
  assert.equal(resolveGroundedLMConfig({}).stage1.wordAttentionScope, 'prompt');
  assert.throws(() => resolveGroundedLMConfig({ stage1: { wordAttentionScope: 'answers' } }), /GroundedLMConfig\.stage1\.wordAttentionScope: expected 'prompt' or 'all', got "answers"/);
});

for (const perImage of [1, 2]) {
  test(`stage 1 with wordAttentionWeight > 0, ${perImage} example(s) per row: the loss is reported and falls, no extra variables, nothing leaks`, async () => {
    const { pool, model } = tinyStage1();
    const options = tinyStage1Options({ detection: 1, regionCaption: 0, rec: 1, listing: 0 }, { wordAttentionWeight: 1, examplesPerImage: perImage });
    const task = stage1GroundedTask(model, tok, codec, pool, options, newBoxWarnings(), {});
    assert.equal(task.variables().length, model.variables().length);
    const { first, last } = await trainTinyPart(task, 'wordAttention');
    assert.ok(Number.isFinite(first) && first > 0.5, `starts high: ${first}`);
    assert.ok(last < first - 0.3, `the word-attention loss falls on 8 memorisable scenes: ${first} → ${last}`);
    model.dispose();
  });
}
