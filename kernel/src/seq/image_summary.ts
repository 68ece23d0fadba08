/**
 * Image summary (stage 1, `model.imageSummary`; off by default): one vector per image, pooled from the
 * image tokens by a maximum over the patches, added to every text position's input as box slots are:
 *
 *   s[b] = W_out · max_p (W_in · prefix[b, p])        W_in, W_out [d, d]
 *   input[b, t] += s[b]
 *
 * Why: naming the objects of an image ("list [SEP] circle star [EOS]") asks, for every name, whether any
 * patch shows it — an OR over the patches. The LM has only attention for it, a softmax-weighted mean:
 * with four objects in the image, a small shape's one or two patches hold a small share of whatever the
 * query attends to, and the listing's recall fell with the objects in the image (0.985 / 0.881 / 0.793 /
 * 0.663 for 1 / 2 / 3 / 4, `bench/probes/names_probe.ts` on session 18's 20-minute seed-1 run) while the
 * same model's detections, which name one object at a time right after its box, named them better. A
 * maximum over the patches of a learnt projection is an OR whatever the number of objects; the LM reads
 * it at every position without attending. (The class token of ViT is the attention version of this
 * pooling; multi-label image classifiers pool the patches by their maximum for the same reason.)
 *
 * In packed rows every segment of a row reads the same image, so one summary per row is every segment's.
 * W_out starts small (std 0.02, as every projection here): the LM starts as without it.
 *
 * Measured (session 19, README): on the memory recipe at 1650 steps, seeds 0 / 1, names micro-F1 0.757 / 0.752
 * against 0.785 / 0.747 without, REC 0.804 / 0.836 against 0.836 / 0.903 — no gain; it stays off.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module } from '../models';

export class ImageSummary extends Module {
  readonly pool: Linear;
  readonly out: Linear;

  /** `width`: the LM's d (the prefix's width and the text inputs'). */
  constructor(readonly width: number, seed: number) {
    super();
    this.pool = this.child('pool', new Linear(width, width, seed, 'imageSummary.pool'));
    this.out = this.child('out', new Linear(width, width, seed + 1, 'imageSummary.out'));
  }

  /** prefix [B, P, d] → the summary [B, 1, d] (broadcasts over the text positions). */
  forward(prefix: tf.Tensor): tf.Tensor {
    const [B, , d] = prefix.shape as [number, number, number];
    if (prefix.rank !== 3 || d !== this.width) throw new Error(`ImageSummary.forward: prefix must be [B, P, ${this.width}]; got [${prefix.shape}]`);
    return tf.tidy(() => {
      const pooled = tf.max(this.pool.forward(prefix), 1); // [B, d]
      return tf.reshape(this.out.forward(pooled), [B, 1, d]); // [B, 1, d]
    });
  }
}
