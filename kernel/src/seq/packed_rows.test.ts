import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { GroundedScenes } from '../data/grounded_scenes';
import { train } from '../train';
import { stepRng } from '../train/step_rng';
import { newBoxWarnings } from './box_check';
import { answerAttentionLoss } from './answer_attention';
import { CausalSelfAttention } from './causal_attention';
import { CausalLM, textRows, type LayerAttentionCapture } from './causal_lm';
import { codecByName } from './codec_registry';
import { GroundedLM } from './grounded_lm';
import { packedExampleRows, packedLength } from './packed_rows';
import { ScenePool } from './scene_pool';
import { exampleRows } from './sequence_batch';
import { groundedTokenizer, textTokenizer } from './sequence_vocabulary';
import { stage1GroundedTask } from './stage1_grounded_task';
import type { SeqExample } from './task_templates';
import { tinyStage1Options } from './test_support/stage1_fixtures';
import { extendVocabulary } from './vocabulary_extension';

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

const codec = codecByName('bins32');
const base = textTokenizer();
const tok = groundedTokenizer(codec, base);
const ex = (prompt: string[], target: string[]): SeqExample => ({ task: 'rec', record: 'test#0', prompt, target: [...target, '[EOS]'], weights: [...target.map(() => 1), 1], object: 0 });
const a = ex(['locate', 'the', 'red', 'circle'], ['<box>', '<bin_1>', '<bin_2>', '<bin_5>', '<bin_9>', '</box>']);
const b = ex(['list'], ['circle', 'square']);
const c = ex(['detect'], ['<box>', '<bin_0>', '<bin_0>', '<bin_3>', '<bin_3>', '</box>', 'star']);

test('packed rows: segments laid end to end, positions from 0 in each, labels and weights as in single rows, padding after', () => {
  const packed = packedExampleRows([[a, b], [c]], tok);
  const single = exampleRows([a, b, c], tok);
  const lenA = packedLength(a);
  const lenB = packedLength(b);
  const lenC = packedLength(c);
  assert.equal(lenA, 4 + 2 + 7 - 1);
  assert.equal(packed.length, Math.max(lenA + lenB, lenC));
  const T = packed.length;
  const S = single.length;
  const slice = (arr: ArrayLike<number>, from: number, n: number) => Array.from(arr).slice(from, from + n);
  // row 0 = a then b; row 1 = c then padding
  for (const [key, arr] of [['ids', 'ids'], ['labels', 'labels'], ['weights', 'weights']] as const) {
    assert.deepEqual(slice(packed[key], 0, lenA), slice(single[arr], 0, lenA), `${key} of segment a`);
    assert.deepEqual(slice(packed[key], lenA, lenB), slice(single[arr], S, lenB), `${key} of segment b`);
    assert.deepEqual(slice(packed[key], T, lenC), slice(single[arr], 2 * S, lenC), `${key} of segment c`);
  }
  const pos = Array.from(packed.packing.positions);
  const seg = Array.from(packed.packing.segments);
  assert.deepEqual(pos.slice(0, lenA + lenB), [...Array(lenA).keys(), ...Array(lenB).keys()]);
  assert.deepEqual(seg.slice(0, lenA + lenB), [...Array(lenA).fill(0), ...Array(lenB).fill(1)]);
  assert.deepEqual(Array.from(packed.weights).slice(T + lenC), Array(T - lenC).fill(0), 'padding has weight 0');
  assert.throws(() => packedExampleRows([[a], []], tok), /every row needs at least one example/);
});

