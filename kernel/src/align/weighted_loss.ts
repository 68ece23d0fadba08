import * as tf from '@tensorflow/tfjs-core';
import { addMany } from '../backend/add_many';
import { filipLoss, type FilipLossOptions } from './filip_loss';
import { globalLoss, type GlobalLossOptions } from './global_loss';
import { otLoss, type OtLossOptions } from './ot_loss';
import type { LossOutput } from './types';

/** Which losses to add and with which weights, e.g. `{ global: 1, ot: 0.5 }` = global + 0.5·ot. */
export interface AlignmentLossWeights {
  global?: number;
  filip?: number;
  ot?: number;
}

export interface AlignmentLossOptions {
  global?: GlobalLossOptions;
  filip?: FilipLossOptions;
  ot?: OtLossOptions;
}

/** total = Σ w_k · total_k; parts keep each loss's unweighted parts (weights are in the config, not the numbers). */
export function weightedSum(terms: ReadonlyArray<{ weight: number; loss: LossOutput }>): LossOutput {
  if (terms.length === 0) throw new Error('weightedSum: `terms` is empty; give at least one loss');
  const total = tf.tidy(() => addMany(terms.map(({ weight, loss }) => tf.mul(loss.total, weight))) as tf.Scalar);
  const parts: Record<string, tf.Scalar> = {};
  for (const { loss } of terms) Object.assign(parts, loss.parts);
  return { total, parts };
}

/**
 * A weighted sum of the named alignment losses on the same features, e.g. `global + λ·ot`:
 *
 *   alignmentLoss({ global: 1, ot: 0.5 }, img, txt, mask, { ot: { eps: 0.05 } })
 *
 * Losses with weight 0 or absent are not computed. The caller owns every returned tensor (total and
 * parts; with one loss, total and its part may be the same tensor: dispose with `tf.dispose` on both).
 */
export function alignmentLoss(
  weights: AlignmentLossWeights,
  imageFeatures: tf.Tensor,
  textFeatures: tf.Tensor,
  textMask: tf.Tensor,
  options: AlignmentLossOptions = {},
): LossOutput {
  for (const key of Object.keys(weights)) {
    if (!['global', 'filip', 'ot'].includes(key)) {
      throw new Error(`alignmentLoss: unknown loss '${key}' in weights (known: global, filip, ot)`);
    }
  }
  const terms: Array<{ weight: number; loss: LossOutput }> = [];
  if (weights.global) terms.push({ weight: weights.global, loss: globalLoss(imageFeatures, textFeatures, textMask, options.global) });
  if (weights.filip) terms.push({ weight: weights.filip, loss: filipLoss(imageFeatures, textFeatures, textMask, options.filip) });
  if (weights.ot) terms.push({ weight: weights.ot, loss: otLoss(imageFeatures, textFeatures, textMask, options.ot) });
  if (terms.length === 1 && terms[0]!.weight === 1) return terms[0]!.loss;
  return weightedSum(terms);
}
