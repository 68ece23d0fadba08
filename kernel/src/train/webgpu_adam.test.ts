/**
 * The fused WebGPU Adam update (webgpu_adam_program.ts) against the op path of AdamOptimizer on the same
 * backend and the float64 reference: several steps of adam (coupled L2) and adamw (decoupled), a changing
 * learning rate, a skipped parameter, a parameter larger than one dispatch row of workgroups, two
 * dispatches per parameter, no scalar uploads, no tensor leaks. Runs on the webgpu backend (lavapipe on
 * machines without a GPU); skipped where WebGPU is missing, except under CI=true.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { recordWebgpu, useWebgpuBackend } from '../backend/test_support/webgpu_test_backend';
import { AdamOptimizer, type OptimizerConfig } from './adam';

const webgpu = useWebgpuBackend();

function onWebgpu(name: string, body: () => Promise<void>): void {
  it(name, async (t: TestContext) => {
    if (webgpu.skip(t)) return;
    const before = tf.memory().numTensors;
    await body();
    assert.equal(tf.memory().numTensors, before, 'tensor leak');
  });
}

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (((i * 2654435761 + seed * 40503) >>> 0) % 2001) / 1000 - 1;
  return out;
}

const SHAPES = [[3, 5], [7], [300, 256]]; // the last: 76 800 entries, 1200 workgroups

async function runSteps(config: OptimizerConfig, fused: boolean, lrs: number[]): Promise<{ params: Float32Array[]; m: Float32Array[]; v: Float32Array[] }> {
  const params = SHAPES.map((s, k) => tf.tidy(() => tf.variable(tf.tensor(values(s.reduce((a, b) => a * b, 1), k), s))));
  const skipped = tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3])));
  const optimizer = new AdamOptimizer([...params, skipped], config, { fused });
  try {
    lrs.forEach((lr, step) =>
      tf.tidy(() => {
        const grads = SHAPES.map((s, k) => tf.tensor(values(s.reduce((a, b) => a * b, 1), 10 * step + k + 100), s));
        optimizer.apply([...grads, null], lr);
      }),
    );
    const state = await optimizer.getState();
    assert.deepEqual(state.stepCounts, [...SHAPES.map(() => lrs.length), 0]);
    assert.deepEqual(Array.from(await skipped.data()), [1, 2, 3], 'a null gradient leaves its parameter untouched');
    return { params: await Promise.all(params.map(async (p) => (await p.data()) as Float32Array)), m: state.m.slice(0, -1), v: state.v.slice(0, -1) };
  } finally {
    optimizer.dispose();
    tf.dispose([...params, skipped]);
  }
}

function maxRelative(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1e-3, Math.abs(b[i]!)));
  return worst;
}

describe('fused WebGPU Adam', () => {
  for (const kind of ['adam', 'adamw'] as const) {
    onWebgpu(`${kind}: five steps agree with the op path (parameters 2e-6, moments 1e-6 relative)`, async () => {
      const config: OptimizerConfig = { kind, lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 };
      const lrs = [1e-2, 8e-3, 5e-3, 5e-3, 1e-3];
      const fused = await runSteps(config, true, lrs);
      const ops = await runSteps(config, false, lrs);
      fused.params.forEach((p, k) => assert.ok(maxRelative(p, ops.params[k]!) < 2e-6, `param ${k}: ${maxRelative(p, ops.params[k]!)}`));
      fused.m.forEach((m, k) => assert.ok(maxRelative(m, ops.m[k]!) < 1e-6, `m ${k}`));
      fused.v.forEach((v, k) => assert.ok(maxRelative(v, ops.v[k]!) < 1e-6, `v ${k}`));
      // and the float64 reference, entry 0 of the first parameter
      let p = values(15, 0)[0]!;
      let m = 0;
      let v = 0;
      lrs.forEach((lr, step) => {
        let g = values(15, 10 * step + 100)[0]!;
        if (kind === 'adam') g += config.weightDecay * p;
        else p *= 1 - lr * config.weightDecay;
        m = config.beta1 * m + (1 - config.beta1) * g;
        v = config.beta2 * v + (1 - config.beta2) * g * g;
        const t = step + 1;
        p -= (lr / (1 - config.beta1 ** t)) * (m / (Math.sqrt(v) / Math.sqrt(1 - config.beta2 ** t) + config.eps));
      });
      assert.ok(Math.abs(fused.params[0]![0]! - p) < 1e-6, `${fused.params[0]![0]} vs float64 ${p}`);
    });
  }

  onWebgpu('two dispatches per parameter and no value uploads (the op path: ~15 and one per scalar)', async () => {
    const params = [tf.tidy(() => tf.variable(tf.zeros([4, 4]))), tf.tidy(() => tf.variable(tf.zeros([9])))];
    const grads = params.map((p) => tf.tidy(() => tf.add(tf.zerosLike(p), 0.5))); // already on the GPU
    await Promise.all(grads.map((g) => g.data()));
    const fused = new AdamOptimizer(params, { kind: 'adamw', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }, { fused: true });
    const ops = new AdamOptimizer(params, { kind: 'adamw', lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }, { fused: false });
    try {
      // the first update uploads the zero moments made on the CPU; from then on nothing is uploaded
      tf.tidy(() => fused.apply(grads, 1e-3));
      tf.tidy(() => ops.apply(grads, 1e-3));
      const f = recordWebgpu(() => tf.tidy(() => fused.apply(grads, 1e-3)));
      assert.deepEqual(f.programs, ['AdamMomentsProgram', 'AdamParamProgram', 'AdamMomentsProgram', 'AdamParamProgram']);
      assert.equal(f.uploads, 0);
      const o = recordWebgpu(() => tf.tidy(() => ops.apply(grads, 1e-3)));
      assert.ok(o.programs.length >= 20 && o.uploads >= 10, `op path: ${o.programs.length} dispatches, ${o.uploads} uploads`);
    } finally {
      fused.dispose();
      ops.dispose();
      tf.dispose([...params, ...grads]);
    }
  });
});
