import * as tf from '@tensorflow/tfjs-core';
import { addMany } from '../backend/add_many';

/**
 * Global-norm gradient clipping (Pascanu et al. 2013; torch.nn.utils.clip_grad_norm_):
 *
 *   norm = sqrt(Σ_i ||g_i||²)          over every gradient tensor together
 *   g_i ← g_i · min(1, maxNorm / (norm + 1e-6))
 *
 * Runs entirely on the device (no value is read back): the scale is a tensor. Returns the clipped
 * gradients and the pre-clipping norm (a scalar tensor, e.g. for the progress read-out). Call inside
 * tf.tidy; the inputs are not disposed. `maxNorm` = Infinity computes the norm and leaves g unchanged.
 *
 * @example
 *   const { grads: clipped, norm } = tf.tidy(() => clipByGlobalNorm(grads, 1.0));
 */
export function clipByGlobalNorm(
  grads: readonly tf.Tensor[],
  maxNorm: number,
): { grads: tf.Tensor[]; norm: tf.Scalar } {
  if (!(maxNorm > 0)) throw new Error(`clipByGlobalNorm: expected maxNorm > 0 (or Infinity), got ${maxNorm}.`);
  if (grads.length === 0) return { grads: [], norm: tf.scalar(0) };
  const squares = grads.map((g) => tf.sum(tf.square(g))); // [] each
  const norm = tf.sqrt(addMany(squares)) as tf.Scalar; // [] (addMany: webgpu's AddN takes at most 7 inputs)
  if (maxNorm === Infinity) return { grads: grads.slice(), norm };
  const scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(maxNorm), tf.add(norm, tf.scalar(1e-6)))); // []
  return { grads: grads.map((g) => tf.mul(g, scale)), norm };
}
