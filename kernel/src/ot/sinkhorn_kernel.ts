import * as tf from '@tensorflow/tfjs-core';
import type { SinkhornIterator } from './sinkhorn_iterator';
import type { SinkhornProblem } from './sinkhorn_problem';

/**
 * Kernel-domain Sinkhorn (matrix scaling): P = diag(u) K diag(v) with K = exp(-(C - r)/eps), where
 * r_i = min_j C_ij shifts each row so that its largest kernel entry is 1 (the shift is absorbed by u and
 * leaves the plan unchanged).
 *
 *   u = a (K v)^-rho          v = b (K^T u)^-rho          (rho = 1 balanced, tau / (tau + eps) unbalanced)
 *
 * (unbalanced: u also carries exp((rho - 1) r / eps), the part of the shift the power does not absorb).
 * The KL(P || a b^T) anchoring puts a and b outside the power; POT's unbalanced solver, which
 * regularises with sum P log P, has (a / K v)^rho instead.
 *
 * Each half-iteration is one batched matrix-vector product, written without transpose flags
 * (`K v` as [B,n,m]·[B,m,1] and `u^T K` as [B,1,n]·[B,n,m]), which are slow on some backends.
 * Safe only while (C - r)/eps stays small enough for float32 (the `auto` method checks this).
 * Starts from v = b, the same first iterate as the log-domain solver, so both agree at every iteration.
 * Reference: Cuturi 2013, "Sinkhorn distances"; POT `ot.bregman.sinkhorn_knopp`.
 */
export function createKernelIterator(problem: SinkhornProblem): SinkhornIterator {
  const { B, n, m, eps, tau, a, b } = problem;
  const rho = tau === undefined ? 1 : tau / (tau + eps);
  const rowShift = tf.tidy(() => problem.cost.min(2, true)) as tf.Tensor3D; // [B, n, 1]
  const K = tf.tidy(() => problem.cost.sub(rowShift).div(-eps).exp()) as tf.Tensor3D; // [B, n, m]
  // Unbalanced updates do not absorb the row shift: u = a (K v)^-rho · exp((rho - 1) r / eps).
  const rowFactor = tf.tidy(() => rowShift.reshape([B, n]).mul((rho - 1) / eps).exp()) as tf.Tensor2D; // [B, n]
  let u = a.clone(); // [B, n]
  let v = b.clone(); // [B, m]
  let previous: tf.Tensor2D[] = [u.clone(), v.clone()];
  let good: tf.Tensor2D[] = [u.clone(), v.clone()];

  const scale = (target: tf.Tensor2D, denominator: tf.Tensor) =>
    (rho === 1 ? target.div(denominator) : target.mul(denominator.pow(-rho))) as tf.Tensor2D;
  const Kv = (vv: tf.Tensor2D) => tf.matMul(K, vv.reshape([B, m, 1])).reshape([B, n]); // [B, n]
  const uK = (uu: tf.Tensor2D) => tf.matMul(uu.reshape([B, 1, n]), K).reshape([B, m]); // [B, m]
  /** log(x / y) on the support, 0 elsewhere — substituting before the log keeps gradients NaN-free. */
  const safeLogRatio = (x: tf.Tensor2D, y: tf.Tensor2D, support: tf.Tensor2D) => {
    const on = support.cast('bool');
    const one = tf.onesLike(x);
    return tf.where(on, x, one).div(tf.where(on, y, one)).log() as tf.Tensor2D;
  };

  return {
    step() {
      const u1 = tf.tidy(() => (rho === 1 ? scale(a, Kv(v)) : scale(a, Kv(v)).mul(rowFactor))) as tf.Tensor2D;
      u.dispose();
      u = u1;
      const v1 = tf.tidy(() => scale(b, uK(u)));
      v.dispose();
      v = v1;
    },
    markPrevious() {
      tf.dispose(previous);
      previous = [u.clone(), v.clone()];
    },
    error() {
      return tf.tidy(() => {
        if (tau !== undefined) {
          const dF = safeLogRatio(u, previous[0]!, problem.rowSupport).abs().max(1); // [B]
          const dG = safeLogRatio(v, previous[1]!, problem.colSupport).abs().max(1); // [B]
          return dF.add(dG).mul(eps) as tf.Tensor1D;
        }
        const rows = u.mul(Kv(v)); // [B, n]
        return rows.sub(a).abs().sum(1) as tf.Tensor1D; // [B]
      });
    },
    saveGood() {
      tf.dispose(good);
      good = [u.clone(), v.clone()];
    },
    restoreGood() {
      tf.dispose([u, v]);
      u = good[0]!.clone();
      v = good[1]!.clone();
    },
    result() {
      return tf.tidy(() => {
        const plan = K.mul(u.reshape([B, n, 1])).mul(v.reshape([B, 1, m])) as tf.Tensor3D; // [B, n, m]
        const f = safeLogRatio(u, a, problem.rowSupport).mul(eps).add(rowShift.reshape([B, n])).mul(problem.rowSupport); // [B, n]
        const g = safeLogRatio(v, b, problem.colSupport).mul(eps).mul(problem.colSupport); // [B, m]
        return { plan, f: f as tf.Tensor2D, g: g as tf.Tensor2D };
      });
    },
    dispose() {
      tf.dispose([rowShift, rowFactor, K, u, v, ...previous, ...good]);
    },
  };
}
