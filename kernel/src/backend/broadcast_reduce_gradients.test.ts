import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './init_backend';
import './broadcast_reduce_gradients';

before(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

it('the Sum and Mean gradients are ours (no host-filled ones tensor)', () => {
  assert.equal(tf.getGradient(tf.Sum).gradFunc.name, 'sumGrad');
  assert.equal(tf.getGradient(tf.Mean).gradFunc.name, 'meanGrad');
});

/** d/dx Σ w ⊙ reduce(x, axes) is w broadcast back over the reduced axes (÷ n for the mean): checked entry by entry. */
for (const backend of ['wasm', 'cpu'] as const) {
  it(`sum and mean gradients over every axis set and keepDims equal the hand-computed broadcast (${backend})`, async () => {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const shape = [2, 3, 4];
    for (const axes of [[0], [1], [2], [0, 2], [-1], [0, 1, 2]]) {
      for (const keepDims of [false, true]) {
        for (const op of ['sum', 'mean'] as const) {
          const [gx, w] = tf.tidy(() => {
            const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
            const outShape = (op === 'sum' ? tf.sum(x, axes, keepDims) : tf.mean(x, axes, keepDims)).shape;
            const w = tf.randomNormal(outShape, 0, 1, 'float32', 2);
            const f = (t: tf.Tensor) => tf.sum(tf.mul(op === 'sum' ? tf.sum(t, axes, keepDims) : tf.mean(t, axes, keepDims), w)) as tf.Scalar;
            return [tf.grad(f)(x), tf.reshape(w, shape.map((s, i) => (axes.map((a) => (a + 3) % 3).includes(i) ? 1 : s)))];
          });
          const g = await gx.data();
          const wv = await w.data();
          const n = axes.length === 3 ? 24 : axes.map((a) => shape[(a + 3) % 3]!).reduce((a, b) => a * b, 1);
          const reduced = new Set(axes.map((a) => (a + 3) % 3));
          const wShape = shape.map((s, i) => (reduced.has(i) ? 1 : s));
          for (let i = 0; i < 24; i++) {
            const idx = [Math.floor(i / 12), Math.floor(i / 4) % 3, i % 4].map((v, k) => (reduced.has(k) ? 0 : v));
            const wi = (idx[0]! * wShape[1]! + idx[1]!) * wShape[2]! + idx[2]!;
            const want = op === 'sum' ? wv[wi]! : wv[wi]! / n;
            assert.ok(Math.abs(g[i]! - want) < 1e-6, `${op} axes [${axes}] keepDims ${keepDims} entry ${i}: ${g[i]} vs ${want}`);
          }
          tf.dispose([gx, w]);
        }
      }
    }
    assert.equal(tf.memory().numTensors, before);
    await tf.setBackend('wasm');
  });
}
