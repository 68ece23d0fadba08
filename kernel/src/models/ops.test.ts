import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { affine } from './affine';
import { gelu } from './gelu';
import { groupedMatMul } from './grouped_matmul';
import { layerNormOp } from './layer_norm';
import { numericGrad, relError } from './test_support/gradcheck';

before(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

/** Compares value and input gradients of a custom-gradient op with a plain-ops reference (autodiff). */
function checkAgainstReference(
  custom: (...xs: tf.Tensor[]) => tf.Tensor,
  reference: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: tf.Tensor[],
  tol = 1e-4,
): void {
  const r = tf.randomNormal(custom(...inputs).shape, 0, 1, 'float32', 99);
  const valueErr = relError(custom(...inputs).dataSync(), reference(...inputs).dataSync());
  assert.ok(valueErr < tol, `value error ${valueErr}`);
  const gc = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(custom(...xs), r)))(inputs);
  const gr = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(reference(...xs), r)))(inputs);
  gc.forEach((g, i) => {
    const err = relError(g.dataSync(), gr[i]!.dataSync());
    assert.ok(err < tol, `gradient of input ${i}: error ${err}`);
  });
}

describe('custom-gradient ops vs plain-ops autodiff and finite differences', () => {
  it('affine: value and gradients', () => {
    const n0 = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.randomNormal([6, 4], 0, 1, 'float32', 1);
      const w = tf.randomNormal([4, 3], 0, 1, 'float32', 2);
      const b = tf.randomNormal([3], 0, 1, 'float32', 3);
      checkAgainstReference(
        (x, w, b) => affine(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D),
        (x, w, b) => tf.add(tf.sum(tf.mul(tf.expandDims(x!, 2), tf.expandDims(w!, 0)), 1), b!),
        [x, w, b],
      );
    });
    assert.equal(tf.memory().numTensors, n0);
  });

  it('layer norm: value and gradients (x, gain, bias)', () => {
    const n0 = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.randomNormal([5, 8], 1, 2, 'float32', 4);
      const g = tf.randomNormal([8], 1, 0.5, 'float32', 5);
      const b = tf.randomNormal([8], 0, 0.5, 'float32', 6);
      const ref = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, -1, true);
        return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
      };
      checkAgainstReference((x, g, b) => layerNormOp(1e-5)(x as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D), (x, g, b) => ref(x!, g!, b!), [x, g, b], 1e-3);
    });
    assert.equal(tf.memory().numTensors, n0);
  });

  it('gelu (tanh form): value vs 0.5·x·(1 + tanh(…)), gradient vs finite differences', () => {
    const n0 = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.linspace(-4, 4, 17);
      const ref = (t: tf.Tensor) => tf.mul(tf.mul(t, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(t, tf.mul(0.044715, tf.pow(t, 3)))))));
      assert.ok(relError(gelu(x).dataSync(), ref(x).dataSync()) < 1e-5);
      const f = (t: tf.Tensor) => tf.sum(tf.mul(gelu(t), tf.linspace(1, 2, 17))) as tf.Scalar;
      assert.ok(relError(tf.grad(f)(x).dataSync(), numericGrad(f, x, 1e-2)) < 1e-2);
    });
    assert.equal(tf.memory().numTensors, n0);
  });

  it('groupedMatMul: G products [n, k]·[k, m] as a depthwise convolution, value and gradients', () => {
    const n0 = tf.memory().numTensors;
    tf.tidy(() => {
      const [n, k, G, m] = [3, 4, 5, 2];
      const x = tf.randomNormal([n, k, G], 0, 1, 'float32', 7);
      const f = tf.randomNormal([k, G, m], 0, 1, 'float32', 8);
      // reference: out[i, g, j] = Σ_c x[i, c, g] f[c, g, j]
      const ref = (x: tf.Tensor, f: tf.Tensor) => tf.sum(tf.mul(tf.expandDims(x, 3), tf.expandDims(f, 0)), 1);
      checkAgainstReference((x, f) => groupedMatMul(x as tf.Tensor3D, f as tf.Tensor3D), (x, f) => ref(x!, f!), [x, f]);
    });
    assert.equal(tf.memory().numTensors, n0);
  });
});
