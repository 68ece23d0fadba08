/**
 * A decoder-only causal transformer language model, nanoGPT-sized for the grounded scenes:
 *
 *   x = E[ids] + pos[0:T]       (optionally after a prefix of P given embeddings: [prefix; E[ids] + pos[0:T]])
 *   x = depth × CausalBlock(x);  h = LN(x);  logits = h · Eᵀ   (tied input/output embedding, as GPT-2)
 *
 * The embedding table E is stored as two variables, `textEmbedding` [V₀, d] (the vocabulary the model
 * was pretrained with) and `extraEmbedding` [V₁, d] (rows appended later: coordinate and box tokens,
 * see vocabulary_extension.ts), concatenated along the vocabulary axis. Keeping them apart lets stage 1
 * freeze the pretrained rows or prove they are untouched, without copying the table.
 *
 * Shapes: B batch, P prefix, T tokens, d width, V = V₀ + V₁ vocabulary.
 * Reference: karpathy/nanoGPT model.py (GPT, tied wte/lm_head); Radford et al. 2019.
 *
 * @example
 *   const lm = new CausalLM({ vocabSize: 48, maxLength: 32 }, 0);
 *   const logits = lm.logits(lm.forward(ids));   // ids int32 [B, T] → [B, T, V]
 */
import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, LayerNorm, mergeConfig, Module } from '../models';
import { prefixCausalBias, PREFIX_ATTENTION_MODES, segmentCausalBias, type AttentionCapture, type PrefixAttention } from './causal_attention';
import { CausalBlock } from './causal_block';

/** One layer's head (or heads) whose attention a forward pass keeps (causal_attention.ts AttentionCapture). */
export interface LayerAttentionCapture extends AttentionCapture {
  layer: number;
}

/** Packed rows: per text position [B, T] its position within its segment and the segment's id (≥ 0). */
export interface PackingLayout {
  positions: Int32Array;
  segments: Int32Array;
}

/** Group ids of [prefix; text] for segmentCausalBias: −1 for the P prefix positions, then the segments. */
function packedGroups(p: PackingLayout, B: number, T: number, P: number): Int32Array {
  const L = P + T;
  const g = new Int32Array(B * L).fill(-1);
  for (let b = 0; b < B; b++) g.set(p.segments.subarray(b * T, (b + 1) * T), b * L + P);
  return g;
}

/**
 * The last T rows of a forward pass's output or captured attention [B, L_q, ...]: the text positions'
 * hidden states [B, T, d] or attention rows [B, T, P + T], whether the prefix positions were computed
 * (L_q = P + T) or not (prefix attention 'memory': L_q = T).
 */
export function textRows(t: tf.Tensor, T: number): tf.Tensor {
  const [B, Lq, ...rest] = t.shape;
  if (Lq! < T) throw new Error(`textRows: ${Lq} rows cannot hold ${T} text positions`);
  return Lq === T ? t : tf.slice(t, [0, Lq! - T, ...rest.map(() => 0)], [B!, T, ...rest]);
}

export interface CausalLMConfig {
  /** V₀: rows of the pretrained (text) embedding. */
  vocabSize: number;
  /** V₁: appended rows (0 for a text-only model). */
  extraVocabSize: number;
  /** Longest token sequence, prefix not counted (number of learned positions). */
  maxLength: number;
  width: number;
  depth: number;
  heads: number;
  mlpWidth: number;
  lnEps: number;
  /** How image-prefix positions attend to each other (causal_attention.ts PrefixAttention); text is always causal. */
  prefixAttention: PrefixAttention;
}

export const DEFAULT_CAUSAL_LM_CONFIG: Readonly<CausalLMConfig> = Object.freeze({
  vocabSize: 64,
  extraVocabSize: 0,
  maxLength: 64,
  width: 128,
  depth: 2,
  heads: 4,
  mlpWidth: 512,
  lnEps: 1e-5,
  prefixAttention: 'causal',
});

