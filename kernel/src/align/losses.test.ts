import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { numericGrad, relError } from '../models/test_support/gradcheck';
import { sinkhorn } from '../ot/sinkhorn';
import { filipLoss } from './filip_loss';
import { globalLoss } from './global_loss';
import { otLoss, otScores } from './ot_loss';
import { LearnableTemperature } from './temperature';
import { alignmentLoss } from './weighted_loss';

before(async () => {
  await initBackend({ backend: 'wasm', log: null });
});

// ---- hand computation in plain JS ----
type M = number[][];
const norm = (v: number[]) => { const s = Math.hypot(...v) || 1; return v.map((x) => x / s); };
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const cos = (a: number[], b: number[]) => dot(norm(a), norm(b));
/** ½ (CE(L, diag) + CE(Lᵀ, diag)) for a square score matrix (rows image, cols text) or two directions. */
function symmetricCe(it: M, ti: M, t: number): number {
  const ce = (L: M) => L.reduce((s, row, i) => {
    const z = row.map((x) => x / t);
    const mx = Math.max(...z);
    return s - (z[i]! - mx - Math.log(z.reduce((a, x) => a + Math.exp(x - mx), 0)));
  }, 0) / L.length;
  return 0.5 * (ce(it) + ce(ti));
}
const transpose = (A: M) => A[0]!.map((_, j) => A.map((r) => r[j]!));

// two images (3 patches, d 2), two captions (3 token slots; caption 0 has 2 real tokens)
const IMG = [[[1, 0], [0.5, 0.5], [0, 1]], [[-1, 0.2], [0.3, -1], [1, 1]]];
const TXT = [[[1, 0.1], [0, 1], [9, -9]], [[-1, 0], [0.2, -1], [0.5, 0.5]]];
const MASK = [[1, 1, 0], [1, 1, 1]];
const T = 0.1;

function inputs() {
  return { img: tf.tensor3d(IMG), txt: tf.tensor3d(TXT), mask: tf.tensor2d(MASK) };
}

/** Replace caption 0's padded slot by other numbers, and append one more padded slot to every caption. */
function paddedVariant() {
  const txt = TXT.map((cap, j) => [...cap.map((v, k) => (MASK[j]![k] ? v : [-3, 7])), [5, 5]]);
  const mask = MASK.map((row) => [...row, 0]);
  return { img: tf.tensor3d(IMG), txt: tf.tensor3d(txt), mask: tf.tensor2d(mask) };
}

function scalar(t: tf.Tensor): number {
  return t.dataSync()[0]!;
}

describe('global loss', () => {
  it('equals the hand computation; padding never counts', () => {
    const n0 = tf.memory().numTensors;
    const pooledI = IMG.map((p) => norm([0, 1].map((c) => p.reduce((s, v) => s + v[c]!, 0) / p.length)));
    const pooledT = TXT.map((tk, j) => {
      const valid = tk.filter((_, k) => MASK[j]![k]);
      return norm([0, 1].map((c) => valid.reduce((s, v) => s + v[c]!, 0) / valid.length));
    });
    const S = pooledI.map((zi) => pooledT.map((zt) => dot(zi, zt)));
    const expected = symmetricCe(S, transpose(S), T);
    tf.tidy(() => {
      const { img, txt, mask } = inputs();
      const { total, parts } = globalLoss(img, txt, mask, { temperature: T });
      assert.ok(Math.abs(scalar(total) - expected) < 1e-5, `${scalar(total)} vs ${expected}`);
      assert.equal(scalar(parts.global!), scalar(total));
      const p = paddedVariant();
      assert.ok(Math.abs(scalar(globalLoss(p.img, p.txt, p.mask, { temperature: T }).total) - expected) < 1e-5);
    });
    assert.equal(tf.memory().numTensors, n0);
  });

  it('gradient matches finite differences (image and text features); a learnable temperature gets a gradient', () => {
    const n0 = tf.memory().numTensors;
    tf.tidy(() => {
      const { img, txt, mask } = inputs();
      const fi = (x: tf.Tensor) => globalLoss(x, txt, mask, { temperature: 0.5 }).total;
      const ft = (y: tf.Tensor) => globalLoss(img, y, mask, { temperature: 0.5 }).total;
      assert.ok(relError(tf.grad(fi)(img).dataSync(), numericGrad(fi, img)) < 2e-2);
      const gt = tf.grad(ft)(txt);
      assert.ok(relError(gt.dataSync(), numericGrad(ft, txt)) < 2e-2);
      assert.equal((gt.arraySync() as M[])[0]![2]!.every((g) => g === 0), true, 'padded token gets zero gradient');
    });
    const temp = new LearnableTemperature(0.07);
    tf.tidy(() => {
      const { img, txt, mask } = inputs();
      const { grads } = tf.variableGrads(() => globalLoss(img, txt, mask, { temperature: temp.value() }).total, temp.trainableVariables());
      assert.ok(Math.abs(scalar(Object.values(grads)[0]!)) > 0);
    });
    temp.dispose();
    assert.equal(tf.memory().numTensors, n0);
  });
});

