import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { numericGrad, relError } from '../models/test_support/gradcheck';
import { product, registerFastMatMulGradient, rowSum, transpose2d, transposedProduct } from './fast_matmul_gradient';

before(async () => {
  await initBackend({ backend: 'wasm', log: null });
  registerFastMatMulGradient();
});

/** Naive reference gradients of sum(R ⊙ op(A)·op(B)) for rank-3 (or broadcast rank-2 b) inputs, in JS. */
function referenceGrads(a: tf.Tensor, b: tf.Tensor, r: tf.Tensor, tA: boolean, tB: boolean): { da: tf.Tensor; db: tf.Tensor } {
  // autodiff of an explicitly transposed, broadcast-free formulation: only Multiply/Sum/Transpose gradients
  return tf.tidy(() => {
    const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => {
      const ox = tA ? tf.transpose(x, x.rank === 3 ? [0, 2, 1] : [1, 0]) : x; // [.., n, k]
      const oy = tB ? tf.transpose(y, y.rank === 3 ? [0, 2, 1] : [1, 0]) : y; // [.., k, m]
      const x4 = tf.expandDims(ox, -1); // [.., n, k, 1]
      const y4 = tf.expandDims(oy, -3); // [.., 1, k, m]
      const prod = tf.sum(tf.mul(x4, y4), -2); // [.., n, m]
      return tf.sum(tf.mul(prod, r));
    });
    const [da, db] = g([a, b]);
    return { da: da!, db: db! };
  });
}

describe('fast BatchMatMul gradient', () => {
  it('is the registered gradient of BatchMatMul', () => {
    assert.equal(tf.getGradient(tf.BatchMatMul).gradFunc.name, 'batchMatMulGrad');
  });

  const cases: Array<{ name: string; a: number[]; b: number[]; tA: boolean; tB: boolean }> = [
    { name: '2-D', a: [5, 3], b: [3, 4], tA: false, tB: false },
    { name: '2-D transposeA', a: [3, 5], b: [3, 4], tA: true, tB: false },
    { name: '2-D transposeB', a: [5, 3], b: [4, 3], tA: false, tB: true },
    { name: '2-D both', a: [3, 5], b: [4, 3], tA: true, tB: true },
    { name: 'batched', a: [2, 5, 3], b: [2, 3, 4], tA: false, tB: false },
    { name: 'batched transposeB', a: [2, 5, 3], b: [2, 4, 3], tA: false, tB: true },
    { name: 'batched × matrix (linear layer)', a: [2, 5, 3], b: [3, 4], tA: false, tB: false },
    { name: 'batched × matrix transposeB', a: [2, 5, 3], b: [4, 3], tA: false, tB: true },
  ];
  // wasm: explicit transposes; cpu: flagged products (what webgpu and tfjs-node get)
  for (const c of cases.flatMap((c) => (['wasm', 'cpu'] as const).map((backend) => ({ ...c, backend })))) {
    it(`matches the reference gradient: ${c.name} (${c.backend})`, async () => {
      await tf.setBackend(c.backend);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const a = tf.randomNormal(c.a, 0, 1, 'float32', 1);
        const b = tf.randomNormal(c.b, 0, 1, 'float32', 2);
        const out = tf.matMul(a, b, c.tA, c.tB);
        const r = tf.randomNormal(out.shape, 0, 1, 'float32', 3);
        const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, c.tA, c.tB), r)))([a, b]);
        const ref = referenceGrads(a, b, r, c.tA, c.tB);
        assert.deepEqual(da!.shape, a.shape);
        assert.deepEqual(db!.shape, b.shape);
        assert.ok(relError(da!.dataSync(), ref.da.dataSync()) < 1e-5, 'dA');
        assert.ok(relError(db!.dataSync(), ref.db.dataSync()) < 1e-5, 'dB');
      });
      assert.equal(tf.memory().numTensors, before);
      await tf.setBackend('wasm');
    });
  }

  it('matches finite differences', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const a = tf.randomNormal([4, 3], 0, 1, 'float32', 4);
      const b = tf.randomNormal([3, 2], 0, 1, 'float32', 5);
      const f = (x: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, b))) as tf.Scalar;
      const analytic = tf.grad(f)(a).dataSync();
      assert.ok(relError(analytic, numericGrad(f, a)) < 1e-2);
    });
    assert.equal(tf.memory().numTensors, before);
  });

  it('transpose2d and transposedProduct are exact', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.randomNormal([512, 130], 0, 1, 'float32', 6) as tf.Tensor2D;
      const y = tf.randomNormal([512, 70], 0, 1, 'float32', 7) as tf.Tensor2D;
      assert.equal(tf.max(tf.abs(tf.sub(transpose2d(x), tf.transpose(x)))).dataSync()[0], 0);
      const ref = tf.matMul(tf.transpose(x), y);
      assert.ok(tf.max(tf.abs(tf.sub(transposedProduct(x, y), ref))).dataSync()[0]! < 1e-3);
      assert.ok(tf.max(tf.abs(tf.sub(transposedProduct(y, x), tf.transpose(tf.matMul(tf.transpose(x), y))))).dataSync()[0]! < 1e-3);
    });
    assert.equal(tf.memory().numTensors, before);
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`product (every transpose combination) and rowSum agree with plain products (${backend})`, async () => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.randomNormal([6, 4], 0, 1, 'float32', 8) as tf.Tensor2D;
        const y = tf.randomNormal([6, 5], 0, 1, 'float32', 9) as tf.Tensor2D;
        const z = tf.randomNormal([4, 5], 0, 1, 'float32', 10) as tf.Tensor2D;
        const close = (a: tf.Tensor, b: tf.Tensor) => assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! < 1e-5);
        close(product(x, z, false, false), tf.matMul(x, z)); // [6, 5]
        close(product(x, y, true, false), tf.matMul(tf.transpose(x), y)); // [4, 5]
        close(product(y, z, false, true), tf.matMul(y, tf.transpose(z))); // [6, 4]
        close(product(z, x, true, true), tf.matMul(tf.transpose(z), tf.transpose(x))); // [5, 6]
        close(rowSum(y), tf.sum(y, 0));
      });
      assert.equal(tf.memory().numTensors, before);
      await tf.setBackend('wasm');
    });
  }
});
