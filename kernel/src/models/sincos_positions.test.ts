import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { PatchEncoder } from './patch_encoder';
import { sincos2d } from './sincos_positions';

before(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

it('sincos2d: the hand-computed code, distinct rows, nearer patches more alike; bad arguments named', () => {
  const code = sincos2d(4, 8, 2);
  const v = code.arraySync();
  code.dispose();
  // patch (0, 0): sin 0 = 0, cos 0 = 1 for every frequency, times the amplitude
  assert.deepEqual(v[0], [0, 2, 0, 2, 0, 2, 0, 2]);
  // patch (r=1, c=2) = row-major index 6; ω = [1, 0.01] (10000^(−i/2))
  const want = [Math.sin(1), Math.cos(1), Math.sin(0.01), Math.cos(0.01), Math.sin(2), Math.cos(2), Math.sin(0.02), Math.cos(0.02)].map((x) => 2 * x);
  v[6]!.forEach((x, j) => assert.ok(Math.abs(x - want[j]!) < 1e-6, `entry ${j}: ${x} vs ${want[j]}`));
  const key = (row: number[]) => row.map((x) => x.toFixed(5)).join(',');
  assert.equal(new Set(v.map(key)).size, 16, 'every patch has its own code');
  const dist = (a: number[], b: number[]) => Math.hypot(...a.map((x, j) => x - b[j]!));
  assert.ok(dist(v[0]!, v[1]!) < dist(v[0]!, v[2]!), 'the right neighbour is nearer than the one after');
  assert.throws(() => sincos2d(4, 6, 1), /d must be a positive multiple of 4, got 6/);
  assert.throws(() => sincos2d(0, 8, 1), /grid must be a positive integer/);
});

it("PatchEncoder posInit 'sincos' starts its learnt positions at the code, as large as a token; bad values are named", () => {
  const before = tf.memory().numTensors;
  const enc = new PatchEncoder({ imageSize: 32, patchSize: 8, width: 16, depth: 1, heads: 2, mlpWidth: 32, outputDim: 16, posInit: 'sincos' });
  const amplitude = 0.02 * Math.sqrt((8 * 8 * 3) / 3) * Math.SQRT2;
  const code = sincos2d(4, 16, amplitude);
  assert.equal(tf.tidy(() => tf.max(tf.abs(tf.sub(enc.pos, code))).dataSync()[0]), 0);
  assert.equal(enc.pos.trainable, true);
  code.dispose();
  enc.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => new PatchEncoder({ posInit: 'grid' as 'sincos' }), /posInit: expected 'normal' or 'sincos', got 'grid'/);
  assert.throws(() => new PatchEncoder({ width: 18, heads: 2, posInit: 'sincos' }), /'sincos' needs a width divisible by 4, got 18/);
});
