import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { BoxCopy } from './box_copy';
import { newBoxWarnings } from './box_check';
import { CausalLM, type LayerAttentionCapture } from './causal_lm';
import { GroundedLM } from './grounded_lm';
import { coordinateRows } from './patch_boxes';
import { BOX_OPEN } from './sequence_vocabulary';
import { stage1GroundedTask } from './stage1_grounded_task';
import { tinyStage1, tinyStage1Options, trainTinyPart } from './test_support/stage1_fixtures';

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

const OPEN = 3;

test('box copy logits (hand-computed, wasm and cpu layouts): Σ_p A[t, p] · h_k(p) · E[bin] at the position writing coordinate k, zero elsewhere and outside the bins', async () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    await tf.setBackend(backend);
    try {
      const d = 4;
      const copy = new BoxCopy(d, 4, OPEN, { start: 6, count: 4 }, 1);
      const ids = tf.tensor2d([[5, OPEN, 6, 7, 8, 9, 2]], [1, 7], 'int32'); // "w <box> c c c c </box>"
      const prefix = tf.randomNormal([1, 2, d], 0, 1, 'float32', 2);
      const toImage = tf.tensor3d([[[0.5, 0.2], [0.9, 0.1], [0.3, 0.6], [0, 1], [1, 0], [0.4, 0.4], [0.2, 0.2]]]);
      const table = tf.randomNormal([11, d], 0, 1, 'float32', 3) as tf.Tensor2D;
      const got = tf.tidy(() => copy.logits(ids, prefix, toImage, table).arraySync() as number[][][])[0]!;
      const h = tf.tidy(() => copy.reader.linear.forward(prefix).arraySync() as number[][][])[0]!; // [P, L·d]
      const A = (toImage.arraySync() as number[][][])[0]!;
      const E = table.arraySync() as number[][];
      for (let t = 0; t < 7; t++) {
        const k = t - 1; // the opener is at t = 1: positions 1 … 4 write coordinates 0 … 3
        for (let v = 0; v < 11; v++) {
          let want = 0;
          if (k >= 0 && k < 4 && v >= 6 && v < 10) {
            for (let p = 0; p < 2; p++) for (let j = 0; j < d; j++) want += A[t]![p]! * h[p]![k * d + j]! * E[v]![j]!;
          }
          assert.ok(Math.abs(got[t]![v]! - want) < 1e-4, `t ${t} v ${v}: ${got[t]![v]} vs ${want}`);
        }
      }
      tf.dispose([ids, prefix, toImage, table]);
      copy.dispose();
    } finally {
      await tf.setBackend('wasm');
    }
  }
});

test('GroundedLM with box copy: its logits are the LM’s plus the copy from head 0 of the last layer; nothing changes before the first box; a capture of another head is refused', () => {
  const encoder = { width: 16, depth: 1, heads: 2, mlpWidth: 32, outputDim: 16, patchSize: 16 };
  const lmConfig = { vocabSize: 12, maxLength: 12, width: 16, depth: 2, heads: 2, mlpWidth: 32 };
  const plain = new GroundedLM(new CausalLM(lmConfig, 4), encoder, 7);
  const copy = new BoxCopy(16, 4, OPEN, { start: 6, count: 4 }, 5);
  const copying = new GroundedLM(new CausalLM(lmConfig, 4), encoder, 7, { boxCopy: copy });
  assert.deepEqual(copying.variables().slice(-2), copy.reader.trainableVariables(), 'the reader comes last (the checkpoint order)');
  const images = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 1);
  const ids = tf.tensor2d([[5, 4, OPEN, 6, 7, 8, 9, 2], [5, OPEN, 9, 8, 7, 6, 2, 0]], [2, 8], 'int32');
  tf.tidy(() => {
    const prefix = copying.prefix(images);
    const capture: LayerAttentionCapture = { layer: 1, head: 0 };
    const got = copying.textLogits(ids, prefix, undefined, capture);
    const base = plain.textLogits(ids, plain.prefix(images));
    const toImage = tf.slice(capture.attention!, [0, 16, 0], [2, 8, 16]); // 16 patches
    const want = tf.add(base, copy.logits(ids, prefix, toImage, copying.lm.embeddingTable()));
    assert.ok(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]! < 1e-4, 'LM logits + copied logits, the caller’s capture filled');
    const diff = tf.max(tf.abs(tf.sub(got, base)), -1).arraySync() as number[][];
    assert.ok(diff[0]![0]! < 1e-5 && diff[0]![1]! < 1e-5 && diff[1]![0]! < 1e-5, `before the opener: unchanged (${diff[0]!.slice(0, 2)}, ${diff[1]![0]})`);
    assert.ok(diff[0]![2]! > 1e-6 && diff[1]![1]! > 1e-6, 'the opener’s position writes x1 with the copy');
    assert.throws(() => copying.textLogits(ids, prefix, undefined, { layer: 0, head: 0 }), /with box copy on, a capture must start at head 0 of the last layer \(1\); got layer 0, head 0/);
  });
  tf.dispose([images, ids]);
  plain.dispose();
  copying.dispose();
});

test('stage 1 with box copy and patch boxes: the patch-box loss trains the model’s own reader (no separate head), training falls, nothing leaks', async () => {
  const { pool, model: bare, tok, codec } = tinyStage1();
  const copy = new BoxCopy(16, 4, tok.idOf(BOX_OPEN), coordinateRows(tok, codec), 5);
  const model = new GroundedLM(bare.lm, { imageSize: 32, width: 16, depth: 1, heads: 2, mlpWidth: 32, outputDim: 16, patchSize: 8 }, 7, { boxCopy: copy });
  const task = stage1GroundedTask(model, tok, codec, pool, tinyStage1Options({ detection: 1, regionCaption: 0, rec: 1, listing: 0 }, { patchBoxWeight: 1, answerAttentionWeight: 1 }), newBoxWarnings(), {});
  assert.equal(task.heads.box, copy.reader);
  assert.equal(task.variables().length, model.variables().length, 'no variables besides the model’s');
  const { first, last } = await trainTinyPart(task, 'nll');
  assert.ok(last < first - 0.5, `the answers' loss falls on 8 memorisable scenes: ${first} → ${last}`);
  bare.encoder.dispose();
  bare.projector.dispose();
  model.dispose();
});
