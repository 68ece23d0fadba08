/**
 * The fused WebGPU kernel-domain Sinkhorn (webgpu_kernel_iterator.ts) against the TF.js kernel form on the
 * same backend, POT fixtures, and the solver's contract (error / converged, overflow -> log domain,
 * envelope gradient, no tensor leaks, few dispatches). Runs on the webgpu backend — on machines without a
 * GPU the Mesa lavapipe adapter (scripts/setup/30-vulkan-lavapipe.sh); skipped where WebGPU is missing,
 * except under CI=true, where that is a failure.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { recordWebgpu, useWebgpuBackend } from '../../backend/test_support/webgpu_test_backend';
import { setFusedSinkhornEnabled } from '../fused/fused_runtime';
import { sinkhorn } from '../sinkhorn';
import { createKernelIterator } from '../sinkhorn_kernel';
import { createLogIterator } from '../sinkhorn_log';
import { regularisedObjective } from '../sinkhorn_objective';
import { buildProblem, disposeProblem } from '../sinkhorn_problem';
import type { SinkhornOptions, SinkhornResult } from '../sinkhorn_types';
import { loadPotFixtures } from '../test_support/pot_fixtures';
import { createWebgpuKernelIterator } from './webgpu_kernel_iterator';
import { createWebgpuLogIterator } from './webgpu_log_iterator';

const webgpu = useWebgpuBackend();

/** Skips the test where WebGPU is unavailable; otherwise runs it and checks it leaked no tensor. */
function onWebgpu(name: string, body: () => void): void {
  it(name, (t: TestContext) => {
    if (webgpu.skip(t)) return;
    const before = tf.memory().numTensors;
    body();
    assert.equal(tf.memory().numTensors, before, 'tensor leak');
  });
}

function maxAbsDiff(x: tf.Tensor, y: tf.Tensor): number {
  return tf.tidy(() => x.sub(y).abs().max().dataSync()[0]!);
}

/** Program names of the GPU dispatches `fn` records. */
function dispatches(fn: () => void): string[] {
  return recordWebgpu(fn).programs;
}

/** Solves with the fused WebGPU kernels and with the TF.js kernel form (both on webgpu). */
function bothPaths(C: tf.Tensor, options: SinkhornOptions): { fused: SinkhornResult; plain: SinkhornResult } {
  let fused: SinkhornResult | undefined;
  const names = dispatches(() => {
    fused = sinkhorn(C, options);
  });
  setFusedSinkhornEnabled(false);
  try {
    return { fused: fused!, plain: sinkhorn(C, options) };
  } finally {
    setFusedSinkhornEnabled(true);
    const program = fused!.method === 'log' ? 'LogIterateProgram' : 'IterateProgram';
    if (options.unbalanced === undefined && options.grad !== 'unrolled') assert.ok(names.includes(program), `the fused path ran (${program})`);
  }
}

function assertSameSolution(fused: SinkhornResult, plain: SinkhornResult, label: string, tol: number): void {
  assert.equal(fused.method, plain.method, `${label}: method`);
  assert.equal(fused.iterations, plain.iterations, `${label}: iterations`);
  // (with tol 0, `converged` means an error of exactly 0: a rounding coin flip, not compared)
  if (tol > 0) assert.equal(fused.converged, plain.converged, `${label}: converged`);
  assert.deepEqual(fused.warnings, plain.warnings, `${label}: warnings`);
  // plans of problems with mass 1: 1e-5 of the plan mass
  assert.ok(maxAbsDiff(fused.plan, plain.plan) < 1e-6, `${label}: plan differs by ${maxAbsDiff(fused.plan, plain.plan)}`);
  assert.ok(maxAbsDiff(fused.f, plain.f) < 1e-4, `${label}: f`);
  assert.ok(maxAbsDiff(fused.g, plain.g) < 1e-4, `${label}: g`);
  assert.ok(maxAbsDiff(fused.cost, plain.cost) < 1e-5, `${label}: cost ${maxAbsDiff(fused.cost, plain.cost)}`);
  if (Number.isNaN(plain.marginalError)) assert.ok(Number.isNaN(fused.marginalError), `${label}: marginalError`);
  else assert.ok(Math.abs(fused.marginalError - plain.marginalError) < 1e-6, `${label}: marginalError ${fused.marginalError} vs ${plain.marginalError}`);
}

