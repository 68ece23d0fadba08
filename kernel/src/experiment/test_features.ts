/**
 * Features of the whole test set, computed once per trained model in chunks (no gradient), L2-normalised:
 *
 *   patches [N, n, d]   words [N, L, d]   pooledImage [N, d]   pooledText [N, d]   mask [N, L]
 *
 * The caller owns the tensors (`dispose`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize, meanPatches, meanValidTokens } from '../align/features';
import { gatherBatch } from './alignment_task';
import type { DualEncoder } from './dual_encoder';
import type { CaptionedImages } from './experiment_data';

export interface TestFeatures {
  patches: tf.Tensor3D;
  words: tf.Tensor3D;
  pooledImage: tf.Tensor2D;
  pooledText: tf.Tensor2D;
  mask: tf.Tensor2D;
  dispose(): void;
}

export function encodeTestSet(model: DualEncoder, set: CaptionedImages, chunk = 64): TestFeatures {
  const parts: { p: tf.Tensor; w: tf.Tensor; pi: tf.Tensor; pt: tf.Tensor; m: tf.Tensor }[] = [];
  for (let start = 0; start < set.count; start += chunk) {
    const idx = Array.from({ length: Math.min(chunk, set.count - start) }, (_, k) => start + k);
    const b = gatherBatch(set, idx);
    parts.push(
      tf.tidy(() => {
        const { patches, words } = model.encode(b.images, b.tokens, b.mask); // [b, n, d], [b, L, d]
        return {
          p: l2Normalize(patches), // [b, n, d]
          w: l2Normalize(words), // [b, L, d]
          pi: l2Normalize(meanPatches(patches)), // [b, d]
          pt: l2Normalize(meanValidTokens(words, b.mask)), // [b, d]
          m: tf.clone(b.mask), // [b, L]
        };
      }),
    );
    tf.dispose([b.images, b.tokens, b.mask]);
  }
  const cat = <T extends tf.Tensor>(key: keyof (typeof parts)[number]): T => {
    const out = tf.concat(parts.map((p) => p[key]));
    return out as T;
  };
  const out = {
    patches: cat<tf.Tensor3D>('p'),
    words: cat<tf.Tensor3D>('w'),
    pooledImage: cat<tf.Tensor2D>('pi'),
    pooledText: cat<tf.Tensor2D>('pt'),
    mask: cat<tf.Tensor2D>('m'),
  };
  for (const p of parts) tf.dispose(Object.values(p));
  return { ...out, dispose: () => tf.dispose([out.patches, out.words, out.pooledImage, out.pooledText, out.mask]) };
}
