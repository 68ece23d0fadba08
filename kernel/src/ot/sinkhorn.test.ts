import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { sinkhorn } from './sinkhorn';
import { loadPotFixtures } from './test_support/pot_fixtures';

const fixtures = loadPotFixtures();

/** Seeded uniform costs in [0, 2]: [B, n, m]. */
function randomCost(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, 0, 2, 'float32', seed);
}

function maxAbsDiff(x: tf.Tensor, y: tf.Tensor): number {
  return tf.tidy(() => x.sub(y).abs().max().dataSync()[0]!);
}

before(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

describe('ot.sinkhorn: parity with POT (float64 POT vs float32 ours, relative to plan mass)', () => {
  for (const p of fixtures.problems) {
    for (const method of ['log', 'kernel', 'auto'] as const) {
      it(`${p.name} [${method}]`, () => {
        const before = tf.memory().numTensors;
        const C = tf.tensor2d(p.cost);
        const options = {
          eps: p.eps,
          a: tf.tensor1d(p.a),
          b: tf.tensor1d(p.b),
          rowMask: tf.tensor1d(p.rowMask),
          colMask: tf.tensor1d(p.colMask),
          method,
          tol: 1e-7,
          checkEvery: 5,
          maxIter: 20000,
          ...(p.tau === null ? {} : { unbalanced: { tau: p.tau } }),
        };
        const result = sinkhorn(C, options);
        const reference = tf.tensor2d(p.plan);
        const mass = p.plan.flat().reduce((s, x) => s + x, 0);
        assert.equal(result.plan.shape.join(), `${p.cost.length},${p.cost[0]!.length}`);
        assert.ok(maxAbsDiff(result.plan, reference) <= 1e-5 * mass, `plan differs from POT by ${maxAbsDiff(result.plan, reference)}`);
        const value = result.cost.dataSync()[0]!;
        assert.ok(Math.abs(value - p.value) <= 1e-4 * Math.max(1, Math.abs(p.value)), `value ${value} vs POT ${p.value}`);
        if (method === 'auto') assert.equal(result.method, p.eps < 0.01 ? 'log' : 'kernel');
        assert.equal(result.converged, true);
        tf.dispose([C, reference, result.plan, result.f, result.g, result.cost, ...Object.values(options).filter((v) => v instanceof tf.Tensor)]);
        assert.equal(tf.memory().numTensors, before, 'tensor leak');
      });
    }
  }
});

describe('ot.sinkhorn: properties', () => {
  it('batched plans satisfy the marginals (balanced, default uniform marginals)', () => {
    tf.tidy(() => {
      const C = randomCost([6, 49, 16], 1);
      const { plan, converged, marginalError, method } = sinkhorn(C, { eps: 0.05, tol: 1e-6, maxIter: 2000 });
      assert.equal(method, 'kernel');
      assert.ok(converged && marginalError <= 1e-6);
      assert.ok(maxAbsDiff(plan.sum(2), tf.fill([6, 49], 1 / 49)) < 2e-6);
      assert.ok(maxAbsDiff(plan.sum(1), tf.fill([6, 16], 1 / 16)) < 2e-6);
    });
  });

  it('log and kernel forms agree at every iteration count (same first iterate)', () => {
    tf.tidy(() => {
      const C = randomCost([4, 20, 9], 2);
      for (const maxIter of [1, 3, 17]) {
        const log = sinkhorn(C, { eps: 0.1, maxIter, tol: 0, method: 'log' });
        const kernel = sinkhorn(C, { eps: 0.1, maxIter, tol: 0, method: 'kernel' });
        assert.ok(maxAbsDiff(log.plan, kernel.plan) < 1e-6, `iteration ${maxIter}`);
        assert.ok(maxAbsDiff(log.cost, kernel.cost) < 1e-5);
        assert.equal(log.iterations, maxIter);
        assert.equal(log.converged, false, 'tol 0 never claims convergence');
      }
    });
  });

  it('a batch is solved exactly like its problems one by one', () => {
    tf.tidy(() => {
      const C = randomCost([3, 11, 7], 3);
      const batched = sinkhorn(C, { eps: 0.05, tol: 0, maxIter: 40, method: 'log' });
      for (let i = 0; i < 3; i++) {
        const single = sinkhorn(C.slice([i, 0, 0], [1, 11, 7]).reshape([11, 7]), { eps: 0.05, tol: 0, maxIter: 40, method: 'log' });
        assert.ok(maxAbsDiff(batched.plan.slice([i, 0, 0], [1, 11, 7]).reshape([11, 7]), single.plan) < 1e-7);
      }
    });
  });

  it('padded tokens get zero mass and leave the real problem unchanged', () => {
    tf.tidy(() => {
      const C = randomCost([2, 10, 8], 4);
      const colMask = tf.tensor2d([[1, 1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 0]]);
      for (const method of ['log', 'kernel'] as const) {
        const masked = sinkhorn(C, { eps: 0.05, colMask, method, tol: 1e-7 });
        const padded = masked.plan.mul(tf.sub(1, colMask).reshape([2, 1, 8])).sum().dataSync()[0]!;
        assert.equal(padded, 0);
        const first = sinkhorn(C.slice([0, 0, 0], [1, 10, 5]).reshape([10, 5]), { eps: 0.05, method, tol: 1e-7 });
        assert.ok(maxAbsDiff(masked.plan.slice([0, 0, 0], [1, 10, 5]).reshape([10, 5]), first.plan) < 1e-6);
        assert.ok(maxAbsDiff(masked.cost.slice([0], [1]).reshape([]), first.cost) < 1e-5);
      }
    });
  });

  it('stays finite for eps down to 1e-4 with costs in [0, 2] (auto picks the log domain)', () => {
    tf.tidy(() => {
      const C = randomCost([3, 49, 16], 5);
      for (const eps of [1e-2, 1e-3, 1e-4]) {
        const r = sinkhorn(C, { eps, maxIter: 300, tol: 1e-5 });
        assert.equal(r.method, 'log');
        assert.equal(tf.isFinite(r.plan).all().dataSync()[0], 1, `eps ${eps}`);
        assert.equal(tf.isFinite(r.cost).all().dataSync()[0], 1);
        assert.ok(Number.isFinite(r.marginalError));
      }
    });
  });

  it('a forced kernel form that overflows is re-solved in the log domain and says so', () => {
    tf.tidy(() => {
      const C = randomCost([2, 12, 6], 6);
      const r = sinkhorn(C, { eps: 1e-3, method: 'kernel', maxIter: 200, tol: 1e-6 });
      assert.equal(r.method, 'log');
      assert.match(r.warnings.join(' '), /overflowed/);
      assert.equal(tf.isFinite(r.plan).all().dataSync()[0], 1);
    });
  });

  it('reports converged: false when tol is not reached', () => {
    tf.tidy(() => {
      const r = sinkhorn(randomCost([2, 30, 10], 7), { eps: 0.01, maxIter: 2, tol: 1e-9 });
      assert.equal(r.converged, false);
      assert.equal(r.iterations, 2);
      assert.ok(r.marginalError > 1e-9);
    });
  });

  it('unbalanced mass shrinks as tau decreases and tends to balanced as tau grows', () => {
    tf.tidy(() => {
      const C = randomCost([1, 12, 9], 8);
      const mass = (tau: number) => sinkhorn(C, { eps: 0.05, unbalanced: { tau }, tol: 1e-7, maxIter: 5000 }).plan.sum().dataSync()[0]!;
      const balanced = sinkhorn(C, { eps: 0.05, tol: 1e-7 });
      const big = sinkhorn(C, { eps: 0.05, unbalanced: { tau: 1e4 }, tol: 1e-8, maxIter: 5000 });
      assert.ok(mass(0.05) < mass(0.5) && mass(0.5) < mass(5));
      assert.ok(maxAbsDiff(big.plan, balanced.plan) < 1e-4);
    });
  });

  it('diagnostics: false performs no device read and reports NaN error', () => {
    tf.tidy(() => {
      const r = sinkhorn(randomCost([2, 8, 5], 9), { eps: 0.1, tol: 0, maxIter: 10, method: 'kernel', diagnostics: false });
      assert.ok(Number.isNaN(r.marginalError));
      assert.equal(r.iterations, 10);
    });
  });
});

describe('ot.sinkhorn: gradients', () => {
  /** Central finite difference of `fn` along direction D. */
  function directional(fn: (c: tf.Tensor) => number, C: tf.Tensor, D: tf.Tensor, h: number): number {
    const plus = tf.tidy(() => fn(C.add(D.mul(h))));
    const minus = tf.tidy(() => fn(C.sub(D.mul(h))));
    return (plus - minus) / (2 * h);
  }

  it('envelope: d cost / d C = plan, and matches finite differences of the converged value', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const C = randomCost([2, 9, 6], 10);
      const D = tf.randomNormal([2, 9, 6], 0, 1, 'float32', 11);
      const options = { eps: 0.2, tol: 1e-7, maxIter: 5000 };
      const grad = tf.grad((c: tf.Tensor) => sinkhorn(c, options).cost.sum())(C);
      const plan = sinkhorn(C, options).plan;
      assert.ok(maxAbsDiff(grad, plan) < 1e-7);
      const analytic = grad.mul(D).sum().dataSync()[0]!;
      const numeric = directional((c) => sinkhorn(c, options).cost.sum().dataSync()[0]!, C, D, 1e-2);
      assert.ok(Math.abs(analytic - numeric) <= 2e-3 * Math.abs(analytic) + 1e-5, `${analytic} vs ${numeric}`);
    });
    assert.equal(tf.memory().numTensors, before, 'tensor leak');
  });

  for (const method of ['log', 'kernel'] as const) {
    for (const unbalanced of [undefined, { tau: 0.5 }]) {
      it(`unrolled [${method}${unbalanced ? ', unbalanced' : ''}]: gradient of a plan functional matches finite differences`, () => {
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const C = randomCost([2, 7, 5], 12);
          const W = tf.randomNormal([2, 7, 5], 0, 1, 'float32', 13);
          const D = tf.randomNormal([2, 7, 5], 0, 1, 'float32', 14);
          const options = { eps: 0.5, tol: 0, maxIter: 15, method, grad: 'unrolled' as const, unbalanced };
          const loss = (c: tf.Tensor) => sinkhorn(c, options).plan.mul(W).sum().add(sinkhorn(c, options).cost.sum());
          const grad = tf.grad(loss)(C);
          const analytic = grad.mul(D).sum().dataSync()[0]!;
          const numeric = directional((c) => loss(c).dataSync()[0]!, C, D, 1e-2);
          assert.ok(Math.abs(analytic - numeric) <= 5e-3 * Math.abs(analytic) + 1e-4, `${analytic} vs ${numeric}`);
        });
        assert.equal(tf.memory().numTensors, before, 'tensor leak');
      });
    }
  }

  it('detach: no output carries a gradient', () => {
    tf.tidy(() => {
      const C = randomCost([2, 6, 4], 15);
      const grad = tf.grad((c: tf.Tensor) => sinkhorn(c, { grad: 'detach', eps: 0.1 }).cost.sum())(C);
      assert.equal(grad.abs().max().dataSync()[0], 0);
    });
  });

  it('envelope keeps nothing of the iterations: memory after 1000 iterations equals after 10', () => {
    tf.tidy(() => {
      const C = randomCost([2, 16, 8], 16);
      const peak = (maxIter: number) => {
        let count = 0;
        tf.tidy(() => {
          const g = tf.grad((c: tf.Tensor) => sinkhorn(c, { eps: 0.1, maxIter, tol: 0 }).cost.sum())(C);
          count = tf.memory().numTensors;
          g.dispose();
        });
        return count;
      };
      assert.equal(peak(1000), peak(10));
    });
  });
});