describe('fused WebGPU Sinkhorn agrees with the TF.js kernel and log forms', () => {
  for (const [label, shape] of [
    ['49 patches × 16 tokens (K in workgroup memory)', [6, 49, 16]],
    ['one problem', [1, 7, 3]],
    ['as many rows as columns', [4, 12, 12]],
    ['n = 300, m = 70 (K too large for workgroup memory)', [2, 300, 70]],
    ['m = 300 (more columns than invocations)', [2, 20, 300]],
  ] as const) {
    onWebgpu(label, () => {
      tf.tidy(() => {
        const C = tf.randomUniform([...shape], 0, 2, 'float32', 3);
        for (const maxIter of [1, 5, 50]) {
          for (const [method, eps] of [['kernel', 0.05], ['log', 0.05], ['log', 1e-3]] as const) {
            const { fused, plain } = bothPaths(C, { eps, maxIter, tol: 0, method });
            assertSameSolution(fused, plain, `${method}, eps ${eps}, ${maxIter} iterations`, 0);
          }
        }
      });
    });
  }

  onWebgpu('padded rows and tokens, given marginals: same plan, zero mass and zero potentials off the support', () => {
    tf.tidy(() => {
      const [B, n, m] = [5, 49, 16];
      const C = tf.randomUniform([B, n, m], 0, 2, 'float32', 4);
      const rows = tf.buffer([B, n]);
      const cols = tf.buffer([B, m]);
      for (let b = 0; b < B; b++) {
        for (let i = 0; i < n - 5 * b; i++) rows.set(1, b, i);
        for (let j = 0; j < 6 + 2 * b; j++) cols.set(1, b, j);
      }
      const rowMask = rows.toTensor();
      const colMask = cols.toTensor();
      const raw = tf.randomUniform([B, n], 0.5, 1, 'float32', 5);
      const a = raw.div(raw.mul(rowMask).sum(1, true));
      for (const method of ['kernel', 'log'] as const) {
        const { fused, plain } = bothPaths(C, { eps: 0.05, rowMask, colMask, a, tol: 1e-7, maxIter: 3000, checkEvery: 7, method });
        assertSameSolution(fused, plain, `masked, ${method}`, 1e-7);
        assert.ok(fused.converged);
        const off = fused.plan.mul(tf.sub(1, rowMask.reshape([B, n, 1]).mul(colMask.reshape([B, 1, m])))).abs().sum();
        assert.equal(off.dataSync()[0], 0, 'no mass on padded rows or tokens');
        assert.equal(fused.f.mul(tf.sub(1, rowMask)).abs().sum().dataSync()[0], 0);
        assert.equal(fused.g.mul(tf.sub(1, colMask)).abs().sum().dataSync()[0], 0);
      }
    });
  });

  onWebgpu('more than 65535 workgroups (TF.js reshapes the dispatch to 2-D; its batched matMul cannot run this)', () => {
    tf.tidy(() => {
      // 65541 problems: one workgroup each; a plan of 65541 * 66 entries: 67583 workgroups of 64
      const [B, n, m] = [65541, 2, 33];
      const C = tf.randomUniform([B, n, m], 0, 2, 'float32', 6);
      for (const method of ['kernel', 'log'] as const) {
        const options: SinkhornOptions = { eps: 0.1, maxIter: 3, tol: 0, method };
        const fused = sinkhorn(C, options);
        setFusedSinkhornEnabled(false);
        try {
          // problems on both sides of workgroup index 65535, solved by the TF.js form one slice at a time
          for (const start of [0, 65533, B - 4]) {
            const plain = sinkhorn(C.slice([start, 0, 0], [4, n, m]), options);
            const label = `${method}, problems ${start}..${start + 3}`;
            assert.ok(maxAbsDiff(fused.plan.slice([start, 0, 0], [4, n, m]), plain.plan) < 1e-6, `plan, ${label}`);
            assert.ok(maxAbsDiff(fused.f.slice([start, 0], [4, n]), plain.f) < 1e-4, `f, ${label}`);
            assert.ok(maxAbsDiff(fused.g.slice([start, 0], [4, m]), plain.g) < 1e-4, `g, ${label}`);
            assert.ok(maxAbsDiff(fused.cost.slice([start], [4]), plain.cost) < 1e-5, `cost, ${label}`);
          }
        } finally {
          setFusedSinkhornEnabled(true);
        }
      }
    });
  });
});

