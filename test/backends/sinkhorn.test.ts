/**
 * ot.sinkhorn agrees across backends (cpu reference, wasm, webgpu): plans, potentials and values within 1e-5
 * for each method (log / kernel), balanced and unbalanced, with and without padding masks; and the gradient
 * of each gradient mode (envelope, unrolled, detach) within 1e-5. The same cost (computed once in float32
 * JavaScript) is uploaded to every backend, so only the solver's arithmetic differs.
 *
 * Sizes: B=8 problems of n=49 patches × m=16 tokens (the sinkhorn-fwd workload's problem shape), fixed 50
 * iterations (tol 0), so every backend runs the same number of updates.
 *
 * Balanced kernel-form solves (grad envelope/detach) run the fused kernels where they exist — WebAssembly
 * on wasm, custom WGSL programs on webgpu (kernel/src/ot/webgpu/) — so those are checked against the cpu
 * reference here as well; kernel/src/ot/webgpu/webgpu_kernel.test.ts covers the WebGPU ones in depth.
 */
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { sinkhorn } from '../../kernel/src/ot';
import type { SinkhornOptions } from '../../kernel/src/ot/sinkhorn_types';
import { assertAgree, forEachBackend, type Numeric } from './for_each_backend';

const B = 8;
const n = 49;
const m = 16;
const d = 32;
const EPS = 0.05;
const TOL = 1e-5;

/** Deterministic float32 values in [-1, 1) (xorshift32). */
function uniforms(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

/** C[b,i,j] = 1 - cos(x[b,i], y[b,j]) in [0, 2], as the sinkhorn-fwd workload: [B, n, m], computed in JS. */
function cosineCost(seed: number): Float32Array {
  const x = uniforms(B * n * d, seed);
  const y = uniforms(B * m * d, seed + 1);
  const c = new Float32Array(B * n * m);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < m; j++) {
        let dot = 0;
        let nx = 0;
        let ny = 0;
        for (let k = 0; k < d; k++) {
          const xi = x[(b * n + i) * d + k]!;
          const yj = y[(b * m + j) * d + k]!;
          dot += xi * yj;
          nx += xi * xi;
          ny += yj * yj;
        }
        c[(b * n + i) * m + j] = 1 - dot / Math.sqrt(nx * ny);
      }
    }
  }
  return c;
}

const COST = cosineCost(7);
const WEIGHTS = uniforms(B * n * m, 99); // [B, n, m] weights of a plan-dependent loss term

/** Padding masks: problem b keeps n - 3b patches and 6 + b tokens (problem 0: all patches). */
function masks(): { rowMask: tf.Tensor2D; colMask: tf.Tensor2D } {
  const rows = new Float32Array(B * n);
  const cols = new Float32Array(B * m);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n - 3 * b; i++) rows[b * n + i] = 1;
    for (let j = 0; j < Math.min(m, 6 + b); j++) cols[b * m + j] = 1;
  }
  return { rowMask: tf.tensor2d(rows, [B, n]), colMask: tf.tensor2d(cols, [B, m]) };
}

interface Case {
  method: 'log' | 'kernel';
  unbalanced: boolean;
  masked: boolean;
}

function options(c: Case, extra: Partial<SinkhornOptions> = {}): SinkhornOptions {
  return {
    eps: EPS,
    method: c.method,
    maxIter: 50,
    tol: 0,
    ...(c.unbalanced ? { unbalanced: { tau: 0.5 } } : {}),
    ...(c.masked ? masks() : {}),
    ...extra,
  };
}

function disposeOptions(o: SinkhornOptions): void {
  tf.dispose([o.a, o.b, o.rowMask, o.colMask].filter((t): t is tf.Tensor => t !== undefined));
}

async function read(tensors: Record<string, tf.Tensor>): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const [k, t] of Object.entries(tensors)) out[k] = (await t.data()) as Float32Array;
  tf.dispose(Object.values(tensors));
  return out;
}

const CASES: Case[] = [];
for (const method of ['log', 'kernel'] as const) {
  for (const unbalanced of [false, true]) for (const masked of [false, true]) CASES.push({ method, unbalanced, masked });
}

describe('ot.sinkhorn forward agrees across backends within 1e-5', () => {
  for (const c of CASES) {
    const name = `${c.method}, ${c.unbalanced ? 'unbalanced tau=0.5' : 'balanced'}${c.masked ? ', padded rows and tokens' : ''}`;
    test(name, async (t) => {
      const runs = await forEachBackend(t, async () => {
        const o = options(c);
        const C = tf.tensor3d(COST, [B, n, m]);
        const r = sinkhorn(C, o);
        assert.equal(r.method, c.method);
        assert.equal(r.iterations, 50);
        assert.deepEqual(r.warnings, []);
        const error = r.marginalError;
        C.dispose();
        disposeOptions(o);
        const values: Record<string, Numeric> = await read({ plan: r.plan, f: r.f, g: r.g, cost: r.cost });
        values.marginalError = [error];
        return values;
      });
      // plan, potentials (padded entries included: they must match too), value and marginal error
      assertAgree(runs, TOL, t);
    });
  }
});

describe('ot.sinkhorn gradients agree across backends within 1e-5', () => {
  for (const method of ['log', 'kernel'] as const) {
    for (const grad of ['envelope', 'unrolled', 'detach'] as const) {
      test(`${method}, grad '${grad}', padded tokens`, async (t) => {
        const runs = await forEachBackend(t, async () => {
          const c: Case = { method, unbalanced: false, masked: true };
          // unrolled keeps every iteration on the tape: fewer iterations keep the test fast on lavapipe
          const o = options(c, { grad, maxIter: grad === 'unrolled' ? 10 : 50, diagnostics: false });
          const C = tf.tensor3d(COST, [B, n, m]);
          const W = tf.tensor3d(WEIGHTS, [B, n, m]);
          const { value, grad: dC } = tf.valueAndGrad((cost: tf.Tensor) => {
            const r = sinkhorn(cost, o);
            // value depends on C through `cost` (all modes) and, for unrolled only, through the plan too
            return tf.add(tf.sum(r.cost), grad === 'unrolled' ? tf.sum(tf.mul(r.plan, W)) : 0) as tf.Scalar;
          })(C);
          tf.dispose([C, W]);
          disposeOptions(o);
          return read({ value, dC });
        });
        if (grad === 'detach') for (const r of runs) assert.ok(r.value.dC!.every((v) => v === 0), `${r.backend}: detach gives a zero gradient`);
        assertAgree(runs, TOL, t);
      });
    }
  }
});
