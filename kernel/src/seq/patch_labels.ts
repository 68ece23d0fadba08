/**
 * Dense supervision of the patch encoder from the detection boxes (an auxiliary stage-1 loss, off by
 * default: `stage1.patchLabelWeight`). Each patch of the G×G grid gets the class of the object whose box
 * holds the patch centre — the smallest such box when several do (the one in front, usually) — or
 * background (class 0):
 *
 *   label[b, p] = 1 + index(name of the smallest box ∋ centre(p))   or 0
 *   L_patch = mean_{b,p} −log softmax(W · feature[b, p])[label[b, p]]
 *
 * It uses only what a detection dataset has (boxes and names), so it runs on the grounded scenes and on
 * COCO-style records alike. Sequence-only training leaves the encoder to learn shapes from the slow,
 * indirect next-token signal; the per-patch loss teaches "what is here" directly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module } from '../models';
import type { Scene } from '../data/scene_types';

/**
 * [B·G·G] int32: the index of the object that owns each patch (row-major patches), or −1 for
 * background. The owner is the object whose box holds the patch centre — the smallest such box when
 * several do (the one in front, usually). Shared by the patch labels and the patch boxes (patch_boxes.ts).
 */
export function patchOwners(scenes: readonly Scene[], grid: number): Int32Array {
  const out = new Int32Array(scenes.length * grid * grid).fill(-1);
  scenes.forEach((s, b) => {
    const cw = s.width / grid;
    const ch = s.height / grid;
    for (let gy = 0; gy < grid; gy++) {
      for (let gx = 0; gx < grid; gx++) {
        const x = (gx + 0.5) * cw;
        const y = (gy + 0.5) * ch;
        let best = -1;
        let bestArea = Infinity;
        s.objects.forEach((o, i) => {
          const [x1, y1, x2, y2] = o.box;
          const area = (x2 - x1) * (y2 - y1);
          if (x >= x1 && x < x2 && y >= y1 && y < y2 && area < bestArea) {
            best = i;
            bestArea = area;
          }
        });
        out[(b * grid + gy) * grid + gx] = best;
      }
    }
  });
  return out;
}

/**
 * Sets out[offset + p] = 1 for each patch p of row b (`owners` from patchOwners, P patches a row) that an
 * object of `objects` owns; returns how many. The per-position targets of word and listing attention.
 */
export function markOwnedPatches(owners: Int32Array, b: number, P: number, objects: ReadonlySet<number>, out: Float32Array, offset: number): number {
  let owned = 0;
  for (let p = 0; p < P; p++) {
    if (objects.has(owners[b * P + p]!)) {
      out[offset + p] = 1;
      owned++;
    }
  }
  return owned;
}

/** [B·G·G] int32 labels (row-major patches), classes 1 + names.indexOf(owner's name), 0 = background or an unknown name. */
export function patchLabels(scenes: readonly Scene[], grid: number, names: readonly string[]): Int32Array {
  const index = new Map(names.map((n, k) => [n, k + 1]));
  const owners = patchOwners(scenes, grid);
  const P = grid * grid;
  return owners.map((o, p) => (o < 0 ? 0 : (index.get(scenes[Math.floor(p / P)]!.objects[o]!.name) ?? 0)));
}

/** A linear classifier of patch features: [B, P, e] → logits [B·P, 1 + classes]. */
export class PatchLabelHead extends Module {
  readonly linear: Linear;

  constructor(readonly featureDim: number, readonly classes: number, seed: number) {
    super();
    this.linear = this.child('linear', new Linear(featureDim, classes + 1, seed, 'patchHead'));
  }

  /** Mean cross-entropy of the patch features [B, P, e] against labels int32 [B·P]. */
  loss(features: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
    const logits = tf.reshape(this.linear.forward(features), [-1, this.classes + 1]) as tf.Tensor2D; // [B·P, C+1]
    const logp = tf.logSoftmax(logits, -1); // [B·P, C+1]
    const picked = tf.sum(tf.mul(logp, tf.cast(tf.oneHot(labels, this.classes + 1), 'float32')), -1); // [B·P]
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  }
}