export function causalLMConfig(overrides: Partial<CausalLMConfig> = {}): CausalLMConfig {
  const c = mergeConfig('CausalLMConfig', DEFAULT_CAUSAL_LM_CONFIG, overrides);
  for (const k of ['vocabSize', 'maxLength', 'width', 'depth', 'heads', 'mlpWidth'] as const) {
    if (!Number.isInteger(c[k]) || c[k] <= 0) throw new Error(`CausalLMConfig.${k}: expected a positive integer, got ${c[k]}`);
  }
  if (!Number.isInteger(c.extraVocabSize) || c.extraVocabSize < 0) {
    throw new Error(`CausalLMConfig.extraVocabSize: expected a non-negative integer, got ${c.extraVocabSize}`);
  }
  if (c.width % c.heads !== 0) throw new Error(`CausalLMConfig.heads: ${c.heads} does not divide width ${c.width}`);
  if (!PREFIX_ATTENTION_MODES.includes(c.prefixAttention)) throw new Error(`CausalLMConfig.prefixAttention: expected one of ${PREFIX_ATTENTION_MODES.join(', ')}, got '${c.prefixAttention}'`);
  return c;
}

/** N(0, std²) trainable variable seeded by (seed, path), as models/ does for its parameters. */
export function normalVariable(shape: number[], std: number, seed: number, path: string): tf.Variable {
  const init = tf.randomNormal(shape, 0, std, 'float32', deriveSeed(seed, path));
  const v = tf.variable(init, true);
  init.dispose();
  return v;
}

export class CausalLM extends Module {
  readonly config: Readonly<CausalLMConfig>;
  readonly textEmbedding: tf.Variable; // [V₀, d]
  readonly extraEmbedding: tf.Variable | null; // [V₁, d]
  readonly pos: tf.Variable; // [maxLength, d]
  readonly blocks: CausalBlock[];
  readonly lnFinal: LayerNorm;

  constructor(overrides: Partial<CausalLMConfig> = {}, readonly seed = 0) {
    super();
    const c = (this.config = Object.freeze(causalLMConfig(overrides)));
    this.textEmbedding = this.param('textEmbedding', normalVariable([c.vocabSize, c.width], 0.02, seed, 'textEmbedding'));
    this.extraEmbedding =
      c.extraVocabSize > 0 ? this.param('extraEmbedding', normalVariable([c.extraVocabSize, c.width], 0.02, seed, 'extraEmbedding')) : null;
    this.pos = this.param('pos', normalVariable([c.maxLength, c.width], 0.02, seed, 'pos'));
    this.blocks = Array.from({ length: c.depth }, (_, i) => this.child(`blocks.${i}`, new CausalBlock(c, seed, `blocks.${i}`)));
    this.lnFinal = this.child('lnFinal', new LayerNorm(c.width, c.lnEps));
  }

  get vocabSize(): number {
    return this.config.vocabSize + this.config.extraVocabSize;
  }

  /** The full embedding table [V, d]. */
  embeddingTable(): tf.Tensor2D {
    return (this.extraEmbedding ? tf.concat([this.textEmbedding, this.extraEmbedding], 0) : this.textEmbedding) as tf.Tensor2D;
  }

