import * as tf from '@tensorflow/tfjs-core';
import '../backend/fast_matmul_gradient';
import { assertPositiveInt, mergeConfig } from './config';
import { normalInit } from './init';
import { LayerNorm } from './layer_norm';
import { Linear } from './linear';
import { Module } from './module';
import { TransformerBlock } from './transformer_block';

/** A transformer text encoder's hyper-parameters. The defaults are the benchmark model (shared/bench-workloads.md). */
export interface TextEncoderConfig {
  vocabSize: number;
  /** Longest token sequence (number of learned positions). */
  maxLength: number;
  width: number;
  depth: number;
  heads: number;
  mlpWidth: number;
  /** Per-token output projection width. */
  outputDim: number;
  lnEps: number;
  /** Init std of the attention's query/key weights: 0.02 (GPT-2, the benchmark model) or e.g. 1/√width. */
  qkStd: number;
}

export const DEFAULT_TEXT_ENCODER_CONFIG: Readonly<TextEncoderConfig> = Object.freeze({
  vocabSize: 64,
  maxLength: 16,
  width: 128,
  depth: 2,
  heads: 4,
  mlpWidth: 512,
  outputDim: 128,
  lnEps: 1e-5,
  qkStd: 0.02,
});

/** The defaults with `overrides` applied; throws on unknown keys, wrong types and inconsistent sizes. */
export function textEncoderConfig(overrides: Partial<TextEncoderConfig> = {}): TextEncoderConfig {
  const c = mergeConfig('TextEncoderConfig', DEFAULT_TEXT_ENCODER_CONFIG, overrides);
  for (const key of ['vocabSize', 'maxLength', 'width', 'depth', 'heads', 'mlpWidth', 'outputDim'] as const) {
    assertPositiveInt(`TextEncoderConfig.${key}`, c[key]);
  }
  if (!(c.qkStd > 0)) throw new Error(`TextEncoderConfig.qkStd: expected a positive number, got ${c.qkStd}`);
  if (c.width % c.heads !== 0) throw new Error(`TextEncoderConfig.heads: ${c.heads} does not divide width ${c.width}`);
  return c;
}

/**
 * Bidirectional transformer over tokens with a key padding mask:
 * token embedding + learned positions → depth × pre-LN block → LN → Linear(d → outputDim) per token.
 * Padded positions still get (meaningless) features; losses must mask them with the same mask.
 *
 * @example
 *   const enc = new TextEncoder({}, 0);
 *   const feats = enc.forward(tokens, mask);    // int32 [B, m], float [B, m] (1 = token) → [B, m, 128]
 */
export class TextEncoder extends Module {
  readonly config: Readonly<TextEncoderConfig>;
  readonly tokenEmbedding: tf.Variable; // [V, d]
  readonly pos: tf.Variable; // [maxLength, d]
  readonly blocks: TransformerBlock[];
  readonly lnFinal: LayerNorm;
  readonly proj: Linear;

  constructor(overrides: Partial<TextEncoderConfig> = {}, readonly seed = 0) {
    super();
    const c = (this.config = Object.freeze(textEncoderConfig(overrides)));
    this.tokenEmbedding = this.param('tokenEmbedding', normalInit([c.vocabSize, c.width], 0.02, seed, 'tokenEmbedding'));
    this.pos = this.param('pos', normalInit([c.maxLength, c.width], 0.02, seed, 'pos'));
    this.blocks = Array.from({ length: c.depth }, (_, i) =>
      this.child(`blocks.${i}`, new TransformerBlock(c, seed, `blocks.${i}`)),
    );
    this.lnFinal = this.child('lnFinal', new LayerNorm(c.width, c.lnEps));
    this.proj = this.child('proj', new Linear(c.width, c.outputDim, seed, 'proj'));
  }

  /** tokens int32 [B, m] (m ≤ maxLength), mask [B, m] (1 = token, 0 = padding) → token features [B, m, outputDim]. */
  forward(tokens: tf.Tensor, mask: tf.Tensor): tf.Tensor {
    const c = this.config;
    if (tokens.rank !== 2 || tokens.dtype !== 'int32' || (tokens.shape[1] ?? 0) > c.maxLength) {
      throw new Error(
        `TextEncoder.forward: tokens must be int32 [B, m] with m ≤ ${c.maxLength}, got ${tokens.dtype} [${tokens.shape}]`,
      );
    }
    if (!tf.util.arraysEqual(mask.shape, tokens.shape)) {
      throw new Error(`TextEncoder.forward: mask must have the tokens' shape [${tokens.shape}], got [${mask.shape}]`);
    }
    const [B, m] = tokens.shape;
    // embedding lookup as a one-hot product: its gradient is one more product (no scatter kernel needed)
    const oneHot = tf.cast(tf.oneHot(tf.reshape(tokens, [-1]) as tf.Tensor1D, c.vocabSize), 'float32'); // [B·m, V]
    const emb = tf.reshape(tf.matMul(oneHot, this.tokenEmbedding as tf.Tensor2D), [B, m, c.width]); // [B, m, d]
    const maskF = tf.cast(mask, 'float32'); // [B, m]
    let x = tf.add(emb, tf.slice(this.pos, [0, 0], [m, c.width])); // [B, m, d]
    for (const block of this.blocks) x = block.forward(x, maskF); // [B, m, d]
    return this.proj.forward(this.lnFinal.forward(x)); // [B, m, outputDim]
  }
}