describe('ot.sinkhorn: bad input names the argument', () => {
  const C = () => tf.ones([4, 3]);
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['rank 1 cost', () => sinkhorn(tf.ones([4])), /`cost` must have rank 2 \[n, m\] or rank 3 \[B, n, m\]; got shape \[4\]/],
    ['int cost', () => sinkhorn(tf.ones([4, 3], 'int32')), /`cost` must be float32; got dtype int32/],
    ['eps 0', () => sinkhorn(C(), { eps: 0 }), /`eps` must be a finite number > 0; got 0/],
    ['eps negative', () => sinkhorn(C(), { eps: -1 }), /`eps`.*got -1/],
    ['negative cost', () => sinkhorn(tf.tensor2d([[0, -1], [1, 0]])), /`cost` must be non-negative; got a minimum of -1/],
    ['NaN cost', () => sinkhorn(tf.tensor2d([[0, NaN], [1, 0]])), /`cost` must contain only finite values/],
    ['Infinity cost', () => sinkhorn(tf.tensor2d([[0, Infinity], [1, 0]])), /`cost` must contain only finite values/],
    ['wrong a shape', () => sinkhorn(C(), { a: tf.ones([5]) }), /`a` expected shape \[n\] = \[4\] or \[B, n\] = \[1, 4\]; got shape \[5\]/],
    ['wrong colMask shape', () => sinkhorn(tf.ones([2, 4, 3]), { colMask: tf.ones([3, 3]) }), /`colMask` expected shape \[m\] = \[3\] or \[B, m\] = \[2, 3\]; got shape \[3, 3\]/],
    ['negative marginal', () => sinkhorn(C(), { a: tf.tensor1d([0.5, 0.5, 0.5, -0.5]) }), /`a` must be non-negative; got a minimum of -0.5/],
    ['NaN marginal', () => sinkhorn(C(), { b: tf.tensor1d([0.5, NaN, 0.5]) }), /`b` must contain only finite values/],
    ['unequal balanced mass', () => sinkhorn(C(), { a: tf.fill([4], 0.25), b: tf.fill([3], 0.3) }), /equal total mass.*problem 0 has sum\(a\) = 1 and sum\(b\) = 0\.9/],
    ['all tokens masked', () => sinkhorn(tf.ones([2, 4, 3]), { colMask: tf.tensor2d([[1, 1, 0], [0, 0, 0]]) }), /problem 1 has no mass on its columns.*`colMask`/],
    ['all rows masked', () => sinkhorn(C(), { rowMask: tf.zeros([4]) }), /problem 0 has no mass on its rows/],
    ['unknown option', () => sinkhorn(C(), { epsilon: 0.1 } as never), /unknown option `epsilon`/],
    ['bad method', () => sinkhorn(C(), { method: 'fast' as never }), /`method` must be 'auto', 'log' or 'kernel'; got 'fast'/],
    ['bad grad', () => sinkhorn(C(), { grad: 'implicit' as never }), /`grad` must be 'envelope', 'unrolled' or 'detach'; got 'implicit'/],
    ['bad maxIter', () => sinkhorn(C(), { maxIter: 0 }), /`maxIter` must be an integer >= 1; got 0/],
    ['negative tol', () => sinkhorn(C(), { tol: -1 }), /`tol` must be a number >= 0; got -1/],
    ['bad tau', () => sinkhorn(C(), { unbalanced: { tau: 0 } }), /`unbalanced.tau` must be a number > 0/],
  ];
  for (const [name, call, message] of cases) {
    it(name, () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => assert.throws(call, message));
      assert.equal(tf.memory().numTensors, before, 'tensor leak on the error path');
    });
  }
});
