import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { GroundedScenes } from './grounded_scenes';
import { encodeGroundedText, sceneBatch } from './scene_batch';

describe('sceneBatch', () => {
  before(async () => {
    await initBackend({ backend: 'wasm', log: null });
  });

  const ds = new GroundedScenes();

  test('tensor shapes, dtypes and ranges; per-token ground truth lines up with the ids', async () => {
    const before = tf.memory().numTensors;
    const scenes = ds.getScenes('train', 0, 8);
    const batch = sceneBatch(scenes, ds.tokenizer);
    try {
      assert.deepEqual(batch.images.shape, [8, 64, 64, 3]);
      assert.equal(batch.images.dtype, 'float32');
      assert.deepEqual(batch.tokenIds.shape, [8, 16]);
      assert.equal(batch.tokenIds.dtype, 'int32');
      assert.deepEqual(batch.tokenMask.shape, [8, 16]);
      assert.equal(batch.tokenMask.dtype, 'float32');
      assert.equal(batch.numPatches, 64);
      assert.equal(batch.patchInBox.length, 8 * 16 * 64);
      const px = await batch.images.data();
      assert.ok(px.every((v) => v >= 0 && v <= 1));
      assert.equal(px[5], Math.fround(scenes[0]!.image[5]! / 255));
      const ids = await batch.tokenIds.data();
      const mask = await batch.tokenMask.data();
      scenes.forEach((s, b) => {
        const n = s.caption.words.length + 2;
        assert.equal(ds.tokenizer.decode(ids.subarray(b * 16, (b + 1) * 16)), s.caption.text);
        for (let t = 0; t < 16; t++) {
          assert.equal(mask[b * 16 + t], t < n ? 1 : 0);
          const o = batch.tokenObject[b * 16 + t]!;
          if (t === 0 || t >= n - 1) assert.equal(o, -1, 'specials and padding have no object');
          if (o >= 0) {
            // The token's word is an attribute of its object, and its box is that object's box.
            const word = ds.tokenizer.wordOf(ids[b * 16 + t]!);
            assert.ok([s.objects[o]!.shape, s.objects[o]!.colour, s.objects[o]!.size].includes(word as never));
            assert.deepEqual(Array.from(batch.tokenBox.subarray((b * 16 + t) * 4, (b * 16 + t + 1) * 4)), s.objects[o]!.box);
            assert.equal(batch.tokenIsContent[b * 16 + t], 1);
          } else {
            assert.equal(batch.tokenIsContent[b * 16 + t], 0);
          }
        }
      });
    } finally {
      batch.dispose();
    }
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  });

  test('other texts: referring expressions; encodeGroundedText pads to the length', () => {
    const before = tf.memory().numTensors;
    const scenes = ds.getScenes('test', 0, 4);
    const batch = sceneBatch(scenes, ds.tokenizer, { text: (s) => s.referringExpressions[0]!, textLength: 12, patchSize: 16 });
    assert.deepEqual(batch.tokenIds.shape, [4, 12]);
    assert.equal(batch.numPatches, 16);
    batch.dispose();
    assert.equal(tf.memory().numTensors, before);
    const enc = encodeGroundedText(scenes[0]!.regionPhrases[0]!, ds.tokenizer, 8);
    assert.deepEqual(Array.from(enc.tokenObject), [-1, -1, 0, 0, 0, -1, -1, -1]);
    assert.deepEqual(Array.from(enc.mask), [1, 1, 1, 1, 1, 1, 0, 0]);
    assert.throws(() => encodeGroundedText(scenes[0]!.caption, ds.tokenizer, 4), /do not fit length 4/);
    assert.throws(() => sceneBatch([], ds.tokenizer), /scenes is empty/);
  });
});