for (const [backend, prefixAttention] of [['wasm', 'causal'], ['cpu', 'causal'], ['wasm', 'self'], ['cpu', 'bidirectional'], ['wasm', 'memory'], ['cpu', 'memory']] as const) {
  test(`packed rows (${backend}, ${backend === 'wasm' ? 'grouped' : 'batched'} attention layout, prefix attention '${prefixAttention}'): each segment’s logits equal those of its example alone in a row`, async () => {
    await tf.setBackend(backend);
    try {
      const lm = extendVocabulary(new CausalLM({ vocabSize: base.size, maxLength: 32, width: 16, depth: 2, heads: 2, mlpWidth: 32, prefixAttention }, 1), tok.size - base.size, 2);
      const model = new GroundedLM(lm, { imageSize: 32, width: 16, depth: 1, heads: 2, mlpWidth: 32, outputDim: 16, patchSize: 8 }, 7);
      const images = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 5);
      const packed = packedExampleRows([[a, b], [c]], tok);
      const single = exampleRows([a, b, c], tok);
      const [got, want] = tf.tidy(() => {
        const prefix = model.prefix(images); // [2, P, d]
        const P = prefix.shape[1]!;
        const V = lm.vocabSize;
        const packedLogits = model.textLogits(tf.tensor2d(packed.ids, [2, packed.length], 'int32'), prefix, packed.packing).arraySync() as number[][][];
        const rowPrefix = tf.gather(prefix, tf.tensor1d([0, 0, 1], 'int32')); // a and b share image 0
        const singleLogits = model.textLogits(tf.tensor2d(single.ids, [3, single.length], 'int32'), rowPrefix).arraySync() as number[][][];
        assert.equal(P, 16);
        assert.equal(singleLogits[0]![0]!.length, V);
        const lenA = packedLength(a);
        const lenB = packedLength(b);
        const lenC = packedLength(c);
        return [
          [...packedLogits[0]!.slice(0, lenA + lenB), ...packedLogits[1]!.slice(0, lenC)],
          [...singleLogits[0]!.slice(0, lenA), ...singleLogits[1]!.slice(0, lenB), ...singleLogits[2]!.slice(0, lenC)],
        ];
      });
      let worst = 0;
      got.forEach((row, t) => row.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - want[t]![k]!)))));
      assert.ok(worst < 1e-4, `largest logit difference ${worst}`);
      images.dispose();
      model.dispose();
    } finally {
      await tf.setBackend('wasm');
    }
  });
}

test('stage 1 with examplesPerImage 3: rows hold up to 3 examples of one scene within maxLength; trains without leaks', async () => {
  const pool = new ScenePool(new GroundedScenes({ seed: 3, imageSize: 32, splits: { train: 20, val: 1, test: 4 } }));
  const lm = extendVocabulary(new CausalLM({ vocabSize: base.size, maxLength: 48, width: 16, depth: 1, heads: 2, mlpWidth: 32 }, 1), tok.size - base.size, 2);
  const model = new GroundedLM(lm, { imageSize: 32, width: 16, depth: 1, heads: 2, mlpWidth: 32, outputDim: 16, patchSize: 8 }, 7);
  const options = { batchSize: 6, numScenes: 20, taskWeights: { detection: 1, regionCaption: 1, rec: 1, listing: 1 }, randomOrder: false, noiseBoxes: 0, freezeTextEmbeddings: false, policy: { clipBoxes: false } };
  const task = stage1GroundedTask(model, tok, codec, pool, { ...options, examplesPerImage: 3 }, newBoxWarnings(), {});
  const batch = task.nextBatch(0, stepRng(0, 0));
  assert.equal(batch.batch, 6);
  assert.ok(batch.length <= 48, `row length ${batch.length} within maxLength`);
  assert.ok(batch.examples > 6 && batch.examples <= 18, `${batch.examples} examples in 6 rows`);
  assert.equal(batch.tasks.length, batch.examples);
  assert.ok(batch.packing, 'packed rows carry their layout');
  assert.throws(() => stage1GroundedTask(model, tok, codec, pool, { ...options, examplesPerImage: 0 }, newBoxWarnings(), {}), /examplesPerImage must be a positive integer/);
  const n0 = tf.memory().numTensors;
  const r = await train(task, { steps: 3, optimizer: { lr: 1e-2 } });
  assert.equal(r.stoppedReason, 'completed');
  assert.equal(tf.memory().numTensors, n0, 'no tensor leaks');
  model.dispose();
});

