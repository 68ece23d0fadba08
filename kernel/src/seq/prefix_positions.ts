/**
 * Prefix positions (stage 1, `model.prefixPositions`; off by default): a learnt position embedding added
 * to the image tokens after the projector, so every image token tells the LM and the patch read-outs
 * where it is, however large its content has grown:
 *
 *   prefix[b, p] = projector(features[b, p]) + Q[p]        Q [P, d], initialised as sincos2d(grid, d, a)
 *
 * Why: the patch encoder gets its position code at its input (ViT style), and the grounded LM's causal LM
 * gives the prefix no positions of its own (text positions count from 0). Measured with
 * `bench/probes/patch_position_probe.ts`: at initialisation a linear probe reads a patch's column from the
 * encoder's output for 0.91 of the patches (0.84 from the prefix); ~970 steps into the reference recipe, for
 * 0.49 (0.39) — the content the dense losses teach grew the features' RMS 0.21 → 1.55 while the input code
 * stayed at 0.16–0.18 — and the patch-box loss sat at the entropy of the box marginals (3.75 nats; the
 * patch position alone would give 2.89) for the first third of the run. Absolute boxes need absolute
 * positions; this puts them back where boxes are read. DETR adds its positional code again at every
 * attention layer for the same reason.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../models';
import { sincos2d } from '../models/sincos_positions';

export class PrefixPositions extends Module {
  readonly table: tf.Variable; // [P, d]

  /** `grid`: patches per side (P = grid²); `width`: the LM's d (a multiple of 4); `amplitude`: a > 0, the init's entries' size. */
  constructor(readonly grid: number, readonly width: number, readonly amplitude: number) {
    super();
    if (!(Number.isFinite(amplitude) && amplitude > 0)) throw new Error(`PrefixPositions: amplitude must be a positive number; got ${amplitude}`);
    this.table = this.param('table', tf.tidy(() => tf.variable(sincos2d(grid, width, amplitude), true)));
  }

  /** prefix [B, P, d] → prefix + Q (broadcast over the batch). */
  forward(prefix: tf.Tensor): tf.Tensor {
    const [, P, d] = prefix.shape as [number, number, number];
    if (P !== this.grid * this.grid || d !== this.width) throw new Error(`PrefixPositions.forward: prefix must be [B, ${this.grid * this.grid}, ${this.width}]; got [${prefix.shape}]`);
    return tf.add(prefix, this.table); // [B, P, d]
  }
}
