import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { MultiHeadAttention } from './attention';
import { DEFAULT_PATCH_ENCODER_CONFIG, PatchEncoder, patchEncoderConfig, patchify } from './patch_encoder';
import { relError } from './test_support/gradcheck';
import { DEFAULT_TEXT_ENCODER_CONFIG, TextEncoder, textEncoderConfig } from './text_encoder';

before(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

const TINY_IMAGE = { imageSize: 8, patchSize: 4, width: 8, depth: 1, heads: 2, mlpWidth: 16, outputDim: 6 };
const TINY_TEXT = { vocabSize: 10, maxLength: 5, width: 8, depth: 1, heads: 2, mlpWidth: 16, outputDim: 6 };

describe('configs', () => {
  it('defaults are the benchmark model (shared/bench-workloads.md)', () => {
    assert.deepEqual({ ...DEFAULT_PATCH_ENCODER_CONFIG }, {
      imageSize: 64, channels: 3, patchSize: 8, width: 128, depth: 2, heads: 4, mlpWidth: 512, outputDim: 128, lnEps: 1e-5, stem: 'linear', stemChannels: 16, qkStd: 0.02, posInit: 'normal',
    });
    assert.deepEqual({ ...DEFAULT_TEXT_ENCODER_CONFIG }, {
      vocabSize: 64, maxLength: 16, width: 128, depth: 2, heads: 4, mlpWidth: 512, outputDim: 128, lnEps: 1e-5, qkStd: 0.02,
    });
    assert.ok(Object.isFrozen(DEFAULT_PATCH_ENCODER_CONFIG) && Object.isFrozen(DEFAULT_TEXT_ENCODER_CONFIG));
  });

  it('merge rejects unknown keys, wrong types and inconsistent sizes, naming the key', () => {
    assert.throws(() => patchEncoderConfig({ dpeth: 3 } as never), /PatchEncoderConfig: unknown key 'dpeth'/);
    assert.throws(() => textEncoderConfig({ width: '128' } as never), /TextEncoderConfig\.width: expected a number/);
    assert.throws(() => patchEncoderConfig({ patchSize: 7 }), /patchSize: 7 does not divide imageSize 64/);
    assert.throws(() => textEncoderConfig({ heads: 3 }), /heads: 3 does not divide width 128/);
    assert.throws(() => textEncoderConfig({ depth: 0 }), /depth: expected a positive integer/);
    assert.equal(patchEncoderConfig({ depth: 4 }).depth, 4);
    assert.throws(() => patchEncoderConfig({ qkStd: 0 }), /PatchEncoderConfig\.qkStd: expected a positive number, got 0/);
    assert.throws(() => patchEncoderConfig({ stem: 'cnn' } as never), /PatchEncoderConfig\.stem: expected 'linear', 'conv' or 'hybrid', got 'cnn'/);
    assert.throws(() => patchEncoderConfig({ imageSize: 48, patchSize: 12, stem: 'conv' }), /'conv' stem needs a power of two; got 12/);
    assert.throws(() => patchEncoderConfig({ imageSize: 48, patchSize: 12, stem: 'hybrid' }), /'hybrid' stem needs a power of two; got 12/);
  });
});

describe('encoders', () => {
  it('qkStd sets the init spread of the attention query/key weights only (0.02 by default)', () => {
    const std = (v: tf.Tensor) => Math.sqrt(tf.moments(v).variance.dataSync()[0]!);
    const small = new PatchEncoder({ width: 64, heads: 4, mlpWidth: 128, outputDim: 8 }, 0);
    const wide = new PatchEncoder({ width: 64, heads: 4, mlpWidth: 128, outputDim: 8, qkStd: 0.125 }, 0);
    const attn = (e: PatchEncoder) => e.blocks[0]!.attn;
    assert.ok(Math.abs(std(attn(small).q.weight) - 0.02) < 0.002 && Math.abs(std(attn(small).k.weight) - 0.02) < 0.002);
    assert.ok(Math.abs(std(attn(wide).q.weight) - 0.125) < 0.01 && Math.abs(std(attn(wide).k.weight) - 0.125) < 0.01);
    assert.ok(Math.abs(std(attn(wide).v.weight) - 0.02) < 0.002, 'values keep the default');
    small.dispose();
    wide.dispose();
  });

  it('the default patch encoder maps [B, 64, 64, 3] to 64 patch features of 128, and frees everything', () => {
    const n0 = tf.memory().numTensors;
    const enc = new PatchEncoder();
    assert.equal(enc.numPatches, 64);
    tf.tidy(() => assert.deepEqual(enc.forward(tf.zeros([2, 64, 64, 3])).shape, [2, 64, 128]));
    assert.throws(() => tf.tidy(() => enc.forward(tf.zeros([2, 32, 32, 3]))), /images must be \[B, 64, 64, 3\]/);
    enc.dispose();
    assert.equal(tf.memory().numTensors, n0);
  });

  it("the 'hybrid' stem is the conv stem's tokens plus a linear map of the patch pixels; both learn", () => {
    const n0 = tf.memory().numTensors;
    const cfg = { ...TINY_IMAGE, imageSize: 16, patchSize: 4 };
    const conv = new PatchEncoder({ ...cfg, stem: 'conv' }, 3);
    const hybrid = new PatchEncoder({ ...cfg, stem: 'hybrid' }, 3);
    const images = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 5);
    const pixel = hybrid.pixelEmbed!;
    assert.ok(conv.pixelEmbed === null && hybrid.namedVariables().has('pixelEmbed.weight'));
    // the same seed gives the same conv stem, positions and blocks: the hybrid's extra is exactly the pixel Linear
    tf.tidy(() => {
      const direct = tf.add(tf.add(conv.embed.forward(images), pixel.forward(patchify(images, 4))), conv.pos);
      let x = direct;
      for (const block of conv.blocks) x = block.forward(x);
      const expected = conv.proj.forward(conv.lnFinal.forward(x));
      const got = hybrid.forward(images).dataSync();
      assert.ok(relError(got, expected.dataSync()) < 1e-6);
      assert.ok(relError(got, conv.forward(images).dataSync()) > 1e-3, 'the pixel path changes the features');
    });
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(hybrid.forward(images))) as tf.Scalar, hybrid.trainableVariables());
      for (const name of ['pixelEmbed.weight', 'stem.down.0.weight']) {
        assert.ok(tf.sum(tf.abs(grads[hybrid.namedVariables().get(name)!.name]!)).dataSync()[0]! > 0, `${name} gets a gradient`);
      }
    });
    images.dispose();
    conv.dispose();
    hybrid.dispose();
    assert.equal(tf.memory().numTensors, n0);
  });

  it('patchify orders patches row-major and flattens each as (row, col, channel)', () => {
    tf.tidy(() => {
      const img = tf.reshape(tf.range(0, 4 * 4 * 2), [1, 4, 4, 2]); // value = (y·4 + x)·2 + c
      const p = patchify(img, 2).arraySync() as number[][][];
      assert.deepEqual(p[0]![1], [4, 5, 6, 7, 12, 13, 14, 15]); // patch (row 0, col 1)
      assert.deepEqual(p[0]![2], [16, 17, 18, 19, 24, 25, 26, 27]); // patch (row 1, col 0)
    });
  });

  it('initialisation is seeded: same seed, same weights; another seed, other weights', () => {
    const n0 = tf.memory().numTensors;
    const [a, b, c] = [new TextEncoder(TINY_TEXT, 7), new TextEncoder(TINY_TEXT, 7), new TextEncoder(TINY_TEXT, 8)];
    const va = a.namedVariables();
    assert.ok(va.has('blocks.0.attn.q.weight') && va.has('tokenEmbedding') && va.has('lnFinal.gain'));
    for (const [name, v] of va) {
      assert.deepEqual(v.dataSync(), b.namedVariables().get(name)!.dataSync(), name);
    }
    assert.notDeepEqual(va.get('proj.weight')!.dataSync(), c.namedVariables().get('proj.weight')!.dataSync());
    [a, b, c].forEach((e) => e.dispose());
    assert.equal(tf.memory().numTensors, n0);
  });

  it('text encoder: padded positions never change the features of real tokens', () => {
    const n0 = tf.memory().numTensors;
    const enc = new TextEncoder(TINY_TEXT, 1);
    tf.tidy(() => {
      const mask = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
      const t1 = tf.tensor2d([[3, 4, 5, 0, 0], [1, 2, 3, 4, 5]], undefined, 'int32');
      const t2 = tf.tensor2d([[3, 4, 5, 9, 7], [1, 2, 3, 4, 5]], undefined, 'int32');
      const f1 = enc.forward(t1, mask).arraySync() as number[][][];
      const f2 = enc.forward(t2, mask).arraySync() as number[][][];
      assert.ok(relError(f1[0]!.slice(0, 3).flat(), f2[0]!.slice(0, 3).flat()) < 1e-5);
      assert.ok(relError(f1[1]!.flat(), f2[1]!.flat()) < 1e-6);
      assert.ok(relError(f1[0]![3]!, f2[0]![3]!) > 1e-3, 'the padded position itself does see its token');
    });
    enc.dispose();
    assert.equal(tf.memory().numTensors, n0);
  });

  it('attention (grouped-product layout) equals textbook batched attention, values and gradients', () => {
    const n0 = tf.memory().numTensors;
    const attn = new MultiHeadAttention(8, 2, 3, 'attn');
    tf.tidy(() => {
      const [B, T, h, dh] = [2, 5, 2, 4];
      const x = tf.randomNormal([B, T, 8], 0, 1, 'float32', 11);
      const mask = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
      const reference = (x: tf.Tensor) => {
        const split = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, T, h, dh]), [0, 2, 1, 3]); // [B, h, T, dh]
        const lin = (l: { weight: tf.Variable; bias: tf.Variable }, t: tf.Tensor) => tf.add(tf.matMul(tf.reshape(t, [-1, 8]), l.weight), l.bias);
        const q = split(lin(attn.q, x)), k = split(lin(attn.k, x)), v = split(lin(attn.v, x));
        const s = tf.add(tf.div(tf.matMul(q, tf.transpose(k, [0, 1, 3, 2])), Math.sqrt(dh)), tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [B, 1, 1, T]));
        const y = tf.reshape(tf.transpose(tf.matMul(tf.softmax(s), v), [0, 2, 1, 3]), [B * T, 8]); // [B·T, d]
        return tf.reshape(lin(attn.out, y), [B, T, 8]);
      };
      assert.ok(relError(attn.forward(x, mask).dataSync(), reference(x).dataSync()) < 1e-4);
      const r = tf.randomNormal([B, T, 8], 0, 1, 'float32', 12);
      const g1 = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(attn.forward(x, mask), r)))(x);
      const g2 = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(reference(x), r)))(x);
      assert.ok(relError(g1.dataSync(), g2.dataSync()) < 1e-4);
      // parameter gradients flow to every variable
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(attn.forward(x, mask), r)) as tf.Scalar, attn.trainableVariables());
      assert.equal(Object.keys(grads).length, 8);
    });
    attn.dispose();
    assert.equal(tf.memory().numTensors, n0);
  });

  it('a training step of both tiny encoders changes every parameter and leaks nothing', () => {
    const img = new PatchEncoder({ ...TINY_IMAGE, channels: 3 }, 0);
    const txt = new TextEncoder(TINY_TEXT, 1);
    const vars = [...img.trainableVariables(), ...txt.trainableVariables()];
    const opt = tf.train.adam(1e-2);
    const images = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 1);
    const tokens = tf.tensor2d([[1, 2, 3, 0, 0], [4, 5, 6, 7, 8]], undefined, 'int32');
    const mask = tf.tensor2d([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
    const loss = () => tf.add(tf.mean(tf.square(img.forward(images))), tf.mean(tf.square(txt.forward(tokens, mask)))) as tf.Scalar;
    tf.dispose(opt.minimize(loss, true, vars) ?? []);
    const n0 = tf.memory().numTensors;
    const before = vars.map((v) => v.dataSync().slice());
    tf.dispose(opt.minimize(loss, true, vars) ?? []);
    assert.equal(tf.memory().numTensors, n0, 'no tensor growth across steps');
    vars.forEach((v, i) => assert.ok(relError(v.dataSync(), before[i]!, 1) > 0, `variable ${i} moved`));
    opt.dispose();
    img.dispose();
    txt.dispose();
    tf.dispose([images, tokens, mask]);
  });
});
