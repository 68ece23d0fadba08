import * as tf from '@tensorflow/tfjs-core';
import type { SinkhornIterator } from './sinkhorn_iterator';
import type { SinkhornProblem } from './sinkhorn_problem';

/**
 * Log-domain (stabilised) Sinkhorn: updates the scaled potentials F = f/eps, G = g/eps with logsumexp,
 * so no exponential of a large number is ever formed — stable for any eps.
 *
 *   F_i = -rho * LSE_j( log b_j + G_j - C_ij/eps )        G_j = -rho * LSE_i( log a_i + F_i - C_ij/eps )
 *
 * with rho = 1 (balanced) or rho = tau / (tau + eps) (KL-relaxed marginals, POT's reg_m = tau).
 * The plan is P_ij = a_i b_j exp(F_i + G_j - C_ij/eps). Starts from F = G = 0.
 * Reference: POT `ot.bregman.sinkhorn_log`; Peyré & Cuturi, Computational Optimal Transport, §4.4.
 */
export function createLogIterator(problem: SinkhornProblem): SinkhornIterator {
  const { B, n, m, eps, tau } = problem;
  const rho = tau === undefined ? 1 : tau / (tau + eps);
  // Both reductions run over the last axis (fast on every backend): keep -C/eps and its transpose.
  const negC = tf.tidy(() => problem.cost.div(-eps)) as tf.Tensor3D; // [B, n, m]
  const negCT = tf.tidy(() => negC.transpose([0, 2, 1])) as tf.Tensor3D; // [B, m, n]
  let F = tf.zeros([B, n]) as tf.Tensor2D; // [B, n]
  let G = tf.zeros([B, m]) as tf.Tensor2D; // [B, m]
  let previous: tf.Tensor2D[] = [F.clone(), G.clone()];
  let good: tf.Tensor2D[] = [F.clone(), G.clone()];

  const updateF = (g: tf.Tensor2D) =>
    tf.tidy(() => {
      const z = negC.add(problem.logB.add(g).reshape([B, 1, m])); // [B, n, m]
      return tf.logSumExp(z, 2).mul(-rho) as tf.Tensor2D; // [B, n]
    });
  const updateG = (f: tf.Tensor2D) =>
    tf.tidy(() => {
      const z = negCT.add(problem.logA.add(f).reshape([B, 1, n])); // [B, m, n]
      return tf.logSumExp(z, 2).mul(-rho) as tf.Tensor2D; // [B, m]
    });

  return {
    step() {
      const F1 = updateF(G);
      F.dispose();
      F = F1;
      const G1 = updateG(F);
      G.dispose();
      G = G1;
    },
    markPrevious() {
      tf.dispose(previous);
      previous = [F.clone(), G.clone()];
    },
    error() {
      return tf.tidy(() => {
        if (tau !== undefined) {
          const dF = F.sub(previous[0]!).abs().mul(problem.rowSupport).max(1); // [B]
          const dG = G.sub(previous[1]!).abs().mul(problem.colSupport).max(1); // [B]
          return dF.add(dG).mul(eps) as tf.Tensor1D;
        }
        // Row sums of the current plan are a_i exp(F_i - F'_i), F' the next row update.
        const rows = problem.a.mul(F.sub(updateF(G)).exp()); // [B, n]
        return rows.sub(problem.a).abs().sum(1) as tf.Tensor1D; // [B]
      });
    },
    saveGood() {
      tf.dispose(good);
      good = [F.clone(), G.clone()];
    },
    restoreGood() {
      tf.dispose([F, G]);
      F = good[0]!.clone();
      G = good[1]!.clone();
    },
    result() {
      return tf.tidy(() => {
        const logP = negC
          .add(problem.logA.add(F).reshape([B, n, 1]))
          .add(problem.logB.add(G).reshape([B, 1, m])); // [B, n, m]
        return {
          plan: logP.exp() as tf.Tensor3D,
          f: F.mul(eps).mul(problem.rowSupport) as tf.Tensor2D,
          g: G.mul(eps).mul(problem.colSupport) as tf.Tensor2D,
        };
      });
    },
    dispose() {
      tf.dispose([negC, negCT, F, G, ...previous, ...good]);
    },
  };
}
