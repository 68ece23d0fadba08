/**
 * A convolutional stem for the patch encoder ("early convolutions help transformers see better",
 * Xiao et al. 2021): instead of one linear map of each p×p patch, the image is reduced to the patch
 * grid by log₂(p) stages of
 *
 *   space-to-depth 2×2 + Linear (= a 2×2 stride-2 convolution)  → GELU → 3×3 convolution (stride 1, zero
 *   padding) with a residual connection → GELU
 *
 * and a final Linear to the transformer width. Shapes (p = 8, 64-px images): [B, 64, 64, 3] →
 * [B, 32, 32, c₁] → [B, 16, 16, c₂] → [B, 8, 8, c₃] → [B, 64, d].
 *
 * The 3×3 convolutions run as conv3x3.ts (forward convolutions only, also for the gradients: the wasm
 * backend has no Conv2DBackpropFilter kernel). Each keeps its weight as a Linear [9·c, c] whose rows are
 * the (row offset, column offset, channel) of the 3×3 neighbourhood, row-major — the layout of an im2col
 * product — reshaped to the [3, 3, c, c] filter.
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv3x3 } from './conv3x3';
import { gelu } from './gelu';
import { Linear } from './linear';
import { Module } from './module';

/** [B, H, W, C] → [B, H/2, W/2, 4C]: each 2×2 block flattened as (row, col, channel). */
export function spaceToDepth2(x: tf.Tensor): tf.Tensor {
  const [B, H, W, C] = x.shape as [number, number, number, number];
  const rows = tf.reshape(x, [B * (H / 2), 2, W / 2, 2 * C]); // [B·H/2, 2, W/2, 2C]
  const blocks = tf.transpose(rows, [0, 2, 1, 3]); // [B·H/2, W/2, 2, 2C]
  return tf.reshape(blocks, [B, H / 2, W / 2, 4 * C]); // [B, H/2, W/2, 4C]
}

/** Channels per stage: first, 2·first, 4·first, … (16, 32, 64 by default) capped at the transformer width. */
export function stemChannels(stages: number, width: number, first = 16): number[] {
  return Array.from({ length: stages }, (_, i) => Math.min(width, first << i));
}

export class ConvStem extends Module {
  readonly down: Linear[];
  readonly conv: Linear[];
  readonly out: Linear;

  /** `firstChannels`: the first stage's channels (stemChannels); the 3×3 convolutions' cost grows with its square. */
  constructor(readonly patchSize: number, readonly channels: number, readonly width: number, seed: number, firstChannels = 16) {
    super();
    const stages = Math.log2(patchSize);
    if (!Number.isInteger(stages) || stages < 1) throw new Error(`ConvStem: patchSize must be a power of two ≥ 2; got ${patchSize}`);
    if (!(Number.isInteger(firstChannels) && firstChannels >= 1)) throw new Error(`ConvStem: firstChannels must be a positive integer; got ${firstChannels}`);
    const widths = stemChannels(stages, width, firstChannels);
    let cin = channels;
    // He-style init for the GELU stages: std = √(2 / fan-in)
    this.down = widths.map((c, i) => {
      const layer = this.child(`down.${i}`, new Linear(4 * cin, c, seed, `stem.down.${i}`, Math.sqrt(2 / (4 * cin))));
      cin = c;
      return layer;
    });
    this.conv = widths.map((c, i) => this.child(`conv.${i}`, new Linear(9 * c, c, seed, `stem.conv.${i}`, Math.sqrt(1 / (9 * c)))));
    this.out = this.child('out', new Linear(cin, width, seed, 'stem.out'));
  }

  /** images [B, H, W, C] → [B, (H/p)·(W/p), width], patches in row-major grid order. */
  forward(images: tf.Tensor): tf.Tensor {
    let x = images;
    for (let i = 0; i < this.down.length; i++) {
      x = gelu(this.down[i]!.forward(spaceToDepth2(x))); // [B, h, w, cᵢ]
      x = gelu(tf.add(x, this.conv3x3(i, x as tf.Tensor4D))); // [B, h, w, cᵢ]
    }
    const [B, h, w, c] = x.shape as [number, number, number, number];
    return this.out.forward(tf.reshape(x, [B, h * w, c])); // [B, n, width]
  }

  /** Stage i's 3×3 convolution (its Linear's weight as the filter) plus bias: [B, h, w, c] → [B, h, w, c]. */
  private conv3x3(i: number, x: tf.Tensor4D): tf.Tensor {
    const layer = this.conv[i]!;
    const c = x.shape[3];
    return tf.add(conv3x3(x, tf.reshape(layer.weight, [3, 3, c, layer.outDim]) as tf.Tensor4D), layer.bias); // [B, h, w, c]
  }
}
