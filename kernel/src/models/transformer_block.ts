import * as tf from '@tensorflow/tfjs-core';
import { MultiHeadAttention } from './attention';
import { LayerNorm } from './layer_norm';
import { Mlp } from './mlp';
import { Module } from './module';

/** Shared shape of both encoders' transformer stacks. */
export interface TransformerBlockConfig {
  width: number;
  heads: number;
  mlpWidth: number;
  lnEps: number;
  /** Init std of the attention's query/key weights (default 0.02; see attention.ts). */
  qkStd?: number;
}

/**
 * A pre-LN transformer block (GPT-2 / ViT):  x ← x + attn(LN(x));  x ← x + mlp(LN(x)).
 * Pre-LN keeps the residual stream un-normalised, which trains stably without warm-up tricks.
 */
export class TransformerBlock extends Module {
  readonly ln1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly ln2: LayerNorm;
  readonly mlp: Mlp;

  constructor(config: TransformerBlockConfig, seed: number, path: string) {
    super();
    this.ln1 = this.child('ln1', new LayerNorm(config.width, config.lnEps));
    this.attn = this.child('attn', new MultiHeadAttention(config.width, config.heads, seed, `${path}.attn`, config.qkStd));
    this.ln2 = this.child('ln2', new LayerNorm(config.width, config.lnEps));
    this.mlp = this.child('mlp', new Mlp(config.width, config.mlpWidth, seed, `${path}.mlp`));
  }

  /** x [B, T, d], keyMask [B, T] (optional) → [B, T, d] */
  forward(x: tf.Tensor, keyMask?: tf.Tensor): tf.Tensor {
    const h = tf.add(x, this.attn.forward(this.ln1.forward(x), keyMask)); // [B, T, d]
    return tf.add(h, this.mlp.forward(this.ln2.forward(h))); // [B, T, d]
  }
}
