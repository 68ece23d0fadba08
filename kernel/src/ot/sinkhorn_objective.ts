import * as tf from '@tensorflow/tfjs-core';
import type { SinkhornProblem } from './sinkhorn_problem';

/**
 * sum p log(p/q) - p + q over the last axis, with 0 log 0 = 0. Off the support of q (masked entries, where
 * p = 0 too) both are replaced by 1 before the log, and p is floored at 1e-38 inside the log: the value is
 * exact and the gradient NaN-free. The condition depends on q only (a constant), so no gradient flows into it.
 */
function generalisedKl(p: tf.Tensor2D, q: tf.Tensor2D): tf.Tensor1D {
  const on = q.greater(0);
  const one = tf.onesLike(q);
  const ratio = tf.where(on, p.maximum(1e-38), one).div(tf.where(on, q, one)); // [B, len]
  return p.mul(ratio.log()).sub(p).add(q).sum(1) as tf.Tensor1D; // [B]
}

/**
 * The regularised OT objective at a plan of the form P_ij = a_i b_j exp((f_i + g_j - C_ij)/eps), per problem:
 *
 *   <P, C> + eps KL(P || a b^T)  =  <P 1, f> + <P^T 1, g> - eps (sum P - sum a * sum b)
 *
 * (exact for every such P, not only the optimum), plus tau (KL(P 1 || a) + KL(P^T 1 || b)) when unbalanced.
 * Row/column sums of the plan may be passed when known. Returns [B].
 */
export function regularisedObjective(
  problem: SinkhornProblem,
  plan: tf.Tensor3D,
  f: tf.Tensor2D,
  g: tf.Tensor2D,
  rowSums?: tf.Tensor2D,
  colSums?: tf.Tensor2D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const rows = rowSums ?? (plan.sum(2) as tf.Tensor2D); // [B, n]
    const cols = colSums ?? (plan.sum(1) as tf.Tensor2D); // [B, m]
    const mass = rows.sum(1); // [B]
    const productMass = problem.a.sum(1).mul(problem.b.sum(1)); // [B]
    let value = rows.mul(f).sum(1).add(cols.mul(g).sum(1)).sub(mass.sub(productMass).mul(problem.eps)); // [B]
    if (problem.tau !== undefined) {
      value = value.add(generalisedKl(rows, problem.a).add(generalisedKl(cols, problem.b)).mul(problem.tau));
    }
    return value as tf.Tensor1D;
  });
}
