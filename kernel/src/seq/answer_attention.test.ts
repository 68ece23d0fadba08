import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { answerAttentionLoss, answerAttentionTargets, packedAnswerAttentionTargets } from './answer_attention';
import { newBoxWarnings } from './box_check';
import { CausalLM, type LayerAttentionCapture } from './causal_lm';
import { codecByName } from './codec_registry';
import { packedExampleRows } from './packed_rows';
import { exampleRows } from './sequence_batch';
import { groundedTokenizer, textTokenizer } from './sequence_vocabulary';
import { stage1GroundedTask } from './stage1_grounded_task';
import type { SeqExample } from './task_templates';
import { segmentPositions, tinyStage1, tinyStage1Options, trainTinyPart, twoObjectScene } from './test_support/stage1_fixtures';
import { stepRng } from '../train/step_rng';
import { resolveGroundedLMConfig } from './grounded_lm_config';

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

const codec = codecByName('bins32');
const base = textTokenizer();
const tok = groundedTokenizer(codec, base);
const ex = (task: SeqExample['task'], prompt: string[], target: string[], object: number): SeqExample => ({ task, record: 'test#0', prompt, target: [...target, '[EOS]'], weights: [...target.map(() => 1), 1], object });

test('answer attention targets: the object’s patches (hand-computed 4×4 grid) and the answer positions before [EOS]; rows about no object or an object owning no patch are left out', () => {
  const scene = twoObjectScene([{ box: [50, 50, 54, 54], name: 'cross' }]); // the cross holds no patch centre
  const rec = ex('rec', ['locate', 'the', 'star'], ['<box>', '<bin_1>', '<bin_2>', '<bin_5>', '<bin_9>', '</box>'], 1);
  const list = ex('listing', ['list'], ['circle', 'star'], -1);
  const tiny = ex('rec', ['locate', 'the', 'cross'], ['<box>', '<bin_1>', '<bin_2>', '<bin_5>', '<bin_9>', '</box>'], 2);
  const rows = exampleRows([rec, list, tiny], tok);
  const { patches, positions } = answerAttentionTargets([rec, list, tiny], [scene, scene, scene], rows, 4, tok);
  // prettier-ignore
  const star = [
    0, 0, 0, 0,
    0, 1, 1, 0,
    0, 1, 1, 0,
    0, 0, 0, 0,
  ];
  assert.deepEqual(Array.from(patches.subarray(0, 16)), star);
  assert.deepEqual(Array.from(patches.subarray(16)), new Array(32).fill(0));
  const T = rows.length;
  // [BOS] locate the star [SEP] <box> b b b b </box> [EOS]: inputs at t = 0…10, the answer predicted from t = 4 ([SEP]) on
  const expected = new Array(T).fill(0);
  for (let t = 4; t <= 9; t++) expected[t] = 1; // predicting <box> … </box>, not [EOS] (t = 10)
  assert.deepEqual(Array.from(positions.subarray(0, T)), expected);
  assert.deepEqual(Array.from(positions.subarray(T)), new Array(2 * T).fill(0));
});

test('answer attention targets of packed rows: each segment’s positions carry the targets of its example alone (per position); padding and examples about no object are left out', () => {
  const scene = twoObjectScene([{ box: [50, 50, 54, 54], name: 'cross' }]); // the cross holds no patch centre
  const aboutStar = ex('rec', ['locate', 'the', 'star'], ['<box>', '<bin_1>', '<bin_2>', '<bin_5>', '<bin_9>', '</box>'], 1);
  const aboutCircle = ex('regionCaption', ['describe', '<box>', '<bin_0>', '<bin_0>', '<bin_3>', '<bin_3>', '</box>'], ['small', 'red', 'circle'], 0);
  const list = ex('listing', ['list'], ['circle', 'star'], -1);
  const tiny = ex('rec', ['locate', 'the', 'cross'], ['<box>', '<bin_1>', '<bin_2>', '<bin_5>', '<bin_9>', '</box>'], 2);
  const rows = [[aboutStar, list, aboutCircle], [tiny, aboutStar]];
  const packed = packedExampleRows(rows, tok);
  const got = packedAnswerAttentionTargets(rows, [scene, scene], packed, 4, tok);
  const T = packed.length;
  const P = 16;
  const seen = new Array(2 * T).fill(false);
  let supervised = 0;
  for (const { b, e, k, i } of segmentPositions(rows, T)) {
    const one = answerAttentionTargets([e], [scene], exampleRows([e], tok), 4, tok);
    seen[i] = true;
    assert.equal(got.positions[i], one.positions[k], `row ${b}, '${e.prompt.join(' ')}' position ${k}`);
    const want = one.positions[k] ? Array.from(one.patches) : new Array(P).fill(0);
    assert.deepEqual(Array.from(got.patches.subarray(i * P, (i + 1) * P)), want, `patches at row ${b}, '${e.prompt.join(' ')}' position ${k}`);
    supervised += one.positions[k]!;
  }
  assert.equal(supervised, 2 * 6 + 3, 'two star boxes (6 positions each) and the circle caption (3 words); the listing and the cross have none');
  seen.forEach((inside, i) => inside || assert.equal(got.positions[i], 0, `padding position ${i}`));
  assert.throws(() => packedAnswerAttentionTargets(rows, [scene], packed, 4, tok), /2 rows of examples and 1 scenes for 2 rows/);
});

