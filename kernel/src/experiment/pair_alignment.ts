/**
 * Patch × token similarity, transport plan and plan-weighted score of arbitrary (image, caption) pairs
 * of the test set, in chunks (no gradient):
 *
 *   S_ij = cos(patches_i, words_j) [n, L],  P_ij = Sinkhorn_ε(1 − S_ij; a = 1/n, b = uniform on valid tokens of j),
 *   s_ij = Σ P_ij ⊙ S_ij      (the OT pair score of the run's loss: see ot_pair_plans.ts)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from './experiment_config';
import { otPairPlans } from './ot_pair_plans';
import type { TestFeatures } from './test_features';

export interface PairAlignment {
  /** OT score of each pair. */
  scores: Float32Array;
  /** When `keep`: S [P, n, L] and plan [P, n, L] on the host. */
  similarity?: Float32Array;
  plan?: Float32Array;
}

export function alignPairs(
  features: TestFeatures,
  images: readonly number[],
  texts: readonly number[],
  loss: ExperimentConfig['loss'],
  keep = false,
  chunk = 256,
): PairAlignment {
  const [, n] = features.patches.shape;
  const L = features.words.shape[1];
  const P = images.length;
  const scores = new Float32Array(P);
  const similarity = keep ? new Float32Array(P * n * L) : undefined;
  const plan = keep ? new Float32Array(P * n * L) : undefined;
  for (let start = 0; start < P; start += chunk) {
    const end = Math.min(P, start + chunk);
    const out = tf.tidy(() => {
      const ii = tf.tensor1d(images.slice(start, end), 'int32');
      const tt = tf.tensor1d(texts.slice(start, end), 'int32');
      const x = tf.gather(features.patches, ii); // [p, n, d]
      const y = tf.gather(features.words, tt); // [p, L, d]
      const colMask = tf.gather(features.mask, tt) as tf.Tensor2D; // [p, L]
      const s = tf.matMul(x, y, false, true) as tf.Tensor3D; // [p, n, L]
      const { plan: pl, scores: sc } = otPairPlans(s, colMask, loss); // [p, n, L], [p]
      return keep ? [sc, s, pl] : [sc];
    });
    scores.set(out[0]!.dataSync() as Float32Array, start);
    if (keep) {
      similarity!.set(out[1]!.dataSync() as Float32Array, start * n * L);
      plan!.set(out[2]!.dataSync() as Float32Array, start * n * L);
    }
    tf.dispose(out);
  }
  return keep ? { scores, similarity, plan } : { scores };
}