describe('filip loss', () => {
  it('equals the hand computation; padding is never a maximum and never averaged', () => {
    const n0 = tf.memory().numTensors;
    const it2 = IMG.map((p) => TXT.map((tk, j) => {
      const valid = tk.filter((_, k) => MASK[j]![k]);
      return p.reduce((s, v) => s + Math.max(...valid.map((w) => cos(v, w))), 0) / p.length;
    }));
    const ti2 = TXT.map((tk, j) => IMG.map((p) => {
      const valid = tk.filter((_, k) => MASK[j]![k]);
      return valid.reduce((s, w) => s + Math.max(...p.map((v) => cos(v, w))), 0) / valid.length;
    }));
    const expected = symmetricCe(it2, ti2, T);
    tf.tidy(() => {
      const { img, txt, mask } = inputs();
      assert.ok(Math.abs(scalar(filipLoss(img, txt, mask, { temperature: T }).total) - expected) < 1e-5);
      const p = paddedVariant();
      assert.ok(Math.abs(scalar(filipLoss(p.img, p.txt, p.mask, { temperature: T }).total) - expected) < 1e-5);
      const f = (x: tf.Tensor) => filipLoss(x, txt, mask, { temperature: 0.5 }).total;
      assert.ok(relError(tf.grad(f)(img).dataSync(), numericGrad(f, img, 1e-3)) < 2e-2);
    });
    assert.equal(tf.memory().numTensors, n0);
  });
});

