/**
 * Transport plans and OT pair scores of many (image, caption) pairs at once, with an optional
 * background "dustbin" column (SuperGlue's dustbin, Sarlin et al. 2020), written here because align/
 * has no such variant yet.
 *
 *   background 'none' (seed line i, as align/ot_loss):
 *     P = Sinkhorn_ε(1 − S; a = 1/n, b = uniform on valid tokens),           s = Σ P ⊙ S
 *   background 'dustbin' (mass ρ = dustbinMass):
 *     C' = [1 − S | 0] (one extra column),  a = 1/n,  b' = [(1 − ρ)·uniform on valid tokens | ρ],
 *     P' = Sinkhorn_ε(C'; a, b'),  P = P'[:, :, :m],                           s = Σ P ⊙ S / (1 − ρ)
 *
 * Balanced marginals make every patch send 1/n of the mass and every token receive its share, so with
 * ~12 tokens and objects covering a few of 64 patches most tokens must absorb background. The dustbin
 * takes exactly ρ of the mass from the patches least similar to every token (a constant column cost is
 * absorbed by its potential, so only ρ matters), leaving the tokens the patches they resemble.
 *
 * s [P, n, m] (cosines), colMask [P, m]. The plan is a constant for the gradient (equal to the envelope
 * gradient for these scores: ∂s/∂S = P, resp. P / (1 − ρ)).
 */
import * as tf from '@tensorflow/tfjs-core';
import { sinkhorn } from '../ot/sinkhorn';
import type { ExperimentConfig } from './experiment_config';

export function otPairPlans(s: tf.Tensor3D, colMask: tf.Tensor2D, loss: ExperimentConfig['loss']): { plan: tf.Tensor3D; scores: tf.Tensor1D } {
  return tf.tidy(() => {
    const [P, n, m] = s.shape;
    const common = {
      eps: loss.eps,
      maxIter: loss.iterations,
      tol: 0,
      method: loss.sinkhornMethod,
      grad: 'detach' as const,
      diagnostics: false,
      ...(loss.unbalancedTau > 0 ? { unbalanced: { tau: loss.unbalancedTau } } : {}),
    };
    if (loss.otBackground !== 'dustbin') {
      const { plan } = sinkhorn(tf.sub(1, s), { ...common, colMask }); // [P, n, m]
      return { plan: plan as tf.Tensor3D, scores: tf.sum(tf.mul(plan, s), [1, 2]) as tf.Tensor1D };
    }
    const rho = loss.dustbinMass;
    const cost = tf.concat([tf.sub(1, s), tf.zeros([P, n, 1])], 2); // [P, n, m+1]
    const tokens = tf.div(colMask, tf.maximum(tf.sum(colMask, 1, true), 1)); // [P, m], uniform on valid tokens
    const b = tf.concat([tf.mul(tokens, 1 - rho), tf.fill([P, 1], rho)], 1); // [P, m+1]
    const mask = tf.concat([colMask, tf.ones([P, 1])], 1); // [P, m+1]
    const { plan: full } = sinkhorn(cost, { ...common, b, colMask: mask }); // [P, n, m+1]
    const plan = tf.slice(full, [0, 0, 0], [P, n, m]) as tf.Tensor3D; // [P, n, m]
    return { plan, scores: tf.div(tf.sum(tf.mul(plan, s), [1, 2]), 1 - rho) as tf.Tensor1D };
  });
}