for (const backend of ['wasm', 'cpu'] as const) {
  test(`stage 1 with prefix attention 'memory' (${backend}): packed rows, two LM layers and answer attention train without leaks`, async () => {
    await tf.setBackend(backend);
    try {
      const pool = new ScenePool(new GroundedScenes({ seed: 3, imageSize: 32, splits: { train: 20, val: 1, test: 4 } }));
      const lm = extendVocabulary(new CausalLM({ vocabSize: base.size, maxLength: 48, width: 16, depth: 2, heads: 2, mlpWidth: 32, prefixAttention: 'memory' }, 1), tok.size - base.size, 2);
      const model = new GroundedLM(lm, { imageSize: 32, width: 16, depth: 1, heads: 2, mlpWidth: 32, outputDim: 16, patchSize: 8 }, 7);
      const options = tinyStage1Options({ detection: 1, regionCaption: 1, rec: 1, listing: 1 }, { examplesPerImage: 2, answerAttentionWeight: 1 }, 4, 20);
      const task = stage1GroundedTask(model, tok, codec, pool, options, newBoxWarnings(), {});
      assert.ok(task.nextBatch(0, stepRng(0, 0)).packing, 'packed rows');
      const n0 = tf.memory().numTensors;
      const r = await train(task, { steps: 3, optimizer: { lr: 1e-2 } });
      assert.equal(r.stoppedReason, 'completed');
      assert.ok(r.history.every((h) => Number.isFinite(h.loss)), 'finite losses');
      assert.ok(r.history.some((h) => Number.isFinite(h.parts.answerAttention)), `answer attention trained: ${JSON.stringify(r.history.map((h) => h.parts))}`);
      assert.equal(tf.memory().numTensors, n0, 'no tensor leaks');
      model.dispose();
    } finally {
      await tf.setBackend('wasm');
    }
  });
}

for (const backend of ['wasm', 'cpu'] as const) {
  test(`prefix attention (${backend}): changing image token k changes the LM's prefix states after k ('causal'), all of them ('bidirectional'), k's only ('self'); text sees it in every mode`, async () => {
    await tf.setBackend(backend);
    try {
      const P = 5;
      const ids = tf.tensor2d([[1, 7, 8]], [1, 3], 'int32');
      const prefix = tf.randomNormal([1, P, 8], 0, 1, 'float32', 11);
      const k = 2;
      // a random change of token k only (not a constant shift: the layer norms would remove that)
      const changed = tf.tidy(() => tf.add(prefix, tf.mul(tf.oneHot(tf.tensor1d([k], 'int32'), P).reshape([1, P, 1]), tf.randomNormal([1, 1, 8], 0, 1, 'float32', 12))));
      const expected = { causal: [false, false, true, true, true], bidirectional: [true, true, true, true, true], self: [false, false, true, false, false] };
      for (const mode of ['causal', 'bidirectional', 'self'] as const) {
        const lm = new CausalLM({ vocabSize: 16, maxLength: 8, width: 8, depth: 2, heads: 2, mlpWidth: 16, prefixAttention: mode }, 3);
        const a = lm.forward(ids, prefix).arraySync() as number[][][];
        const b = lm.forward(ids, changed).arraySync() as number[][][];
        const moved = a[0]!.map((row, t) => row.some((v, j) => Math.abs(v - b[0]![t]![j]!) > 1e-5));
        assert.deepEqual(moved.slice(0, P), expected[mode], `prefix states that moved, mode '${mode}'`);
        assert.ok(moved.slice(P).every(Boolean), `every text position sees the prefix, mode '${mode}'`);
        lm.dispose();
      }
      assert.throws(() => new CausalLM({ prefixAttention: 'full' as never }, 0), /CausalLMConfig.prefixAttention: expected one of causal, bidirectional, self, memory, got 'full'/);
      tf.dispose([ids, prefix, changed]);
    } finally {
      await tf.setBackend('wasm');
    }
  });
}

