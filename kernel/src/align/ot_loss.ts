import * as tf from '@tensorflow/tfjs-core';
import { sinkhorn } from '../ot/sinkhorn';
import { assertAlignmentInputs, pairwiseCosine } from './features';
import { symmetricInfoNce } from './info_nce';
import type { LossOutput, Temperature } from './types';

export interface OtLossOptions {
  /** Softmax temperature τ over the pair scores (number = fixed, scalar tensor = learnable). Default 0.07. */
  temperature?: Temperature;
  /** Entropic regularisation ε of the Sinkhorn problems (cost 1 − cos ∈ [0, 2]). Default 0.05. */
  eps?: number;
  /** Sinkhorn iterations, run exactly (no early stop, no device sync). Default 20. */
  iterations?: number;
  /** KL-relaxed marginals with weight τ (lets background patches shed mass). Default: balanced. */
  unbalancedTau?: number;
  /**
   * How the gradient reaches the features (see below). Default 'envelope'.
   * - 'envelope' / 'detach': the plan is a constant; the gradient flows through S only.
   * - 'unrolled': autodiff through every Sinkhorn iteration as well.
   */
  grad?: 'envelope' | 'unrolled' | 'detach';
  /** Sinkhorn update scheme. Default 'kernel' (fast; safe for ε ≥ ~0.04 with costs in [0, 2]). */
  method?: 'kernel' | 'log' | 'auto';
}

export const DEFAULT_OT_LOSS_OPTIONS = Object.freeze({ temperature: 0.07, eps: 0.05, iterations: 20, grad: 'envelope', method: 'kernel' } as const);

/**
 * Plan-weighted pair scores (seed line i): for every (image i, caption j) of the batch,
 *
 *   S_ij = cos(patches of i, tokens of j)   [n × m],   C_ij = 1 − S_ij,
 *   P_ij = Sinkhorn_ε(C_ij; a = 1/n, b = uniform over caption j's valid tokens),
 *   s_ij = Σ P_ij ⊙ S_ij.
 *
 * All B·B problems are solved as one batched `ot.sinkhorn` call on [B·B, n, m] with the caption's mask
 * as `colMask` (padded tokens get no mass, so they change nothing).
 *
 * Gradient. With grad 'envelope' (or 'detach') the plan carries no gradient and ∂s_ij/∂S_ij = P_ij. This is
 * exactly the envelope-theorem gradient of −OT_ε(1 − S_ij): ∂OT_ε(C)/∂C = P*(C), so ∂(−OT_ε(1 − S))/∂S = P*.
 * (The values differ by a constant and the entropy term: −OT_ε(1 − S) = s − Σ P − ε KL(P ‖ a bᵀ).)
 * No iteration is kept for the backward pass. 'unrolled' differentiates through the iterations instead
 * (more memory, slower; differs from the envelope by terms that vanish at convergence).
 *
 * @returns scores [B_image, B_text] and the plans [B·B, n, m] (pair (i, j) at index i·B + j).
 */
export function otScores(
  imageFeatures: tf.Tensor,
  textFeatures: tf.Tensor,
  textMask: tf.Tensor,
  options: OtLossOptions = {},
): { scores: tf.Tensor2D; plans: tf.Tensor3D } {
  return tf.tidy(() => {
    assertAlignmentInputs('otScores', imageFeatures, textFeatures, textMask);
    const o = { ...DEFAULT_OT_LOSS_OPTIONS, ...options };
    const [B, n] = imageFeatures.shape;
    const m = textFeatures.shape[1]!;
    const s = tf.reshape(pairwiseCosine(imageFeatures, textFeatures), [B * B, n, m]) as tf.Tensor3D; // [B·B, n, m]
    const mask = tf.cast(textMask, 'float32'); // [B, m]
    const colMask = tf.reshape(tf.tile(tf.expandDims(mask, 0), [B, 1, 1]), [B * B, m]); // [B·B, m], pair (i, j) → mask_j
    const { plan } = sinkhorn(tf.sub(1, s), {
      eps: o.eps,
      maxIter: o.iterations,
      tol: 0,
      colMask,
      method: o.method,
      grad: o.grad,
      diagnostics: false,
      ...(o.unbalancedTau !== undefined ? { unbalanced: { tau: o.unbalancedTau } } : {}),
    }); // [B·B, n, m]
    const scores = tf.reshape(tf.sum(tf.mul(plan, s), [1, 2]), [B, B]) as tf.Tensor2D; // [B_image, B_text]
    return { scores, plans: plan as tf.Tensor3D };
  });
}

/**
 * `ot`: symmetric InfoNCE over the plan-weighted pair scores s / τ (see `otScores`).
 * imageFeatures [B, n, d], textFeatures [B, m, d], textMask [B, m] (1 = token, 0 = padding).
 *
 * @example
 *   const { total, parts } = otLoss(img, txt, mask, { eps: 0.05, iterations: 20 });
 */
export function otLoss(
  imageFeatures: tf.Tensor,
  textFeatures: tf.Tensor,
  textMask: tf.Tensor,
  options: OtLossOptions = {},
): LossOutput {
  const total = tf.tidy(() => {
    const { scores } = otScores(imageFeatures, textFeatures, textMask, options);
    return symmetricInfoNce(scores, options.temperature ?? DEFAULT_OT_LOSS_OPTIONS.temperature);
  });
  return { total, parts: { ot: total } };
}
