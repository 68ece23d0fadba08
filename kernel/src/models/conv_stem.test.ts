import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { ConvStem, neighbourhood3x3, spaceToDepth2, stemChannels } from './conv_stem';
import { PatchEncoder } from './patch_encoder';
import { relError } from './test_support/gradcheck';

before(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

describe('conv stem', () => {
  it('a 3×3 convolution by shifts equals tf.conv2d with SAME padding (the reference op)', () => {
    const x = tf.randomNormal([2, 6, 5, 3], 0, 1, 'float32', 1);
    const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2); // [kh, kw, cin, cout]
    const ours = tf.matMul(tf.reshape(neighbourhood3x3(x), [-1, 27]), tf.reshape(w, [27, 4]));
    const ref = tf.reshape(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), [-1, 4]);
    assert.ok(relError(ours.dataSync(), ref.dataSync(), 1) < 1e-5);
    tf.dispose([x, w, ours, ref]);
  });

  it('space-to-depth 2×2 then a Linear equals a 2×2 stride-2 convolution', () => {
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 3);
    const w = tf.randomNormal([2, 2, 3, 5], 0, 1, 'float32', 4);
    const ours = tf.matMul(tf.reshape(spaceToDepth2(x), [-1, 12]), tf.reshape(w, [12, 5]));
    const ref = tf.reshape(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'valid'), [-1, 5]);
    assert.ok(relError(ours.dataSync(), ref.dataSync(), 1) < 1e-5);
    tf.dispose([x, w, ours, ref]);
  });

  it('maps [B, 64, 64, 3] to the 8×8 patch grid at the transformer width; channels 16, 32, 64 capped at the width', () => {
    assert.deepEqual(stemChannels(3, 48), [16, 32, 48]);
    const stem = new ConvStem(8, 3, 32, 0);
    const n0 = tf.memory().numTensors;
    const y = tf.tidy(() => stem.forward(tf.zeros([2, 64, 64, 3])));
    assert.deepEqual(y.shape, [2, 64, 32]);
    y.dispose();
    assert.equal(tf.memory().numTensors, n0);
    assert.throws(() => new ConvStem(6, 3, 32, 0), /patchSize must be a power of two/);
    stem.dispose();
  });

  it("a 'conv' patch encoder trains: every stem variable gets a gradient", () => {
    const enc = new PatchEncoder({ imageSize: 16, patchSize: 4, width: 16, depth: 1, heads: 2, mlpWidth: 32, outputDim: 8, stem: 'conv' }, 0);
    const images = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 5);
    const vars = enc.trainableVariables();
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(enc.forward(images))) as tf.Scalar, vars);
    for (const v of vars) assert.ok(tf.sum(tf.abs(grads[v.name]!)).dataSync()[0]! > 0, `gradient of ${v.name}`);
    tf.dispose([value, images, ...Object.values(grads)]);
    enc.dispose();
  });
});
