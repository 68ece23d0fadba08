import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { train } from '../train';
import { newBoxWarnings } from './box_check';
import { PatchLabelHead, patchLabels } from './patch_labels';
import { stage1GroundedTask } from './stage1_grounded_task';
import { tinyStage1, tinyStage1Options, twoObjectScene } from './test_support/stage1_fixtures';

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

test('patch labels: the smallest box holding a patch centre names the patch; elsewhere background (hand-computed 4×4 grid)', () => {
  // 64 px, grid 4: patch centres at 8, 24, 40, 56 on each axis
  const scene = twoObjectScene([{ box: [48, 0, 64, 16], name: 'teapot' }]); // not a known name: background
  const labels = patchLabels([scene], 4, ['circle', 'square', 'star']);
  const c = 1;
  const s = 3;
  // prettier-ignore
  assert.deepEqual(Array.from(labels), [
    c, c, 0, 0,
    c, s, s, 0,
    0, s, s, 0,
    0, 0, 0, 0,
  ]);
});

test('patch-label head: the loss is the mean cross-entropy over patches', () => {
  const head = new PatchLabelHead(2, 2, 0);
  head.linear.weight.assign(tf.tensor2d([[1, 0, 0], [0, 1, 0]]));
  const features = tf.tensor3d([[[2, 0], [0, 3]]]); // [1, 2, 2]
  const loss = head.loss(features, tf.tensor1d([0, 2], 'int32')).dataSync()[0]!;
  const ce = (z: number[], y: number) => Math.log(z.reduce((a, b) => a + Math.exp(b), 0)) - z[y]!;
  assert.ok(Math.abs(loss - (ce([2, 0, 0], 0) + ce([0, 3, 0], 2)) / 2) < 1e-5);
  head.dispose();
});

test('stage 1 with patchLabelWeight > 0: the head is trained with the model, its loss is reported, nothing leaks', async () => {
  const { codec, tok, pool, model } = tinyStage1(20);
  const task = stage1GroundedTask(model, tok, codec, pool, tinyStage1Options({ detection: 1, regionCaption: 0, rec: 1, listing: 1 }, { patchLabelWeight: 0.5 }, 4, 20), newBoxWarnings(), {});
  assert.equal(task.variables().length, model.variables().length + 2, 'the head’s weight and bias are trained too');
  const n0 = tf.memory().numTensors;
  const r = await train(task, { steps: 3, optimizer: { lr: 1e-2 } });
  assert.equal(r.stoppedReason, 'completed');
  assert.ok(Number.isFinite(r.history[0]!.parts.patch!), 'the patch loss is reported');
  assert.equal(tf.memory().numTensors, n0, 'no tensor leaks');
  model.dispose();
});
