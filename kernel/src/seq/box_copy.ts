/**
 * Box copy (stage 1, `model.boxCopy`; off by default): while the LM writes coordinate k of a box, the
 * coordinate logits also get the box that the image tokens it looks at predict — a copy path from the
 * prefix, in the spirit of pointer-generator networks (See et al. 2017), with the patch-box read-out
 * (patch_boxes.ts) as what is copied:
 *
 *   h_k(p) = W_k · prefix[p] + c_k                 the read-out of coordinate k from image token p (PatchBoxHead)
 *   A[t, p]                                        attention of head 0 of the LM's last layer, text t → image p
 *   z_t(<bin_n>) += [slot(t) = k] · Σ_p A[t, p] · h_k(p) · E[<bin_n>]      (E: the tied coordinate rows)
 *
 * slot(t) = k when position t writes coordinate k (box_slots.ts: the opener is k = 0); other positions are
 * unchanged. The copied logits are the attention-weighted sum of the patches' own box logits — summed over
 * an object's patches, those decode its box at IoU ≥ 0.5 for 0.945 of the test objects in the reference
 * run (bench/probes/box_readout_probe.ts), while the LM's own first coordinate, teacher-forced on the
 * expressions whose object it looks at, was within 2 bins for only 0.73. The LM still decides where to look
 * (its attention, trained by the answer-attention loss and by the coordinates' loss through this path)
 * and its own logits still count (the two add, a product of experts).
 *
 * With `stage1.patchBoxWeight` > 0 the patch-box loss trains the same W_k (the task uses this reader).
 */
import * as tf from '@tensorflow/tfjs-core';
import { explicitTransposes } from '../backend/fast_matmul_gradient';
import { groupedMatMul, Module } from '../models';
import { boxSlotOneHot } from './box_slots';
import { PatchBoxHead } from './patch_boxes';

export class BoxCopy extends Module {
  readonly reader: PatchBoxHead;

  /**
   * `width`: the LM's d; `tokensPerBox`: L; `opener`: the box opener's id; `coordinates`: the vocabulary
   * ids [start, start + count) of the codec's tokens.
   */
  constructor(readonly width: number, readonly tokensPerBox: number, readonly opener: number, readonly coordinates: { start: number; count: number }, seed: number) {
    super();
    this.reader = this.child('reader', new PatchBoxHead(width, tokensPerBox, seed));
  }

  /**
   * ids int32 [B, T], prefix [B, P, d], toImage [B, T, P] (the attention of text positions on the prefix),
   * the LM's embedding table [V, d] → the copied logits [B, T, V] (zero outside the coordinate ids and at
   * positions that write no coordinate).
   */
  logits(ids: tf.Tensor, prefix: tf.Tensor, toImage: tf.Tensor, table: tf.Tensor2D): tf.Tensor {
    const [B, T] = ids.shape as [number, number];
    const P = prefix.shape[1]!;
    const L = this.tokensPerBox;
    const d = this.width;
    const V = table.shape[0];
    const { start, count } = this.coordinates;
    // h_k is affine in the image token, so Σ_p A[t, p] h_k(p) = W_k · (Σ_p A[t, p] prefix[p]) + c_k · Σ_p A[t, p]:
    // one attention-weighted sum of the prefix (d wide, not L·d), then the read-out as a plain 2-D product
    const looked = attend(toImage, prefix, B, T, P, d); // [B·T, d]
    const mass = tf.reshape(tf.sum(toImage, -1), [B * T, 1]); // [B·T, 1]
    const { weight, bias } = this.reader.linear;
    const perCoordinate = tf.reshape(tf.add(tf.matMul(looked, weight), tf.mul(mass, bias)), [B * T, L, d]); // [B·T, L, d]
    const writes = tf.reshape(tf.slice(boxSlotOneHot(ids, this.opener, L), [0, 0, 0], [B, T, L]), [B * T, L, 1]); // [B·T, L, 1]
    const copied = tf.sum(tf.mul(writes, perCoordinate), 1); // [B·T, d]: the coordinate position t writes
    const rows = tf.slice(table, [start, 0], [count, d]); // [N, d]
    const z = tf.reshape(tf.matMul(copied, tf.transpose(rows)), [B, T, count]); // [B, T, N] (explicit transpose: fast on wasm)
    return tf.pad(z, [[0, 0], [0, 0], [start, V - start - count]]); // [B, T, V]
  }
}

/** Σ_p A[b, t, p] · x[b, p] → [B·T, d] (A [B, T, P], x [B, P, d]); on wasm as a grouped product (models/grouped_matmul.ts). */
function attend(A: tf.Tensor, x: tf.Tensor, B: number, T: number, P: number, d: number): tf.Tensor {
  if (!explicitTransposes()) return tf.reshape(tf.matMul(A, x), [B * T, d]);
  const a = tf.transpose(A, [1, 2, 0]) as tf.Tensor3D; // [T, P, B]
  const f = tf.transpose(x, [1, 0, 2]) as tf.Tensor3D; // [P, B, d]
  return tf.reshape(tf.transpose(groupedMatMul(a, f), [1, 0, 2]), [B * T, d]); // [T, B, d] → [B·T, d]
}