for (const backend of ['wasm', 'cpu'] as const) {
  test(`prefix attention 'memory' (${backend}): one layer computes the text exactly as 'causal' does (same hidden states, same attention rows, same answer-attention loss), packed or not; the prefix is never computed`, async () => {
    await tf.setBackend(backend);
    try {
      // With one layer the prefix positions' outputs feed nothing the text reads: the text's keys and values
      // are LN(prefix) and LN(text) in both modes, so 'memory' must reproduce 'causal' on the text exactly.
      const P = 4;
      const prefix = tf.randomNormal([2, P, 8], 0, 1, 'float32', 21);
      const ids = tf.tensor2d([[1, 7, 8, 3, 2], [4, 5, 6, 0, 0]], [2, 5], 'int32');
      const packing = { positions: Int32Array.from([0, 1, 2, 0, 1, 0, 1, 2, 3, 4]), segments: Int32Array.from([0, 0, 0, 1, 1, 0, 0, 0, 0, 0]) };
      for (const pack of [undefined, packing]) {
        const run = (prefixAttention: 'causal' | 'memory') => {
          const lm = new CausalLM({ vocabSize: 16, maxLength: 8, width: 8, depth: 1, heads: 2, mlpWidth: 16, prefixAttention }, 3);
          const out = tf.tidy(() => {
            const capture = { layer: 0, head: 1 } as LayerAttentionCapture;
            const hidden = lm.forward(ids, prefix, pack, capture);
            const rows = textRows(capture.attention!, 5); // [2, 5, P + 5]
            const targets = tf.tensor2d([[1, 0, 0, 1], [0, 1, 1, 0]], [2, P]);
            const loss = answerAttentionLoss(capture.attention!, P, targets, tf.ones([2, 5]) as tf.Tensor2D);
            return { shape: hidden.shape, text: textRows(hidden, 5).arraySync() as number[][][], rows: rows.arraySync() as number[][][], loss: loss.dataSync()[0]! };
          });
          lm.dispose();
          return out;
        };
        const causal = run('causal');
        const memory = run('memory');
        assert.deepEqual(memory.shape, [2, 5, 8], 'memory mode returns the text positions only');
        assert.deepEqual(causal.shape, [2, P + 5, 8]);
        const worst = (a: number[][][], b: number[][][]) => Math.max(...a.flat(2).map((v, i) => Math.abs(v - b.flat(2)[i]!)));
        const label = pack ? 'packed' : 'unpacked';
        assert.ok(worst(memory.text, causal.text) < 1e-5, `${label}: text hidden states differ by ${worst(memory.text, causal.text)}`);
        assert.ok(worst(memory.rows, causal.rows) < 1e-6, `${label}: text attention rows differ by ${worst(memory.rows, causal.rows)}`);
        assert.ok(Math.abs(memory.loss - causal.loss) < 1e-5, `${label}: answer-attention loss ${memory.loss} vs ${causal.loss}`);
        if (pack) assert.equal(memory.rows[0]![3]![P + 1], 0, 'a packed segment does not see the previous segment');
      }
      // deeper: every text position still sees a change of any one image token
      const lm = new CausalLM({ vocabSize: 16, maxLength: 8, width: 8, depth: 2, heads: 2, mlpWidth: 16, prefixAttention: 'memory' }, 3);
      const changed = tf.tidy(() => tf.add(prefix, tf.mul(tf.oneHot(tf.tensor1d([P - 1], 'int32'), P).reshape([1, P, 1]), tf.randomNormal([1, 1, 8], 0, 1, 'float32', 12))));
      const a = lm.forward(ids, prefix).arraySync() as number[][][];
      const b = lm.forward(ids, changed).arraySync() as number[][][];
      assert.ok(a[0]!.every((row, t) => row.some((v, j) => Math.abs(v - b[0]![t]![j]!) > 1e-5)), 'every text position of row 0 moved');
      assert.throws(() => new CausalSelfAttention(8, 2, 0, 'x').forward(tf.zeros([1, 3, 8]), undefined, undefined, tf.zeros([1, 2, 8])), /memory must be \[1, P, 8\] and come with a bias/);
      lm.dispose();
      tf.dispose([prefix, ids, changed]);
    } finally {
      await tf.setBackend('wasm');
    }
  });
}