test('answer attention loss: mean −log of the mass on the object’s patches over the supervised positions (hand-computed)', () => {
  // B = 1, P = 2 prefix positions, T = 2 text positions; rows of A are attention distributions
  const A = tf.tensor3d([[
    [1, 0, 0, 0],
    [0.5, 0.5, 0, 0],
    [0.2, 0.3, 0.5, 0], // text t = 0
    [0.6, 0.1, 0.1, 0.2], // text t = 1
  ]]);
  const loss = answerAttentionLoss(A, 2, tf.tensor2d([[0, 1]]), tf.tensor2d([[1, 1]])).dataSync()[0]!;
  assert.ok(Math.abs(loss - (-Math.log(0.3 + 1e-6) - Math.log(0.1 + 1e-6)) / 2) < 1e-5, `loss ${loss}`);
  const one = answerAttentionLoss(A, 2, tf.tensor2d([[1, 1]]), tf.tensor2d([[0, 1]])).dataSync()[0]!;
  assert.ok(Math.abs(one + Math.log(0.7 + 1e-6)) < 1e-5, `only t = 1 supervised: ${one}`);
  assert.equal(answerAttentionLoss(A, 2, tf.tensor2d([[1, 1]]), tf.tensor2d([[0, 0]])).dataSync()[0], 0);
});

test('attention capture: the same probabilities in the grouped (wasm) and batched (cpu) layouts; rows sum to 1, nothing after the query', async () => {
  const ids = tf.tensor2d([[1, 7, 8], [2, 3, 0]], [2, 3], 'int32');
  const prefix = tf.randomNormal([2, 4, 8], 0, 1, 'float32', 5);
  const got: number[][][][] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    await tf.setBackend(backend);
    try {
      const lm = new CausalLM({ vocabSize: 16, maxLength: 8, width: 8, depth: 2, heads: 2, mlpWidth: 16 }, 3);
      const capture: LayerAttentionCapture = { layer: 1, head: 1 };
      tf.tidy(() => {
        lm.forward(ids, prefix, undefined, capture);
        got.push(capture.attention!.arraySync() as number[][][]);
      });
      assert.throws(() => lm.forward(ids, prefix, undefined, { layer: 2, head: 0 }), /capture.layer must be an integer in \[0, 2\); got 2/);
      assert.throws(() => lm.forward(ids, prefix, undefined, { layer: 0, head: 2 }), /capture.head must be an integer in \[0, 2\); got 2/);
      lm.dispose();
    } finally {
      await tf.setBackend('wasm');
    }
  }
  const [wasm, cpu] = got as [number[][][], number[][][]];
  assert.equal(wasm.length, 2);
  assert.equal(wasm[0]!.length, 7);
  wasm.forEach((rows, b) =>
    rows.forEach((row, i) => {
      assert.ok(Math.abs(row.reduce((a, x) => a + x, 0) - 1) < 1e-5, `row ${b},${i} sums to 1`);
      row.forEach((x, j) => {
        assert.ok(Math.abs(x - cpu[b]![i]![j]!) < 1e-5, `wasm ${x} vs cpu ${cpu[b]![i]![j]} at ${b},${i},${j}`);
        if (j > i) assert.ok(x < 1e-6, 'causal');
      });
    }),
  );
  tf.dispose([ids, prefix]);
});

for (const perImage of [1, 2]) {
  test(`stage 1 with answerAttentionWeight > 0, ${perImage} example(s) per row: the loss is reported and falls, no extra variables, nothing leaks`, async () => {
    const { pool, model } = tinyStage1();
    const options = tinyStage1Options({ detection: 0, regionCaption: 1, rec: 1, listing: 0 }, { answerAttentionWeight: 1, examplesPerImage: perImage });
    const task = stage1GroundedTask(model, tok, codec, pool, options, newBoxWarnings(), {});
    assert.equal(task.variables().length, model.variables().length);
    if (perImage > 1) {
      const batch = task.nextBatch(0, stepRng(0, 0));
      assert.ok(batch.packing && batch.examples > batch.batch, `packed: ${batch.examples} examples in ${batch.batch} rows`);
      assert.equal(batch.answerAttention!.patches.length, batch.batch * batch.length * 16, 'per-position targets [B, T, P]');
    }
    const { first, last } = await trainTinyPart(task, 'answerAttention');
    assert.ok(Number.isFinite(first) && first > 0.5, `starts high: ${first}`);
    assert.ok(last < first - 0.5, `the answer-attention loss falls on 8 memorisable scenes: ${first} → ${last}`);
    model.dispose();
  });
}

