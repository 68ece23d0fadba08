import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { clipByGlobalNorm } from './clip_grad_norm';

test('global-norm clipping: norm over all tensors, scaled only above maxNorm', async () => {
  await initBackend({ backend: 'wasm', log: null });
  const before = tf.memory().numTensors;
  const [clipped, norm, unclipped] = tf.tidy(() => {
    const g = [tf.tensor1d([3]), tf.tensor2d([[4, 0]])]; // global norm 5
    const big = clipByGlobalNorm(g, 1);
    const small = clipByGlobalNorm(g, 10);
    return [tf.concat([big.grads[0], tf.reshape(big.grads[1], [2])]), big.norm, tf.concat([small.grads[0], tf.reshape(small.grads[1], [2])])];
  });
  const c = await clipped.data();
  assert.ok(Math.abs(c[0] - 0.6) < 1e-5 && Math.abs(c[1] - 0.8) < 1e-5 && c[2] === 0, `clipped ${c}`);
  assert.ok(Math.abs((await norm.data())[0] - 5) < 1e-6);
  assert.deepEqual(Array.from(await unclipped.data()), [3, 4, 0]);
  tf.dispose([clipped, norm, unclipped]);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => clipByGlobalNorm([], 0), /maxNorm > 0/);
});