describe('fused WebGPU Sinkhorn: the iterator contract', () => {
  const problemOf = (C: tf.Tensor) => buildProblem(C, { eps: 0.1 }, true);
  const domains = [
    { domain: 'kernel', fused: createWebgpuKernelIterator, plain: createKernelIterator, program: 'IterateProgram' },
    { domain: 'log', fused: createWebgpuLogIterator, plain: createLogIterator, program: 'LogIterateProgram' },
  ] as const;

  for (const d of domains) {
    onWebgpu(`${d.domain}: steps(k) = k × step() in one dispatch; K or -C/eps in global memory gives the same iterates; error() matches`, () => {
      const C = tf.randomUniform([3, 49, 16], 0, 2, 'float32', 7);
      const problem = problemOf(C);
      const fused = d.fused(problem);
      const single = d.fused(problem, { sharedKernel: false });
      const plain = d.plain(problem);
      try {
        assert.deepEqual(dispatches(() => fused.steps(7)), [d.program], 'k iterations in one dispatch');
        for (let i = 0; i < 7; i++) {
          single.step();
          plain.step();
        }
        tf.tidy(() => {
          const [x, y, z] = [fused.result(), single.result(), plain.result()];
          assert.equal(maxAbsDiff(x.plan, y.plan), 0, 'workgroup and global memory: identical arithmetic');
          assert.ok(maxAbsDiff(x.plan, z.plan) < 1e-7);
          assert.ok(maxAbsDiff(fused.error(), plain.error()) < 1e-7);
          assert.deepEqual(fused.error().shape, [3]);
        });
      } finally {
        [fused, single, plain].forEach((it) => it.dispose());
        disposeProblem(problem);
        C.dispose();
      }
    });

    onWebgpu(`${d.domain}: restoreGood returns to the saved iterate, or to the initial one when none was saved`, () => {
      const C = tf.randomUniform([2, 9, 5], 0, 2, 'float32', 8);
      const problem = problemOf(C);
      const fused = d.fused(problem);
      const plain = d.plain(problem);
      try {
        fused.steps(2);
        plain.step();
        plain.step();
        fused.restoreGood(); // nothing saved: the initial iterate
        plain.restoreGood();
        tf.tidy(() => assert.ok(maxAbsDiff(fused.result().plan, plain.result().plan) < 1e-7, 'initial iterate'));
        for (const it of [fused, plain]) {
          it.step();
          it.step();
          it.step();
          it.saveGood();
          it.step();
          it.restoreGood();
        }
        tf.tidy(() => {
          const [x, y] = [fused.result(), plain.result()];
          assert.ok(maxAbsDiff(x.plan, y.plan) < 1e-7, 'saved iterate');
          assert.ok(maxAbsDiff(x.value!, regularisedObjective(problem, x.plan, x.f, x.g)) < 1e-6, 'the objective of the same plan');
        });
      } finally {
        fused.dispose();
        plain.dispose();
        disposeProblem(problem);
        C.dispose();
      }
    });
  }
});

describe('fused WebGPU Sinkhorn: parity with POT (float64 POT vs float32 ours, relative to plan mass)', () => {
  const fixtures = loadPotFixtures();
  for (const p of fixtures.problems.filter((q) => q.tau === null)) {
    for (const method of ['kernel', 'log', 'auto'] as const) {
      onWebgpu(`${p.name} [${method}]`, () => {
        tf.tidy(() => {
          const result = sinkhorn(tf.tensor2d(p.cost), {
            eps: p.eps,
            a: tf.tensor1d(p.a),
            b: tf.tensor1d(p.b),
            rowMask: tf.tensor1d(p.rowMask),
            colMask: tf.tensor1d(p.colMask),
            method,
            tol: 1e-7,
            checkEvery: 5,
            maxIter: 20000,
          });
          const mass = p.plan.flat().reduce((s, x) => s + x, 0);
          const diff = maxAbsDiff(result.plan, tf.tensor2d(p.plan));
          assert.ok(diff <= 1e-5 * mass, `plan differs from POT by ${diff}`);
          const value = result.cost.dataSync()[0]!;
          assert.ok(Math.abs(value - p.value) <= 1e-4 * Math.max(1, Math.abs(p.value)), `value ${value} vs POT ${p.value}`);
          if (method === 'auto') assert.equal(result.method, p.eps < 0.01 ? 'log' : 'kernel');
          assert.equal(result.converged, true);
        });
      });
    }
  }
});

