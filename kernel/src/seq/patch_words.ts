/**
 * Dense word supervision of the image prefix (an auxiliary stage-1 loss, off by default:
 * `stage1.patchWordWeight`). Every patch that an object owns (patch_labels.ts's owner rule) learns to
 * predict the words of that object's region phrase ("small red ring"; a dataset record's phrase or
 * name) through the LM's own tied word embeddings — a bag of words per patch:
 *
 *   h[b, p] = W · prefix[b, p] + c                              one per-token linear map
 *   logits[b, p] = h[b, p] · Eᵀ                                 E [V, d]: the LM's embedding table
 *   t[b, p, w] = (count of w in the owner's phrase) / (phrase length)
 *   L_words = Σ_{owned b,p} −Σ_w t[b, p, w] · log softmax(logits[b, p])[w] / #owned
 *
 * Why: the patch labels teach the encoder the shape only, and the patch boxes the box only; the colour
 * and size words reach the image tokens through the sparse REC and region-caption answers alone.
 * Measured on the best patch-box run (REC 0.48): "the red ring" (an attribute and a shape) was right
 * 0.20–0.37 of the time, below shape-only expressions (0.51) — the LM could not bind a colour word to
 * the image tokens. Here every owned patch of every image carries its object's words in the space of
 * the LM's word embeddings, the space the expression arrives in: the local region–word alignment of
 * the seed's line (i), as a loss on the grounded LM's prefix.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scene } from '../data/scene_types';
import type { WordTokenizer } from '../data/word_tokenizer';
import { Linear, Module } from '../models';
import type { CausalLM } from './causal_lm';
import { patchOwners } from './patch_labels';

export interface PatchWordTargets {
  /** [B·P, V] the bag-of-words distribution of each owned patch's owner phrase (zeros for background). */
  distributions: Float32Array;
  /** [B·P] 1 for owned patches whose phrase has a word of the vocabulary, else 0. */
  weights: Float32Array;
}

/** The per-patch targets of `scenes` on a G×G grid over the `tok` vocabulary (words outside it are skipped). */
export function patchWordTargets(scenes: readonly Scene[], grid: number, tok: WordTokenizer): PatchWordTargets {
  const P = grid * grid;
  const V = tok.size;
  const owners = patchOwners(scenes, grid);
  const distributions = new Float32Array(owners.length * V);
  const weights = new Float32Array(owners.length);
  scenes.forEach((s, b) => {
    const phraseIds = s.objects.map((o) => o.regionPhrase.split(' ').filter((w) => w.length > 0 && tok.has(w)).map((w) => tok.idOf(w)));
    for (let p = 0; p < P; p++) {
      const o = owners[b * P + p]!;
      const ids = o < 0 ? [] : phraseIds[o]!;
      if (ids.length === 0) continue;
      const row = (b * P + p) * V;
      for (const id of ids) distributions[row + id]! += 1 / ids.length;
      weights[b * P + p] = 1;
    }
  });
  return { distributions, weights };
}

export class PatchWordHead extends Module {
  readonly linear: Linear;

  /** `width`: the LM's width d (the prefix's). */
  constructor(readonly width: number, seed: number) {
    super();
    this.linear = this.child('linear', new Linear(width, width, seed, 'patchWordHead', 1 / Math.sqrt(width)));
  }

  /** prefix [B, P, d], the LM (its tied embedding), targets → the weighted mean cross-entropy over owned patches. */
  loss(prefix: tf.Tensor, lm: CausalLM, distributions: tf.Tensor2D, weights: tf.Tensor1D): tf.Scalar {
    const h = tf.reshape(this.linear.forward(prefix), [-1, this.width]) as tf.Tensor2D; // [B·P, d]
    const logp = tf.logSoftmax(tf.matMul(h, lm.embeddingTable(), false, true), -1); // [B·P, V]
    const perPatch = tf.sum(tf.mul(logp, distributions), -1); // [B·P]
    return tf.div(tf.neg(tf.sum(tf.mul(perPatch, weights))), tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
  }
}
