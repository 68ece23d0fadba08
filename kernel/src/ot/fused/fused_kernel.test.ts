import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../backend';
import { sinkhorn } from '../sinkhorn';
import { fusedRuntime, setFusedSinkhornEnabled } from './fused_runtime';

const root = path.join(__dirname, '../../../..');

function maxAbsDiff(x: tf.Tensor, y: tf.Tensor): number {
  return tf.tidy(() => x.sub(y).abs().max().dataSync()[0]!);
}

/** Solves with the fused WebAssembly kernels and with the TF.js kernel form. */
function bothPaths(C: tf.Tensor, options: Parameters<typeof sinkhorn>[1]) {
  setFusedSinkhornEnabled(true);
  const fused = sinkhorn(C, { ...options, method: 'kernel' });
  setFusedSinkhornEnabled(false);
  const plain = sinkhorn(C, { ...options, method: 'kernel' });
  setFusedSinkhornEnabled(true);
  return { fused, plain };
}

before(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

describe('fused kernel-domain Sinkhorn (WebAssembly SIMD, threads)', () => {
  it('is available on the wasm backend here and uses every core', () => {
    const runtime = fusedRuntime();
    assert.ok(runtime, 'WebAssembly SIMD + shared memory should be available in Node 20');
    assert.ok(runtime.threads >= 1);
  });

  for (const [label, shape] of [
    ['16 tokens (register-resident path)', [37, 49, 16]],
    ['7 tokens (padded to 8)', [9, 12, 7]],
    ['32 tokens (generic path)', [5, 20, 32]],
    ['one problem', [1, 6, 4]],
    ['as many rows as (unaligned) columns', [4, 3, 3]],
  ] as const) {
    it(`agrees with the TF.js kernel form: ${label}`, () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const C = tf.randomUniform([...shape], 0, 2, 'float32', 3);
        for (const maxIter of [1, 5, 60]) {
          const { fused, plain } = bothPaths(C, { eps: 0.05, maxIter, tol: 0 });
          assert.ok(maxAbsDiff(fused.plan, plain.plan) < 1e-6, `plan, ${maxIter} iterations`);
          assert.ok(maxAbsDiff(fused.f, plain.f) < 1e-4, 'f');
          assert.ok(maxAbsDiff(fused.g, plain.g) < 1e-4, 'g');
          assert.ok(maxAbsDiff(fused.cost, plain.cost) < 1e-5, 'cost');
          assert.ok(Math.abs(fused.marginalError - plain.marginalError) < 1e-6);
        }
      });
      assert.equal(tf.memory().numTensors, before, 'tensor leak');
    });
  }

  it('respects row and column masks and marginals', () => {
    tf.tidy(() => {
      const C = tf.randomUniform([4, 10, 16], 0, 2, 'float32', 4);
      const colMask = tf.tensor2d([
        [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
        [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0],
      ]);
      const rowMask = tf.tensor1d([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
      const a = tf.randomUniform([4, 10], 0.5, 1, 'float32', 5);
      const { fused, plain } = bothPaths(C, { eps: 0.1, colMask, rowMask, a: a.div(a.mul(rowMask).sum(1, true)), tol: 1e-7, maxIter: 3000 });
      assert.ok(fused.converged && plain.converged);
      assert.ok(maxAbsDiff(fused.plan, plain.plan) < 1e-6);
      const offSupport = fused.plan.mul(tf.sub(1, colMask).reshape([4, 1, 16])).sum().dataSync()[0]!;
      assert.equal(offSupport, 0);
    });
  });

  it('keeps exp accurate: plans at eps = 1 and eps = 0.02 match the log domain', () => {
    tf.tidy(() => {
      const C = tf.randomUniform([3, 8, 16], 0, 1.5, 'float32', 6);
      for (const eps of [1, 0.02]) {
        const fused = sinkhorn(C, { eps, method: 'kernel', tol: 0, maxIter: 30 });
        const log = sinkhorn(C, { eps, method: 'log', tol: 0, maxIter: 30 });
        assert.ok(maxAbsDiff(fused.plan, log.plan) < 1e-6, `eps ${eps}`);
      }
    });
  });

  it('the committed wasm module is built from the committed .wat', () => {
    const out = execFileSync(process.execPath, [path.join(root, 'scripts/build-wasm.mjs'), '--check'], { encoding: 'utf8' });
    assert.match(out, /up to date/);
  });
});