  /**
   * ids int32 [B, T], prefix [B, P, d] (optional) → final hidden states [B, P + T, d] (after LN); under
   * prefix attention 'memory' [B, T, d], the text positions only (the LM computes no prefix positions).
   * `capture` (optional): keep the attention probabilities of one layer's head (or `count` heads),
   * [B, P + T, P + T] each ([B, T, P + T] under 'memory': text queries only). `textRows` reads the text
   * positions' rows off either.
   * `packing` (packed rows, seq/packed_rows.ts): each text position's position index and segment id
   * ([B, T]); a segment then sees the prefix and its own earlier tokens only, with positions counted
   * from its start — each segment is computed exactly as it would be alone in a row.
   * `textInput` (optional): [B, T, d] added to the text positions' token and position embeddings
   * (GroundedLM's box slots, box_slots.ts).
   */
  forward(ids: tf.Tensor, prefix?: tf.Tensor, packing?: PackingLayout, capture?: LayerAttentionCapture, textInput?: tf.Tensor): tf.Tensor {
    const c = this.config;
    if (ids.rank !== 2 || ids.dtype !== 'int32') throw new Error(`CausalLM.forward: ids must be int32 [B, T]; got ${ids.dtype} [${ids.shape}]`);
    const [B, T] = ids.shape as [number, number];
    if (prefix && (prefix.rank !== 3 || prefix.shape[0] !== B || prefix.shape[2] !== c.width)) {
      throw new Error(`CausalLM.forward: prefix must be [${B}, P, ${c.width}]; got [${prefix.shape}]`);
    }
    if (!packing && T > c.maxLength) throw new Error(`CausalLM.forward: ${T} tokens exceed maxLength ${c.maxLength}`);
    // embedding lookup as a one-hot product: its gradient is one more product (fast on wasm, no scatter)
    // (oneHot then cast: the wasm backend fills a float32 oneHot with integer bit patterns)
    const oneHot = tf.cast(tf.oneHot(tf.reshape(ids, [-1]) as tf.Tensor1D, this.vocabSize), 'float32'); // [B·T, V]
    const emb = tf.reshape(tf.matMul(oneHot, this.embeddingTable()), [B, T, c.width]); // [B, T, d]
    // text positions count from 0 whether or not a prefix comes first: the prefix carries its own (ViT)
    // positions, and the positions learnt in text-only pretraining are the ones stage 1 uses
    const positioned = tf.add(emb, packing ? this.packedPositions(packing, B, T) : tf.slice(this.pos, [0, 0], [T, c.width])); // [B, T, d]
    if (textInput && !(textInput.rank === 3 && textInput.shape[0] === B && textInput.shape[1] === T && textInput.shape[2] === c.width)) {
      throw new Error(`CausalLM.forward: textInput must be [${B}, ${T}, ${c.width}]; got [${textInput.shape}]`);
    }
    const text = textInput ? tf.add(positioned, textInput) : positioned; // [B, T, d]
    const P = prefix ? prefix.shape[1]! : 0;
    const memory = P > 0 && c.prefixAttention === 'memory' ? prefix : undefined; // attended to, never computed
    let x = prefix && !memory ? tf.concat([prefix, text], 1) : text; // [B, P + T, d], or [B, T, d] under 'memory'
    const L = P + T;
    const bias = packing
      ? segmentCausalBias(packedGroups(packing, B, T, P), B, L, c.prefixAttention)
      : P > 0 && c.prefixAttention !== 'causal'
        ? prefixCausalBias(P, L, c.prefixAttention)
        : undefined; // plain causal: the attention's own mask
    if (capture && !(Number.isInteger(capture.layer) && capture.layer >= 0 && capture.layer < c.depth)) {
      throw new Error(`CausalLM.forward: capture.layer must be an integer in [0, ${c.depth}); got ${capture.layer}`);
    }
    this.blocks.forEach((block, l) => (x = block.forward(x, bias, capture?.layer === l ? capture : undefined, memory))); // [B, P + T, d]
    return this.lnFinal.forward(x); // [B, P + T, d] ([B, T, d] under 'memory')
  }

  /** Position embeddings of packed rows [B, T, d], as a one-hot product (like the token lookup). */
  private packedPositions(p: PackingLayout, B: number, T: number): tf.Tensor {
    const c = this.config;
    if (p.positions.length !== B * T || p.segments.length !== B * T) throw new Error(`CausalLM.forward: packing has ${p.positions.length} positions and ${p.segments.length} segments, expected B·T = ${B}·${T}.`);
    const top = p.positions.reduce((a, b) => Math.max(a, b), 0);
    if (top >= c.maxLength) throw new Error(`CausalLM.forward: packing position ${top} exceeds maxLength ${c.maxLength}`);
    const oneHot = tf.cast(tf.oneHot(tf.tensor1d(p.positions, 'int32'), c.maxLength), 'float32'); // [B·T, maxLength]
    return tf.reshape(tf.matMul(oneHot, this.pos), [B, T, c.width]); // [B, T, d]
  }

  /** hidden [..., d] → logits [..., V] with the tied embedding (explicit transpose: fast on wasm). */
  logits(hidden: tf.Tensor): tf.Tensor {
    const d = this.config.width;
    const lead = hidden.shape.slice(0, -1);
    const h2 = tf.reshape(hidden, [-1, d]) as tf.Tensor2D; // [N, d]
    const out = tf.matMul(h2, tf.transpose(this.embeddingTable())); // [N, V]
    return tf.reshape(out, [...lead, this.vocabSize]); // [..., V]
  }
}
