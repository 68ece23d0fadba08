import type * as tf from '@tensorflow/tfjs-core';

/**
 * Entropic optimal transport between two discrete measures, solved by Sinkhorn iterations.
 *
 * Problem (per batch element, shapes with the glossary B batch, n rows/patches, m columns/tokens):
 *
 *   OT_eps(C; a, b) = min_{P >= 0}  <P, C> + eps * KL(P || a b^T)              (balanced: P 1 = a, P^T 1 = b)
 *   UOT_eps         = min_{P >= 0}  <P, C> + eps * KL(P || a b^T) + tau * KL(P 1 || a) + tau * KL(P^T 1 || b)
 *
 * with the generalised KL(p || q) = sum p log(p/q) - p + q. The optimal plan has the form
 * P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps) with dual potentials f [B, n], g [B, m].
 *
 * Relation to POT: balanced plans equal `ot.sinkhorn(a, b, C, reg=eps)` (any method). Unbalanced:
 * `tau` is POT's `reg_m`; POT's `sinkhorn_unbalanced` regularises with sum P log P - P (not KL to a b^T),
 * so our plan equals `ot.unbalanced.sinkhorn_unbalanced(a, b, C - eps*log(a b^T), reg=eps, reg_m=tau)`.
 * Relation to OTT-JAX: `tau_a = tau_b = tau / (tau + eps)`.
 */
export interface SinkhornOptions {
  /** Entropic regularisation eps > 0 (same units as the cost). Default 0.05. */
  eps?: number;
  /** Row marginals a: [n] or [B, n], non-negative. Default: uniform over unmasked rows. */
  a?: tf.Tensor;
  /** Column marginals b: [m] or [B, m], non-negative. Default: uniform over unmasked columns. */
  b?: tf.Tensor;
  /** Row mask [n] or [B, n] (1 = real, 0 = padding): masked rows get zero mass. */
  rowMask?: tf.Tensor;
  /** Column mask [m] or [B, m] (1 = real, 0 = padding): masked columns (padded tokens) get zero mass. */
  colMask?: tf.Tensor;
  /** Maximum number of iterations (one iteration = one f update and one g update). Default 100. */
  maxIter?: number;
  /** Stop when the marginal error (max over the batch of the L1 error) is below tol. 0 runs exactly maxIter. Default 1e-6 */
  tol?: number;
  /** How often (in iterations) the error is checked when tol > 0; each check reads one scalar. Default 10. */
  checkEvery?: number;
  /**
   * 'log': log-domain (logsumexp) updates, stable for any eps.
   * 'kernel': scaling updates with K = exp(-C/eps) and batched matrix products; fast, unsafe for tiny eps.
   * 'auto': 'kernel' when the cost range over eps is small enough for float32, else 'log'.
   * Default 'auto'.
   */
  method?: 'auto' | 'log' | 'kernel';
  /** KL-relaxed marginals with weight tau > 0 (POT's reg_m). Omit for balanced OT. */
  unbalanced?: { tau: number };
  /**
   * Gradient mode:
   * - 'envelope' (default): `cost` gets d cost / d C = plan (envelope theorem); nothing of the iterations is kept;
   *   plan, f and g carry no gradient.
   * - 'unrolled': automatic differentiation through every iteration (memory grows with iterations).
   * - 'detach': no output carries any gradient.
   */
  grad?: 'envelope' | 'unrolled' | 'detach';
  /**
   * Compute `marginalError` at the end (reads one scalar from the device). Set false inside training steps
   * to avoid any device sync (then marginalError is NaN and, with tol 0 and an explicit method, the call
   * never blocks on the device). Default true.
   */
  diagnostics?: boolean;
}

export interface SinkhornResult {
  /** Transport plan [n, m] or [B, n, m] (the cost's rank). Zero on masked rows/columns. */
  plan: tf.Tensor;
  /** Dual potential on rows, [n] or [B, n]. */
  f: tf.Tensor;
  /** Dual potential on columns, [m] or [B, m]. */
  g: tf.Tensor;
  /** Regularised OT value per problem (the objective above at `plan`): scalar or [B]. */
  cost: tf.Tensor;
  /** Iterations actually run. */
  iterations: number;
  /** Final marginal error: max over the batch of ||P1 - a||_1 + ||P^T 1 - b||_1 (balanced) or of the fixed-point residual (unbalanced). */
  marginalError: number;
  /** Whether marginalError <= tol was reached (always false when tol is 0 unless the error is exactly 0). */
  converged: boolean;
  /** The solver actually used ('auto' resolved). */
  method: 'log' | 'kernel';
  /** Human-readable notes on numerical trouble (e.g. "NaN at iteration 37: kept the last finite iterate"). */
  warnings: string[];
}
