import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { boxSlotIndex, BoxSlotEmbedding } from './box_slots';
import { CausalLM } from './causal_lm';
import { codecByName } from './codec_registry';
import { GroundedLM } from './grounded_lm';
import { tokensPerBox } from './patch_boxes';

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

const OPEN = 9;

test('box slot index (hand-computed): the opener is slot 0, each following coordinate one more, up to L; the nearest opener wins', () => {
  // row 0: "a <box> c c c c </box> <box> c c"; row 1: opener first, L = 2 (grid codec); row 2: a malformed "<box> c <box> c"
  const ids = Int32Array.from([
    5, OPEN, 1, 2, 3, 4, 10, OPEN, 1, 2,
    OPEN, 1, 2, 10, 5, 5, 5, 5, 5, 5,
    OPEN, 1, OPEN, 3, 5, 5, 5, 5, 5, 5,
  ]);
  assert.deepEqual([...boxSlotIndex(ids.subarray(0, 10), 1, 10, OPEN, 4)], [-1, 0, 1, 2, 3, 4, -1, 0, 1, 2]);
  assert.deepEqual([...boxSlotIndex(ids.subarray(10, 20), 1, 10, OPEN, 2)], [0, 1, 2, -1, -1, -1, -1, -1, -1, -1]);
  assert.deepEqual([...boxSlotIndex(ids, 3, 10, OPEN, 4)].slice(20), [0, 1, 0, 1, 2, 3, 4, -1, -1, -1]);
});

test('BoxSlotEmbedding.forward is the table row of each position’s slot (zeros outside boxes), as the reference index says', () => {
  const B = 3;
  const T = 10;
  const ids = Int32Array.from([5, OPEN, 1, 2, 3, 4, 10, OPEN, 1, 2, OPEN, 1, 2, 3, 4, 10, 5, 5, 5, 5, OPEN, 1, OPEN, 3, 5, 5, 5, 5, 5, 5]);
  const slots = new BoxSlotEmbedding(OPEN, 4, 6, 3);
  const table = slots.table.arraySync() as number[][];
  const got = tf.tidy(() => slots.forward(tf.tensor2d(ids, [B, T], 'int32')).arraySync() as number[][][]);
  const want = boxSlotIndex(ids, B, T, OPEN, 4);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const k = want[b * T + t]!;
      const row = k < 0 ? Array(6).fill(0) : table[k]!;
      got[b]![t]!.forEach((v, j) => assert.ok(Math.abs(v - row[j]!) < 1e-7, `b ${b} t ${t} j ${j}: ${v} vs ${row[j]}`));
    }
  }
  assert.throws(() => new BoxSlotEmbedding(OPEN, 0, 6, 3), /tokensPerBox must be a positive integer; got 0/);
  slots.dispose();
});

test('GroundedLM with box slots: a zero table changes nothing; a trained one changes only positions from the opener on; the table gets a gradient and comes last', () => {
  const encoder = { width: 16, depth: 1, heads: 2, mlpWidth: 32, outputDim: 16, patchSize: 16 };
  const lmConfig = { vocabSize: 12, maxLength: 12, width: 16, depth: 1, heads: 2, mlpWidth: 32 };
  const plain = new GroundedLM(new CausalLM(lmConfig, 4), encoder, 7);
  const slots = new BoxSlotEmbedding(OPEN, 4, 16, 3);
  const slotted = new GroundedLM(new CausalLM(lmConfig, 4), encoder, 7, { slots });
  assert.equal(slotted.variables().length, plain.variables().length + 1);
  assert.equal(slotted.variables().at(-1), slots.table, 'the slots come last (the checkpoint order)');
  const images = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 1);
  const ids = tf.tensor2d([[5, 6, OPEN, 1, 2, 3, 4, 10], [5, OPEN, 1, 2, 3, 4, 10, 0]], [2, 8], 'int32');
  const logits = (m: GroundedLM) => tf.tidy(() => m.textLogits(ids, m.prefix(images)).arraySync() as number[][][]);
  const maxDiff = (a: number[][], b: number[][]) => Math.max(...a.flatMap((r, i) => r.map((v, j) => Math.abs(v - b[i]![j]!))));
  const base = logits(plain);
  const trained = logits(slotted);
  slots.table.assign(tf.zeros(slots.table.shape));
  const zeroed = logits(slotted);
  for (let b = 0; b < 2; b++) {
    const open = b === 0 ? 2 : 1;
    for (let t = 0; t < 8; t++) {
      assert.ok(maxDiff([zeroed[b]![t]!], [base[b]![t]!]) < 1e-5, `zero table, row ${b} position ${t}`);
      const d = maxDiff([trained[b]![t]!], [base[b]![t]!]);
      if (t < open) assert.ok(d < 1e-5, `before the opener nothing changes (row ${b}, t ${t}: ${d})`);
      else assert.ok(d > 1e-6, `from the opener on the slots count (row ${b}, t ${t}: ${d})`);
    }
  }
  const { grads } = tf.variableGrads(() => tf.mean(tf.square(slotted.textLogits(ids, slotted.prefix(images)))) as tf.Scalar, [slots.table]);
  assert.ok(tf.sum(tf.abs(grads[slots.table.name]!)).dataSync()[0]! > 0, 'the table learns');
  tf.dispose([images, ids, ...Object.values(grads)]);
  assert.throws(() => new GroundedLM(new CausalLM(lmConfig, 4), encoder, 7, { slots: new BoxSlotEmbedding(OPEN, 4, 8, 3) }), /the boxSlots part is 8 wide, the LM 16/);
  plain.dispose();
  slotted.dispose();
});

test('box slots need a fixed number of tokens per box: the text codec is refused, naming the setting', () => {
  assert.equal(tokensPerBox(codecByName('bins64'), 'model.boxSlots'), 4);
  assert.equal(tokensPerBox(codecByName('grid16'), 'model.boxSlots'), 2);
  assert.throws(() => tokensPerBox(codecByName('text1000'), 'model.boxSlots'), /codec 'text1000' encodes boxes with a varying number of tokens; model.boxSlots needs a bins or grid codec/);
});
