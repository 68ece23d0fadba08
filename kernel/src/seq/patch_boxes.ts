/**
 * Dense box supervision of the image prefix (an auxiliary stage-1 loss, off by default:
 * `stage1.patchBoxWeight`). Every patch that an object owns (patch_labels.ts: the smallest box holding
 * the patch centre) learns to predict that object's box as the codec's coordinate tokens, through the
 * LM's own (tied) coordinate embeddings:
 *
 *   h[b, p, k] = W_k · prefix[b, p] + c_k                      k = 0 … L−1 (L tokens per box: 4 for bins)
 *   logits[b, p, k] = h[b, p, k] · E_coordᵀ                    E_coord [N, d]: the rows of the codec's tokens
 *   L_box = Σ_{owned b,p} Σ_k −log softmax(logits[b, p, k])[code_k(box of owner)] / (L · #owned)
 *
 * Why: in sequence-only training the coordinate tokens are learnt from one box per answer, through the
 * whole LM. Here every owned patch of every image (≈ 20 per 64-px scene at patch 8) is a box example,
 * and the target lives in the space the LM must answer in: a prefix token that linearly predicts
 * `<bin_k>` is one the LM can copy into a coordinate answer with one attention head (its value/output
 * maps ≈ W_k). Pix2Seq has no such loss; it is the dense-head idea of FCOS/DETR's auxiliary decoding
 * losses applied to the prefix of a Shikra-style LM.
 *
 * Needs a codec with a fixed number of tokens per box (bins: 4, grid: 2); the text codec's digit runs
 * vary in length and are rejected.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Scene } from '../data/scene_types';
import type { WordTokenizer } from '../data/word_tokenizer';
import { Linear, Module } from '../models';
import type { BoxPolicy, BoxWarnings } from './box_check';
import type { CausalLM } from './causal_lm';
import type { CoordinateCodec } from './coordinate_codec';
import { patchOwners } from './patch_labels';
import { sceneBoxes } from './task_templates';

/** Tokens per box of `codec`, or an error naming the codec and the setting `needer` when it varies (the text codec). */
export function tokensPerBox(codec: CoordinateCodec, needer = 'stage1.patchBoxWeight'): number {
  const lengths = new Set([[0, 0, 1, 1], [3, 5, 60, 62], [10, 20, 900, 990]].map((b) => codec.encode(b as [number, number, number, number], 1000, 1000).length));
  if (lengths.size !== 1) throw new Error(`codec '${codec.name}' encodes boxes with a varying number of tokens; ${needer} needs a bins or grid codec.`);
  return [...lengths][0]!;
}

export interface PatchBoxTargets {
  /** [B·P·L] int32: index into codec.tokens of each owned patch's box token k (0 for background). */
  codes: Int32Array;
  /** [B·P·L] 1 for owned patches, 0 for background. */
  weights: Float32Array;
}

/** The per-patch targets of `scenes` on a G×G grid (boxes checked by the run's policy). */
export function patchBoxTargets(scenes: readonly Scene[], grid: number, codec: CoordinateCodec, policy: BoxPolicy, warnings: BoxWarnings): PatchBoxTargets {
  const L = tokensPerBox(codec);
  const P = grid * grid;
  const index = new Map(codec.tokens.map((t, k) => [t, k]));
  const owners = patchOwners(scenes, grid);
  const codes = new Int32Array(owners.length * L);
  const weights = new Float32Array(owners.length * L);
  scenes.forEach((s, b) => {
    const boxes = sceneBoxes(s, { policy, warnings });
    const encoded = boxes.map((box) => codec.encode(box, s.width, s.height).map((t) => index.get(t)!));
    for (let p = 0; p < P; p++) {
      const o = owners[b * P + p]!;
      if (o < 0) continue;
      for (let k = 0; k < L; k++) {
        codes[(b * P + p) * L + k] = encoded[o]![k]!;
        weights[(b * P + p) * L + k] = 1;
      }
    }
  });
  return { codes, weights };
}

/** The rows [a, a + N) of the embedding table that hold `codec.tokens` (they are appended together). */
export function coordinateRows(tok: WordTokenizer, codec: CoordinateCodec): { start: number; count: number } {
  const ids = codec.tokens.map((t) => (tok.has(t) ? tok.idOf(t) : -1));
  const start = ids[0]!;
  if (start < 0 || ids.some((id, k) => id !== start + k)) {
    throw new Error(`patch boxes: the tokens of codec '${codec.name}' are not one contiguous run of the vocabulary.`);
  }
  return { start, count: ids.length };
}

export class PatchBoxHead extends Module {
  readonly linear: Linear;
  readonly tokens: number;

  /** `width`: the LM's width d (the prefix's); `tokens`: L, the codec's tokens per box. */
  constructor(readonly width: number, tokens: number, seed: number) {
    super();
    this.tokens = tokens;
    this.linear = this.child('linear', new Linear(width, tokens * width, seed, 'patchBoxHead', 1 / Math.sqrt(width)));
  }

  /**
   * prefix [B, P, d], the LM (its tied embedding), the codec's rows, targets → the weighted mean
   * cross-entropy over owned patches and box tokens (a scalar; 0 when no patch is owned). `soft`: the
   * [N, N] soft targets of coordinate_smoothing.ts (row k for code k) instead of one-hot codes.
   */
  loss(prefix: tf.Tensor, lm: CausalLM, rows: { start: number; count: number }, codes: tf.Tensor1D, weights: tf.Tensor1D, soft?: Float32Array): tf.Scalar {
    const d = this.width;
    const h = tf.reshape(this.linear.forward(prefix), [-1, d]) as tf.Tensor2D; // [B·P·L, d]
    const table = tf.slice(lm.embeddingTable(), [rows.start, 0], [rows.count, d]) as tf.Tensor2D; // [N, d]
    const logp = tf.logSoftmax(tf.matMul(h, tf.transpose(table)), -1); // [B·P·L, N]
    const targets = soft ? tf.gather(tf.tensor2d(soft, [rows.count, rows.count]), codes) : tf.cast(tf.oneHot(codes, rows.count), 'float32'); // [B·P·L, N]
    const picked = tf.sum(tf.mul(logp, targets), -1); // [B·P·L]
    return tf.div(tf.neg(tf.sum(tf.mul(picked, weights))), tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
  }
}