describe('fused WebGPU Sinkhorn: solver policy', () => {
  onWebgpu('tolerance checks: same iterations, converged flag and error as the kernel form', () => {
    tf.tidy(() => {
      const C = tf.randomUniform([4, 30, 10], 0, 2, 'float32', 9);
      for (const [tol, checkEvery, maxIter] of [[1e-6, 10, 2000], [1e-6, 7, 2000], [1e-9, 10, 2]] as const) {
        const { fused, plain } = bothPaths(C, { eps: 0.05, tol, checkEvery, maxIter });
        assertSameSolution(fused, plain, `tol ${tol}, every ${checkEvery}`, tol);
        if (fused.converged) assert.ok(fused.marginalError <= tol);
      }
    });
  });

  onWebgpu('a forced kernel form that overflows is re-solved in the log domain and says so; auto checks the range first', () => {
    tf.tidy(() => {
      const C = tf.randomUniform([2, 12, 6], 0, 2, 'float32', 6);
      const { fused, plain } = bothPaths(C, { eps: 1e-3, method: 'kernel', maxIter: 200, tol: 1e-6 });
      assert.equal(fused.method, 'log');
      assert.match(fused.warnings.join(' '), /overflowed/);
      assertSameSolution(fused, plain, 'overflow', 1e-6);
      const auto = sinkhorn(C, { eps: 1e-3, maxIter: 200, tol: 1e-6 });
      assert.equal(auto.method, 'log');
      assert.deepEqual(auto.warnings, []);
      assert.equal(sinkhorn(C, { eps: 0.05, maxIter: 5 }).method, 'kernel');
    });
  });

  onWebgpu('envelope gradient = plan, as with the kernel form; unrolled stays on TF.js ops', () => {
    tf.tidy(() => {
      const C = tf.randomUniform([3, 10, 7], 0, 2, 'float32', 10);
      const options: SinkhornOptions = { eps: 0.1, tol: 1e-7, maxIter: 3000 };
      const gradient = () => tf.grad((c: tf.Tensor) => sinkhorn(c, options).cost.sum())(C);
      const fused = gradient();
      setFusedSinkhornEnabled(false);
      const plain = gradient();
      setFusedSinkhornEnabled(true);
      assert.ok(maxAbsDiff(fused, plain) < 1e-7);
      assert.ok(maxAbsDiff(fused, sinkhorn(C, options).plan) < 1e-7);
      const unrolled = dispatches(() => {
        tf.grad((c: tf.Tensor) => sinkhorn(c, { ...options, maxIter: 3, tol: 0, grad: 'unrolled' }).cost.sum())(C);
      });
      assert.ok(!unrolled.includes('IterateProgram'), 'unrolled gradients need the TF.js ops on the tape');
    });
  });

  onWebgpu('a solve of the sinkhorn-fwd kind takes a handful of dispatches, in either domain (the TF.js kernel form: hundreds)', () => {
    tf.tidy(() => {
      const C = tf.randomUniform([64, 49, 16], 0, 2, 'float32', 11);
      const options: SinkhornOptions = { eps: 0.05, maxIter: 50, tol: 0, diagnostics: false };
      const fused = dispatches(() => sinkhorn(C, options));
      setFusedSinkhornEnabled(false);
      const plain = dispatches(() => sinkhorn(C, options));
      setFusedSinkhornEnabled(true);
      assert.equal(fused.filter((name) => name === 'IterateProgram').length, 1);
      assert.ok(fused.length <= 10, `fused: ${fused.length} dispatches (${fused.join(', ')})`);
      assert.ok(plain.length >= 100, `TF.js kernel form: ${plain.length} dispatches`);
      // eps 0.005: the cost range is not kernel-safe, auto solves in the log domain
      const log = dispatches(() => assert.equal(sinkhorn(C, { ...options, eps: 0.005 }).method, 'log'));
      assert.equal(log.filter((name) => name === 'LogIterateProgram').length, 1);
      assert.ok(log.length <= 10, `fused log domain: ${log.length} dispatches (${log.join(', ')})`);
    });
  });
});
