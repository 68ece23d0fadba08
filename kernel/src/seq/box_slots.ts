/**
 * Box-slot embeddings (stage 1, `model.boxSlots`; off by default). Every text position inside a box gets
 * a learnt vector for its place in the box, added to its token and position embeddings:
 *
 *   slot(t) = k   when ids[t − k] is the box opener, k = 0 … L   (L: the codec's tokens per box)
 *   input[t] += S[slot(t)]          S [L + 1, d]; nothing is added where no opener is within L before t
 *
 * so in "<box> x1 y1 x2 y2 </box>" the opener's position (which writes x1) gets S[0], x1's (which writes
 * y1) S[1], …, and the last coordinate's (which writes the closer) S[L]. A box in a prompt (region
 * captions) is tagged the same way.
 *
 * Why: the bins codec writes x and y with the same tokens, and a text position's index counts from the
 * start of the prompt, whose length varies, so which coordinate a position must write is known to the LM
 * only by attending back to the opener — work for a two-layer LM on top of finding the object and reading
 * its box. The patch-box loss (patch_boxes.ts), which has one read-out per coordinate, showed that the
 * image tokens hold the box (an object's patches decode to its box at IoU ≥ 0.5 for 0.945 of the test
 * objects in the reference run) while the LM's answers missed 16% of the boxes of objects it looked at.
 * Token-type embeddings of this kind: BERT's segment embeddings; LayoutLM's 2-D position embeddings.
 *
 * Computed from `ids` with tensor ops (shifted comparisons), so it needs no read-back and works in every
 * decoder unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../models';
import { normalVariable } from './causal_lm';

/** slot(t) for rows of ids [B, T] (row-major), −1 where none: the reference of BoxSlotEmbedding.forward. */
export function boxSlotIndex(ids: Int32Array, B: number, T: number, opener: number, tokensPerBox: number): Int32Array {
  const out = new Int32Array(B * T).fill(-1);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let k = 0; k <= tokensPerBox && k <= t; k++) {
        if (ids[b * T + t - k] === opener) {
          out[b * T + t] = k;
          break;
        }
      }
    }
  }
  return out;
}

export class BoxSlotEmbedding extends Module {
  readonly table: tf.Variable; // [L + 1, d]

  /** `opener`: the id of the box opener; `tokensPerBox`: L (bins 4, grid 2); `width`: the LM's d. */
  constructor(readonly opener: number, readonly tokensPerBox: number, readonly width: number, seed: number) {
    super();
    if (!(Number.isInteger(tokensPerBox) && tokensPerBox >= 1)) throw new Error(`BoxSlotEmbedding: tokensPerBox must be a positive integer; got ${tokensPerBox}`);
    if (!(Number.isInteger(opener) && opener >= 0)) throw new Error(`BoxSlotEmbedding: opener must be a token id; got ${opener}`);
    this.table = this.param('table', normalVariable([tokensPerBox + 1, width], 0.02, seed, 'boxSlots'));
  }

  /** ids int32 [B, T] → the slot embeddings [B, T, d] (zero rows outside boxes). */
  forward(ids: tf.Tensor): tf.Tensor {
    const [B, T] = ids.shape as [number, number];
    const L = this.tokensPerBox;
    const oneHot = tf.reshape(boxSlotOneHot(ids, this.opener, L), [B * T, L + 1]); // [B·T, L + 1]
    return tf.reshape(tf.matMul(oneHot, this.table), [B, T, this.width]); // [B, T, d]
  }
}

/**
 * ids int32 [B, T] → [B, T, L + 1] float: 1 at (b, t, slot(t)) (boxSlotIndex), rows of zeros outside boxes.
 * Tensor ops only (shifted comparisons), no read-back.
 */
export function boxSlotOneHot(ids: tf.Tensor, opener: number, tokensPerBox: number): tf.Tensor {
  const [B, T] = ids.shape as [number, number];
  // hit[b, t, k] = 1 when ids[b, t − k] is the opener (ids shifted right by k, padded with −1)
  const hits = Array.from({ length: tokensPerBox + 1 }, (_, k) => {
    const shifted = k === 0 ? ids : tf.slice(tf.pad(ids, [[0, 0], [k, 0]], -1), [0, 0], [B, T]); // [B, T]
    return tf.cast(tf.equal(shifted, opener), 'float32'); // [B, T]
  });
  // the nearest opener wins (only a malformed answer has two within L tokens): keep hit k where no j < k hit
  let none = tf.onesLike(hits[0]!); // [B, T]
  const nearest = hits.map((hit) => {
    const kept = tf.mul(hit, none);
    none = tf.mul(none, tf.sub(1, hit));
    return kept;
  });
  return tf.stack(nearest, -1); // [B, T, L + 1]
}
