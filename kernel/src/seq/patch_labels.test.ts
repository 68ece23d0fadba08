import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { GroundedScenes } from '../data/grounded_scenes';
import type { Scene } from '../data/scene_types';
import { train } from '../train';
import { newBoxWarnings } from './box_check';
import { CausalLM } from './causal_lm';
import { codecByName } from './codec_registry';
import { GroundedLM } from './grounded_lm';
import { PatchLabelHead, patchLabels } from './patch_labels';
import { ScenePool } from './scene_pool';
import { groundedTokenizer, textTokenizer } from './sequence_vocabulary';
import { stage1GroundedTask } from './stage1_grounded_task';
import { extendVocabulary } from './vocabulary_extension';

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

test('patch labels: the smallest box holding a patch centre names the patch; elsewhere background (hand-computed 4×4 grid)', () => {
  // 64 px, grid 4: patch centres at 8, 24, 40, 56 on each axis
  const scene = {
    width: 64,
    height: 64,
    objects: [
      { box: [0, 0, 32, 32], name: 'circle' }, // centres (8|24, 8|24)
      { box: [20, 20, 44, 44], name: 'star' }, // centres (24|40, 24|40): smaller, wins at (24, 24)
      { box: [48, 0, 64, 16], name: 'teapot' }, // not a known name: background
    ],
  } as unknown as Scene;
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
  const base = textTokenizer();
  const codec = codecByName('bins32');
  const tok = groundedTokenizer(codec, base);
  const pool = new ScenePool(new GroundedScenes({ seed: 3, imageSize: 32, splits: { train: 20, val: 1, test: 4 } }));
  const lm = extendVocabulary(new CausalLM({ vocabSize: base.size, maxLength: 32, width: 16, depth: 1, heads: 2, mlpWidth: 32 }, 1), tok.size - base.size, 2);
  const model = new GroundedLM(lm, { imageSize: 32, width: 16, depth: 1, heads: 2, mlpWidth: 32, outputDim: 16, patchSize: 8 }, 7);
  const task = stage1GroundedTask(model, tok, codec, pool, {
    batchSize: 4, numScenes: 20, taskWeights: { detection: 1, regionCaption: 0, rec: 1, listing: 1 }, randomOrder: false, noiseBoxes: 0,
    freezeTextEmbeddings: false, policy: { clipBoxes: false }, patchLabelWeight: 0.5,
  }, newBoxWarnings(), {});
  assert.equal(task.variables().length, model.variables().length + 2, 'the head’s weight and bias are trained too');
  const n0 = tf.memory().numTensors;
  const r = await train(task, { steps: 3, optimizer: { lr: 1e-2 } });
  assert.equal(r.stoppedReason, 'completed');
  assert.ok(Number.isFinite(r.history[0]!.parts.patch!), 'the patch loss is reported');
  assert.equal(tf.memory().numTensors, n0, 'no tensor leaks');
  model.dispose();
});
