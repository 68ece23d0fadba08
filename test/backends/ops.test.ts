/**
 * The TF.js ops alignscope leans on agree across backends (cpu reference, wasm, webgpu) within 1e-5,
 * forward and backward, without leaking tensors. Shapes follow the Sinkhorn/attention workloads, kept small
 * because lavapipe emulates the GPU on the CPU.
 */
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { affine } from '../../kernel/src/models/affine';
import { gelu } from '../../kernel/src/models/gelu';
import { addMany } from '../../kernel/src/backend/add_many';
import { MultiHeadAttention } from '../../kernel/src/models/attention';
import { clipByGlobalNorm } from '../../kernel/src/train/clip_grad_norm';
import { layerNormOp } from '../../kernel/src/models/layer_norm';
import { CausalSelfAttention } from '../../kernel/src/seq/causal_attention';
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

test('the model layers (affine, layer norm, GELU; fused or layout-specific per backend) agree across backends, with gradients', async (t) => {
  const runs = await forEachBackend(t, async () => {
    const out = tf.tidy(() => {
      const x = seeded([40, 24], 11) as tf.Tensor2D; // [N, k]
      const w = seeded([24, 16], 12, 0.3) as tf.Tensor2D; // [k, m]
      const b = seeded([16], 13) as tf.Tensor1D;
      const gain = seeded([16], 14) as tf.Tensor1D;
      const bias = seeded([16], 15) as tf.Tensor1D;
      const r = seeded([40, 16], 16); // weights of the scalar loss
      const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor): tf.Scalar =>
        tf.sum(tf.mul(gelu(layerNormOp(1e-5)(affine(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D), gain as tf.Tensor1D, bias as tf.Tensor1D)), r));
      const value = f(x, w, b, gain, bias);
      return [value, gelu(tf.mul(x, 3)), ...tf.grads(f)([x, w, b, gain, bias])];
    });
    const values = await Promise.all(out.map((o) => o.data() as Promise<Float32Array>));
    tf.dispose(out);
    return values;
  });
  assertAgree(runs, 1e-5, t);
});

test('attention (key-masked and causal; grouped layout on wasm, batched elsewhere) agrees across backends, with gradients', async (t) => {
  const runs = await forEachBackend(t, async () => {
    const masked = new MultiHeadAttention(16, 4, 1, 'a', 0.3);
    const causal = new CausalSelfAttention(16, 4, 2, 'c');
    try {
      const out = tf.tidy(() => {
        const x = seeded([3, 7, 16], 17); // [B, T, d]
        const keyMask = tf.tensor2d([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0], [3, 7]);
        const r = seeded([3, 7, 16], 18);
        const f = (x: tf.Tensor) => tf.add(tf.sum(tf.mul(masked.forward(x, keyMask), r)), tf.sum(tf.mul(causal.forward(x), r))) as tf.Scalar;
        const { value, grads } = tf.variableGrads(() => f(x));
        const later = tf.concat([tf.slice(x, [0, 0, 0], [3, 4, 16]), tf.mul(tf.slice(x, [0, 4, 0], [3, 3, 16]), -2)], 1);
        // causality: changing positions 4..6 leaves outputs 0..3 unchanged
        const shift = tf.max(tf.abs(tf.sub(tf.slice(causal.forward(later), [0, 0, 0], [3, 4, 16]), tf.slice(causal.forward(x), [0, 0, 0], [3, 4, 16]))));
        return [value, tf.grad(f)(x), shift, ...Object.values(grads)];
      });
      const values = await Promise.all(out.map((o) => o.data() as Promise<Float32Array>));
      tf.dispose(out);
      if (values[2]![0]! > 1e-6) throw new Error(`causal attention: earlier outputs moved by ${values[2]![0]} when later inputs changed`);
      return values;
    } finally {
      masked.dispose();
      causal.dispose();
    }
  });
  assertAgree(runs, 1e-5, t);
});

test('sums of many tensors (addMany; the global gradient norm over 80 tensors) agree across backends', async (t) => {
  // webgpu's AddN takes at most maxStorageBuffersPerShaderStage − 1 inputs; beyond that its pipeline is invalid
  const runs = await forEachBackend(t, async () => {
    const out = tf.tidy(() => {
      const parts = Array.from({ length: 80 }, (_, i) => seeded([3, 5], 100 + i, 0.1 * (1 + (i % 7))));
      const { grads, norm } = clipByGlobalNorm(parts, 1);
      return [addMany(parts), norm, ...grads.slice(0, 3), grads[79]!, addMany(parts.slice(0, 1)), addMany(parts.slice(0, 8))];
    });
    const values = await Promise.all(out.map((o) => o.data() as Promise<Float32Array>));
    tf.dispose(out);
    return values;
  });
  assertAgree(runs, 1e-5, t);
  // and the norm is the norm: compare with a plain JS sum on the reference run
  const reference = runs[0]!.value;
  if (!(reference[1]![0]! > 1)) throw new Error(`the norm of 80 tensors of scale ≥ 0.1 should exceed 1, got ${reference[1]![0]}`);
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