describe('ot loss', () => {
  const opts = { temperature: T, eps: 0.1, iterations: 30 };

  it('pair (i, j) score = Σ P ⊙ S of its own Sinkhorn problem; the InfoNCE over them equals the hand computation', () => {
    const n0 = tf.memory().numTensors;
    tf.tidy(() => {
      const { img, txt, mask } = inputs();
      // each pair solved alone, on the caption's real tokens only
      const s = IMG.map((p) => TXT.map((tk, j) => {
        const valid = tk.filter((_, k) => MASK[j]![k]);
        const S = p.map((v) => valid.map((w) => cos(v, w)));
        const { plan } = sinkhorn(tf.sub(1, tf.tensor3d([S])), { eps: 0.1, maxIter: 30, tol: 0, method: 'kernel', diagnostics: false });
        const P = (plan.arraySync() as M[])[0]!;
        return S.reduce((acc, row, a) => acc + row.reduce((r, x, b) => r + x * P[a]![b]!, 0), 0);
      }));
      const scores = otScores(img, txt, mask, opts).scores.arraySync();
      assert.ok(relError(scores.flat(), s.flat()) < 1e-4, `${scores} vs ${s}`);
      const expected = symmetricCe(s, transpose(s), T);
      assert.ok(Math.abs(scalar(otLoss(img, txt, mask, opts).total) - expected) < 1e-4);
      const p = paddedVariant();
      assert.ok(Math.abs(scalar(otLoss(p.img, p.txt, p.mask, opts).total) - expected) < 1e-4, 'padding changes nothing');
      const { plans } = otScores(img, txt, mask, opts);
      const planArr = plans.arraySync() as M[];
      assert.ok(planArr[0]!.every((row) => row[2] === 0), 'no mass on the padded token');
    });
    assert.equal(tf.memory().numTensors, n0);
  });

  it("envelope gradient = gradient with the plan held fixed (finite differences); 'unrolled' = finite differences of the loss", () => {
    const n0 = tf.memory().numTensors;
    tf.tidy(() => {
      const { img, txt, mask } = inputs();
      const o = { temperature: 0.5, eps: 0.2, iterations: 30 };
      const env = tf.grad((x: tf.Tensor) => otLoss(x, txt, mask, o).total)(img);
      const plans = otScores(img, txt, mask, o).plans; // [B·B, n, m], frozen
      const frozen = (x: tf.Tensor) =>
        tf.tidy(() => {
          const xs = tf.div(x, tf.norm(x, 'euclidean', -1, true));
          const ys = tf.div(txt, tf.norm(txt, 'euclidean', -1, true));
          const S = tf.reshape(tf.transpose(tf.reshape(tf.matMul(tf.reshape(xs, [6, 2]), tf.transpose(tf.reshape(ys, [6, 2]))), [2, 3, 2, 3]), [0, 2, 1, 3]), [4, 3, 3]);
          const s = tf.reshape(tf.sum(tf.mul(plans, S), [1, 2]), [2, 2]);
          const l = (L: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(tf.div(L, 0.5)), tf.eye(2)), 1)));
          return tf.mul(tf.add(l(s), l(tf.transpose(s))), 0.5) as tf.Scalar;
        });
      assert.ok(relError(env.dataSync(), numericGrad(frozen, img)) < 2e-2, 'envelope');
      const unrolled = (x: tf.Tensor) => otLoss(x, txt, mask, { ...o, grad: 'unrolled' }).total;
      assert.ok(relError(tf.grad(unrolled)(img).dataSync(), numericGrad(unrolled, img)) < 3e-2, 'unrolled');
      const gt = tf.grad((y: tf.Tensor) => otLoss(img, y, mask, o).total)(txt);
      assert.ok((gt.arraySync() as M[])[0]![2]!.every((g) => g === 0), 'padded token gets zero gradient');
    });
    assert.equal(tf.memory().numTensors, n0);
  });
});

describe('ot loss options', () => {
  it('unbalanced τ relaxes the marginals (less plan mass, other scores) and stays finite and differentiable', () => {
    const n0 = tf.memory().numTensors;
    tf.tidy(() => {
      const { img, txt, mask } = inputs();
      const o = { temperature: T, eps: 0.1, iterations: 30 };
      const balanced = otScores(img, txt, mask, o);
      const relaxed = otScores(img, txt, mask, { ...o, unbalancedTau: 0.05 });
      const massB = tf.sum(balanced.plans, [1, 2]).dataSync();
      const massU = tf.sum(relaxed.plans, [1, 2]).dataSync();
      massB.forEach((mb, i) => assert.ok(Math.abs(mb - 1) < 1e-3 && massU[i]! < mb, `pair ${i}: ${massU[i]} vs ${mb}`));
      const g = tf.grad((x: tf.Tensor) => otLoss(x, txt, mask, { ...o, unbalancedTau: 0.05 }).total)(img);
      assert.ok(g.dataSync().every(Number.isFinite));
    });
    assert.equal(tf.memory().numTensors, n0);
  });
});

describe('weighted sums', () => {
  it('global + λ·ot: total is the weighted sum, parts are unweighted; unknown names throw', () => {
    const n0 = tf.memory().numTensors;
    tf.tidy(() => {
      const { img, txt, mask } = inputs();
      const o = { ot: { temperature: T, eps: 0.1, iterations: 30 }, global: { temperature: T } };
      const { total, parts } = alignmentLoss({ global: 1, ot: 0.5 }, img, txt, mask, o);
      const g = scalar(globalLoss(img, txt, mask, o.global).total);
      const ot = scalar(otLoss(img, txt, mask, o.ot).total);
      assert.ok(Math.abs(scalar(total) - (g + 0.5 * ot)) < 1e-5);
      assert.ok(Math.abs(scalar(parts.global!) - g) < 1e-6 && Math.abs(scalar(parts.ot!) - ot) < 1e-6);
      assert.throws(() => alignmentLoss({ glbal: 1 } as never, img, txt, mask), /unknown loss 'glbal'/);
    });
    assert.equal(tf.memory().numTensors, n0);
  });
});
