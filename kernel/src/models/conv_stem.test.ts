import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { conv3x3 } from './conv3x3';
import { ConvStem, spaceToDepth2, stemChannels } from './conv_stem';
import { PatchEncoder } from './patch_encoder';
import { relError } from './test_support/gradcheck';

before(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

describe('conv stem', () => {
  /** The reference: im2col by 9 shifted copies of the zero-padded map and one product (tfjs-core's own gradients). */
  const byShifts = (x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor => {
    const [B, H, W, C] = x.shape;
    const padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    const shifts: tf.Tensor[] = [];
    for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) shifts.push(tf.slice(padded, [0, dy, dx, 0], [B, H, W, C]));
    return tf.reshape(tf.matMul(tf.reshape(tf.concat(shifts, 3), [-1, 9 * C]), tf.reshape(w, [9 * C, w.shape[3]])), [B, H, W, w.shape[3]]);
  };

  it('conv3x3 equals tf.conv2d (SAME) and the im2col product by shifts; its gradients (forward convolutions only) equal the shifts’ (tfjs-core)', () => {
    const x = tf.randomNormal([2, 6, 5, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D; // [kh, kw, cin, cout]
    const probe = tf.randomNormal([2, 6, 5, 4], 0, 1, 'float32', 3); // a loss Σ probe ⊙ y with a non-constant dy
    const ours = conv3x3(x, w);
    assert.ok(relError(ours.dataSync(), tf.conv2d(x, w, 1, 'same').dataSync(), 1) < 1e-5);
    assert.ok(relError(ours.dataSync(), byShifts(x, w).dataSync(), 1) < 1e-5);
    const [dxOurs, dwOurs] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv3x3(a as tf.Tensor4D, b as tf.Tensor4D), probe)))([x, w]);
    const [dxRef, dwRef] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(byShifts(a as tf.Tensor4D, b as tf.Tensor4D), probe)))([x, w]);
    assert.deepEqual(dxOurs!.shape, x.shape);
    assert.deepEqual(dwOurs!.shape, w.shape);
    assert.ok(relError(dxOurs!.dataSync(), dxRef!.dataSync(), 1) < 1e-5, 'dx');
    assert.ok(relError(dwOurs!.dataSync(), dwRef!.dataSync(), 1) < 1e-5, 'dW');
    assert.throws(() => conv3x3(x, tf.zeros([3, 3, 2, 4]) as tf.Tensor4D), /conv3x3: expected x \[B, H, W, c\] and w \[3, 3, c, m\]; got x \[2,6,5,3\], w \[3,3,2,4\]/);
    tf.dispose([x, w, probe, ours, dxOurs!, dwOurs!, dxRef!, dwRef!]);
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

  it('stemChannels sets the first stage (8 → 8, 16, 32): the weight shapes follow, the output is still at the width; bad values are refused', () => {
    assert.deepEqual(stemChannels(3, 64, 8), [8, 16, 32]);
    const stem = new ConvStem(8, 3, 64, 0, 8);
    assert.deepEqual(stem.down.map((l) => l.weight.shape), [[12, 8], [32, 16], [64, 32]]);
    assert.deepEqual(stem.conv.map((l) => l.weight.shape), [[72, 8], [144, 16], [288, 32]]);
    assert.deepEqual(stem.out.weight.shape, [32, 64]);
    const y = tf.tidy(() => stem.forward(tf.zeros([1, 64, 64, 3])));
    assert.deepEqual(y.shape, [1, 64, 64]);
    y.dispose();
    stem.dispose();
    assert.throws(() => new ConvStem(8, 3, 64, 0, 0), /firstChannels must be a positive integer; got 0/);
    const enc = new PatchEncoder({ imageSize: 16, patchSize: 4, width: 16, depth: 1, heads: 2, mlpWidth: 32, outputDim: 8, stem: 'conv', stemChannels: 4 }, 0);
    assert.deepEqual((enc.embed as ConvStem).conv.map((l) => l.weight.shape), [[36, 4], [72, 8]]);
    enc.dispose();
    assert.throws(() => new PatchEncoder({ stem: 'conv', stemChannels: 2.5 }, 0), /PatchEncoderConfig\.stemChannels/);
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