test('attention capture of several heads: each equals that head captured alone; a count past the last head is refused', () => {
  const ids = tf.tensor2d([[1, 7, 8], [2, 3, 0]], [2, 3], 'int32');
  const prefix = tf.randomNormal([2, 4, 8], 0, 1, 'float32', 9);
  const lm = new CausalLM({ vocabSize: 16, maxLength: 8, width: 8, depth: 2, heads: 2, mlpWidth: 16 }, 4);
  tf.tidy(() => {
    const both: LayerAttentionCapture = { layer: 1, head: 0, count: 2 };
    lm.forward(ids, prefix, undefined, both);
    assert.equal(both.attentions!.length, 2);
    assert.equal(both.attention, both.attentions![0]);
    for (const head of [0, 1]) {
      const alone: LayerAttentionCapture = { layer: 1, head };
      lm.forward(ids, prefix, undefined, alone);
      assert.deepEqual(both.attentions![head]!.arraySync(), alone.attention!.arraySync(), `head ${head}`);
      assert.deepEqual(alone.attentions!.length, 1);
    }
    const differ = tf.max(tf.abs(tf.sub(both.attentions![0]!, both.attentions![1]!))).dataSync()[0]!;
    assert.ok(differ > 1e-4, `the two heads differ (${differ})`);
  });
  assert.throws(() => lm.forward(ids, prefix, undefined, { layer: 1, head: 1, count: 2 }), /capture.count must be an integer in \[1, 1\] \(heads 1… of 2\); got 2/);
  assert.throws(() => lm.forward(ids, prefix, undefined, { layer: 1, head: 0, count: 0 }), /capture.count must be an integer in \[1, 2\]/);
  lm.dispose();
  tf.dispose([ids, prefix]);
});

test('stage 1 with answerAttentionHeads 2: the loss is the mean of the two heads’ own losses and falls for both; more heads than the LM has are refused', async () => {
  const { pool, model } = tinyStage1();
  const options = tinyStage1Options({ detection: 0, regionCaption: 1, rec: 1, listing: 0 }, { answerAttentionWeight: 1, answerAttentionHeads: 2 });
  const heads = model.lm.config.heads;
  assert.throws(() => stage1GroundedTask(model, tok, codec, pool, { ...options, answerAttentionHeads: heads + 1 }, newBoxWarnings(), {}), new RegExp(`answerAttentionHeads must be an integer in \\[1, ${heads}\\] \\(the LM's heads\\); got ${heads + 1}`));
  const task = stage1GroundedTask(model, tok, codec, pool, options, newBoxWarnings(), {});
  const single = stage1GroundedTask(model, tok, codec, pool, { ...options, answerAttentionHeads: 1 }, newBoxWarnings(), {});
  const batch = task.nextBatch(0, stepRng(0, 0));
  // the mean over heads 0 and 1 from the parts of one-head tasks whose head is each of them in turn
  const two = tf.tidy(() => task.lossFn(batch, 0).parts.answerAttention!.dataSync()[0]!);
  const head0 = tf.tidy(() => single.lossFn(batch, 0).parts.answerAttention!.dataSync()[0]!);
  const perHead = tf.tidy(() => {
    const images = tf.tensor4d(batch.images, batch.imageShape);
    const capture: LayerAttentionCapture = { layer: model.lm.config.depth - 1, head: 0, count: 2 };
    model.textLogits(tf.tensor2d(batch.ids, [batch.batch, batch.length], 'int32'), model.prefix(images), undefined, capture);
    const P = model.numPrefix;
    const a = batch.answerAttention!;
    return capture.attentions!.map((att) => answerAttentionLoss(att, P, tf.tensor2d(a.patches, [batch.batch, P]), tf.tensor2d(a.positions, [batch.batch, batch.length])).dataSync()[0]!);
  });
  assert.ok(Math.abs(head0 - perHead[0]!) < 1e-5, `head 0: ${head0} vs ${perHead[0]}`);
  assert.ok(Math.abs(two - (perHead[0]! + perHead[1]!) / 2) < 1e-5, `mean of heads: ${two} vs ${perHead}`);
  const { first, last } = await trainTinyPart(task, 'answerAttention');
  assert.ok(last < first - 0.5, `the two-head answer-attention loss falls on 8 memorisable scenes: ${first} → ${last}`);
  model.dispose();
});

test('config: stage1.answerAttentionHeads is an integer from 1 to model.heads', () => {
  assert.equal(resolveGroundedLMConfig({}).stage1.answerAttentionHeads, 1);
  assert.equal(resolveGroundedLMConfig({ stage1: { answerAttentionHeads: 4 } }).stage1.answerAttentionHeads, 4);
  assert.throws(() => resolveGroundedLMConfig({ stage1: { answerAttentionHeads: 5 } }), /GroundedLMConfig\.stage1\.answerAttentionHeads: expected an integer in \[1, model\.heads = 4\], got 5\./);
  assert.throws(() => resolveGroundedLMConfig({ model: { heads: 2 }, stage1: { answerAttentionHeads: 3 } }), /model\.heads = 2\], got 3/);
  assert.throws(() => resolveGroundedLMConfig({ stage1: { answerAttentionHeads: 1.5 } }), /answerAttentionHeads: expected an integer/);
});
