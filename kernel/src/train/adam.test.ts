import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { AdamOptimizer, type OptimizerConfig } from './adam';

/** float64 reference of torch.optim.Adam/AdamW for one scalar parameter. */
function reference(kind: 'adam' | 'adamw', p: number, grads: number[], lrs: number[], c: Omit<OptimizerConfig, 'kind' | 'lr'>): number {
  let m = 0;
  let v = 0;
  grads.forEach((g0, k) => {
    const t = k + 1;
    const lr = lrs[k];
    let g = g0;
    if (kind === 'adam') g += c.weightDecay * p;
    else p *= 1 - lr * c.weightDecay;
    m = c.beta1 * m + (1 - c.beta1) * g;
    v = c.beta2 * v + (1 - c.beta2) * g * g;
    p -= (lr / (1 - c.beta1 ** t)) * (m / (Math.sqrt(v) / Math.sqrt(1 - c.beta2 ** t) + c.eps));
  });
  return p;
}

test('Adam and AdamW match the PyTorch update (float64 reference), and a null gradient skips', async () => {
  await initBackend({ backend: 'wasm', log: null });
  const c = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
  const grads = [0.5, -0.2, 0.3];
  const lrs = [0.1, 0.05, 0.02];
  for (const kind of ['adam', 'adamw'] as const) {
    const p = tf.tidy(() => tf.variable(tf.scalar(1)));
    const q = tf.tidy(() => tf.variable(tf.scalar(2)));
    const opt = new AdamOptimizer([p, q], { kind, lr: 0.1, ...c });
    const before = tf.memory().numTensors;
    grads.forEach((g, k) => tf.tidy(() => opt.apply([tf.scalar(g), null], lrs[k])));
    assert.equal(tf.memory().numTensors, before);
    const got = (await p.data())[0];
    assert.ok(Math.abs(got - reference(kind, 1, grads, lrs, c)) < 1e-6, `${kind}: ${got} vs ${reference(kind, 1, grads, lrs, c)}`);
    assert.equal((await q.data())[0], 2, 'null gradient: parameter untouched (no decay either)');
    const state = await opt.getState();
    assert.deepEqual(state.stepCounts, [3, 0]);
    opt.dispose();
    tf.dispose([p, q]);
  }
  // First AdamW step by hand: p(1 − lr λ) − lr·g/|g| = 1·0.99 − 0.1 = 0.89.
  assert.ok(Math.abs(reference('adamw', 1, [0.5], [0.1], c) - 0.89) < 1e-7);
});

test('lrScales: a parameter at scale s follows the reference at s × lr; scale 0 freezes it (no decay either); bad scales name the option', async () => {
  await initBackend({ backend: 'wasm', log: null });
  const c = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
  const grads = [0.5, -0.2, 0.3];
  const lrs = [0.1, 0.05, 0.02];
  for (const kind of ['adam', 'adamw'] as const) {
    const [p, q, r] = [1, 2, 3].map((x) => tf.tidy(() => tf.variable(tf.scalar(x))));
    const opt = new AdamOptimizer([p!, q!, r!], { kind, lr: 0.1, ...c }, { lrScales: [1, 2.5, 0] });
    grads.forEach((g, k) => tf.tidy(() => opt.apply([tf.scalar(g), tf.scalar(g), tf.scalar(g)], lrs[k]!)));
    const [gp, gq, gr] = [(await p!.data())[0]!, (await q!.data())[0]!, (await r!.data())[0]!];
    const want = { p: reference(kind, 1, grads, lrs, c), q: reference(kind, 2, grads, lrs.map((x) => 2.5 * x), c) };
    assert.ok(Math.abs(gp - want.p) < 1e-6, `${kind} scale 1: ${gp} vs ${want.p}`);
    assert.ok(Math.abs(gq - want.q) < 1e-6, `${kind} scale 2.5: ${gq} vs ${want.q}`);
    assert.equal(gr, 3, `${kind} scale 0: frozen`);
    opt.dispose();
    tf.dispose([p!, q!, r!]);
  }
  const w = tf.tidy(() => tf.variable(tf.scalar(1), true, 'w'));
  const cfg = { kind: 'adam' as const, lr: 0.1, ...c };
  assert.throws(() => new AdamOptimizer([w], cfg, { lrScales: [1, 1] }), /AdamOptimizer: option 'lrScales' needs one scale per parameter \(1\), got 2/);
  assert.throws(() => new AdamOptimizer([w], cfg, { lrScales: [-1] }), /AdamOptimizer: option 'lrScales'\[0\] \(parameter 'w'\) must be a finite number ≥ 0, got -1/);
  w.dispose();
});
