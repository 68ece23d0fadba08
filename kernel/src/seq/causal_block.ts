/**
 * A pre-LN decoder block (GPT-2):  x ← x + causalAttn(LN(x));  x ← x + mlp(LN(x))
 * (with a memory m: x ← x + attn(queries LN(x), keys / values [LN(m); LN(x)]), then the MLP).
 * Same structure as models/transformer_block.ts, with causal attention.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LayerNorm, Mlp, Module } from '../models';
import { CausalSelfAttention, type AttentionCapture } from './causal_attention';

export interface CausalBlockConfig {
  width: number;
  heads: number;
  mlpWidth: number;
  lnEps: number;
}

export class CausalBlock extends Module {
  readonly ln1: LayerNorm;
  readonly attn: CausalSelfAttention;
  readonly ln2: LayerNorm;
  readonly mlp: Mlp;

  constructor(c: CausalBlockConfig, seed: number, path: string) {
    super();
    this.ln1 = this.child('ln1', new LayerNorm(c.width, c.lnEps));
    this.attn = this.child('attn', new CausalSelfAttention(c.width, c.heads, seed, `${path}.attn`));
    this.ln2 = this.child('ln2', new LayerNorm(c.width, c.lnEps));
    this.mlp = this.child('mlp', new Mlp(c.width, c.mlpWidth, seed, `${path}.mlp`));
  }

  /**
   * [B, T, d] → [B, T, d]; `bias`: the attention mask when not plain causal; `capture`: keep one head's
   * attention; `memory` [B, P, d]: positions attended to but not computed (prefix attention 'memory'),
   * through the same LN as x.
   */
  forward(x: tf.Tensor, bias?: tf.Tensor, capture?: AttentionCapture, memory?: tf.Tensor): tf.Tensor {
    const h = tf.add(x, this.attn.forward(this.ln1.forward(x), bias, capture, memory && this.ln1.forward(memory))); // [B, T, d]
    return tf.add(h, this.mlp.forward(this.ln2.forward(h))); // [B, T, d]
  }
}
