/**
 * The `TrainTask` of one (method, seed) run: batches drawn from the fixed train pool by the step's
 * seeded generator, the method's weighted alignment loss on the dual encoder's features.
 */
import * as tf from '@tensorflow/tfjs-core';
import { pairwiseCosine } from '../align/features';
import { globalLoss } from '../align/global_loss';
import { symmetricInfoNce } from '../align/info_nce';
import type { Temperature } from '../align/types';
import { alignmentLoss, weightedSum } from '../align/weighted_loss';
import type { Rng } from '../train/step_rng';
import type { LossOutput, TrainTask } from '../train/train_task';
import type { DualEncoder } from './dual_encoder';
import type { CaptionedImages } from './experiment_data';
import type { ExperimentConfig } from './experiment_config';
import { methodWeights, type MethodName } from './methods';
import { otPairPlans } from './ot_pair_plans';

export interface AlignmentBatch {
  images: tf.Tensor4D; // [B, H, W, 3]
  tokens: tf.Tensor2D; // int32 [B, L]
  mask: tf.Tensor2D; // [B, L]
}

/** Rows `indices` of a captioned-image set as tensors (the caller disposes them). */
export function gatherBatch(set: CaptionedImages, indices: readonly number[]): AlignmentBatch {
  const B = indices.length;
  const S = set.imageSize;
  const L = set.textLength;
  const px = S * S * 3;
  const images = new Float32Array(B * px);
  const ids = new Int32Array(B * L);
  const mask = new Float32Array(B * L);
  indices.forEach((r, b) => {
    for (let k = 0; k < px; k++) images[b * px + k] = set.images[r * px + k]! / 255;
    ids.set(set.ids.subarray(r * L, (r + 1) * L), b * L);
    mask.set(set.mask.subarray(r * L, (r + 1) * L), b * L);
  });
  return {
    images: tf.tensor4d(images, [B, S, S, 3]), // [B, H, W, 3]
    tokens: tf.tensor2d(ids, [B, L], 'int32'), // [B, L]
    mask: tf.tensor2d(mask, [B, L]), // [B, L]
  };
}

/** B distinct pool indices (partial Fisher–Yates on a copy of 0..N−1). */
function sampleIndices(rng: Rng, n: number, count: number): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(n - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

export function alignmentTask(config: ExperimentConfig, method: MethodName, model: DualEncoder, pool: CaptionedImages): TrainTask<AlignmentBatch> {
  const weights = methodWeights(method, config.loss.globalOtWeight);
  const l = config.loss;
  return {
    config: { method, model: config.model, loss: config.loss, data: config.data, batchSize: config.train.batchSize },
    variables: () => model.variables(),
    nextBatch: (_step, rng) => gatherBatch(pool, sampleIndices(rng, pool.count, config.train.batchSize)),
    disposeBatch: (b) => tf.dispose([b.images, b.tokens, b.mask]),
    batchSize: () => config.train.batchSize,
    lossFn: (b): LossOutput => {
      const { patches, words } = model.encode(b.images, b.tokens, b.mask); // [B, n, d], [B, L, d]
      const temperature = model.temperature ? model.temperature.value() : l.temperature;
      if (l.otBackground === 'dustbin' && weights.ot) {
        const ot = dustbinOtLoss(patches, words, b.mask, l, temperature);
        if (!weights.global) return ot;
        return weightedSum([
          { weight: weights.global, loss: globalLoss(patches, words, b.mask, { temperature }) },
          { weight: weights.ot, loss: ot },
        ]);
      }
      return alignmentLoss(weights, patches, words, b.mask, {
        global: { temperature },
        filip: { temperature },
        ot: {
          temperature,
          eps: l.eps,
          iterations: l.iterations,
          grad: l.grad,
          method: l.sinkhornMethod,
          ...(l.unbalancedTau > 0 ? { unbalancedTau: l.unbalancedTau } : {}),
        },
      });
    },
  };
}

/**
 * The `ot` loss with a background dustbin (see ot_pair_plans.ts): symmetric InfoNCE over the B × B pair
 * scores. patches [B, n, d], words [B, m, d], mask [B, m].
 */
export function dustbinOtLoss(patches: tf.Tensor, words: tf.Tensor, mask: tf.Tensor, loss: ExperimentConfig['loss'], temperature: Temperature): LossOutput {
  const total = tf.tidy(() => {
    const [B, n] = patches.shape;
    const m = words.shape[1]!;
    const s = tf.reshape(pairwiseCosine(patches, words), [B! * B!, n!, m]) as tf.Tensor3D; // [B·B, n, m], pair (i, j) at i·B + j
    const colMask = tf.reshape(tf.tile(tf.expandDims(tf.cast(mask, 'float32'), 0), [B!, 1, 1]), [B! * B!, m]) as tf.Tensor2D; // [B·B, m] → mask_j
    const { scores } = otPairPlans(s, colMask, loss); // [B·B]
    return symmetricInfoNce(tf.reshape(scores, [B!, B!]), temperature); // scores [B_image, B_text]
  });
  return { total, parts: { ot: total } };
}
