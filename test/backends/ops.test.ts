/**
 * The TF.js ops alignscope leans on agree across backends (cpu reference, wasm, webgpu) within 1e-5,
 * forward and backward, without leaking tensors. Shapes follow the Sinkhorn/attention workloads, kept small
 * because lavapipe emulates the GPU on the CPU.
 */
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { assertAgree, forEachBackend, seeded } from './for_each_backend';

const B = 8;
const n = 49; // patches
const m = 16; // tokens
const d = 32; // features

test('batched matMul (plain, transposed) agrees across backends', async (t) => {
  const runs = await forEachBackend(t, async () => {
    const out = tf.tidy(() => {
      const x = seeded([B, n, d], 1); // [B, n, d]
      const y = seeded([B, m, d], 2); // [B, m, d]
      const s = tf.matMul(x, y, false, true); // [B, n, m]
      const back = tf.matMul(s, y); // [B, n, d]
      const twoD = tf.matMul(seeded([n, d], 3), seeded([d, m], 4)); // [n, m]
      return [s, back, twoD];
    });
    const values = await Promise.all(out.map((o) => o.data() as Promise<Float32Array>));
    tf.dispose(out);
    return { s: values[0]!, back: values[1]!, twoD: values[2]! };
  });
  assertAgree(runs, 1e-5, t);
});

test('softmax and logSumExp over each axis agree across backends', async (t) => {
  const runs = await forEachBackend(t, async () => {
    const out = tf.tidy(() => {
      const c = seeded([B, n, m], 5, 20); // [B, n, m] logits of a wide range, as -C/eps gives
      return [tf.softmax(c), tf.softmax(tf.transpose(c, [0, 2, 1])), tf.logSumExp(c, 2), tf.logSumExp(c, 1), tf.logSumExp(c, [1, 2])];
    });
    const values = await Promise.all(out.map((o) => o.data() as Promise<Float32Array>));
    tf.dispose(out);
    return values;
  });
  assertAgree(runs, 1e-5, t);
});

test('gradients of matMul, softmax, logSumExp agree across backends', async (t) => {
  const runs = await forEachBackend(t, async () => {
    const grads = tf.tidy(() => {
      const x = seeded([B, n, d], 6, 0.5); // [B, n, d]
      const y = seeded([B, m, d], 7, 0.5); // [B, m, d]
      const w = seeded([B, n, m], 8); // [B, n, m] weights of the scalar loss
      const f = (a: tf.Tensor, b: tf.Tensor): tf.Scalar => {
        const s = tf.matMul(a, b, false, true); // [B, n, m]
        const p = tf.softmax(s); // [B, n, m]
        const l = tf.logSumExp(s, 1); // [B, m]
        return tf.add(tf.sum(tf.mul(p, w)), tf.mean(l)) as tf.Scalar;
      };
      return tf.grads(f)([x, y]);
    });
    const values = await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>));
    tf.dispose(grads);
    return values;
  });
  assertAgree(runs, 1e-5, t);
});

test('a customGrad (as Sinkhorn envelope gradients use) agrees across backends', async (t) => {
  // softplus with a hand-written gradient
  const softplus = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    save([x]);
    return {
      value: tf.log1p(tf.exp(x)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.sigmoid(saved[0]!)),
    };
  });
  const runs = await forEachBackend(t, async () => {
    const out = tf.tidy(() => {
      const x = seeded([B, n, m], 9, 4);
      const { value, grad } = tf.valueAndGrad((v: tf.Tensor) => tf.sum(tf.mul(softplus(v) as tf.Tensor, v)) as tf.Scalar)(x);
      return [value, grad];
    });
    const values = await Promise.all(out.map((o) => o.data() as Promise<Float32Array>));
    tf.dispose(out);
    return values;
  });
  assertAgree(runs, 1e-5, t);
});

test('masking ops (where, maximum, exp/log of tiny values) agree across backends', async (t) => {
  const runs = await forEachBackend(t, async () => {
    const out = tf.tidy(() => {
      const c = seeded([B, n, m], 10, 2); // [B, n, m]
      const mask = tf.greater(seeded([B, 1, m], 11), 0); // [B, 1, m] bool
      const masked = tf.where(tf.broadcastTo(mask, [B, n, m]), c, tf.fill([B, n, m], -1e30)); // [B, n, m]
      const lse = tf.logSumExp(masked, 2); // [B, n]
      const tiny = tf.log(tf.maximum(tf.exp(tf.mul(c, 40)), 1e-30)); // underflow path
      return [lse, tiny];
    });
    const values = await Promise.all(out.map((o) => o.data() as Promise<Float32Array>));
    tf.dispose(out);
    return values;
  });
  assertAgree(runs, 1e-5, t);
});
