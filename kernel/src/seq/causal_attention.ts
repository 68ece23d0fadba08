/**
 * Causal multi-head self-attention (GPT; Radford et al. 2018, nanoGPT's CausalSelfAttention):
 *
 *   A = softmax(q kᵀ / √dh + M),  M[i, j] = 0 for j ≤ i, −1e9 for j > i;   out = concat_heads(A v) · Wo
 *
 * models/attention.ts offers only a key padding mask, so this file reuses its pieces (Linear, the
 * grouped per-head product) with a triangular mask. Right padding needs no key mask here: a real
 * query never sees a later (padded) key, and the loss ignores padded queries. As there, the grouped layout
 * is for wasm; other backends use [B, h, T, dh] with transpose-flagged batched products.
 * Packed rows (several independent sequences in one row, seq/packed_rows.ts) pass a bias from
 * `segmentCausalBias`: position i then sees j ≤ i only within its own segment, plus the shared prefix.
 * Shapes: B batch, T sequence, d width, h heads, dh = d / h, G = B·h.
 */
import * as tf from '@tensorflow/tfjs-core';
import { explicitTransposes } from '../backend/fast_matmul_gradient';
import { groupedMatMul, Linear, Module } from '../models';

/** [T, T] additive causal mask: 0 on and below the diagonal, −1e9 above (a new tensor; T² floats). */
function causalBias(T: number): tf.Tensor2D {
  const v = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) v[i * T + j] = -1e9;
  return tf.tensor2d(v, [T, T]);
}

/**
 * How the positions of an image prefix attend to each other inside the LM (text positions always see the
 * whole prefix and their earlier text):
 *   'causal'         each prefix position sees the prefix positions up to itself (LLaVA, Shikra: the
 *                    image tokens are just earlier tokens)
 *   'bidirectional'  each sees the whole prefix (the prefix-LM of PaLI / PaliGemma)
 *   'self'           each sees only itself: the LM transforms every image token on its own and mixes
 *                    nothing between them (the encoder has already mixed them)
 *   'memory'         the LM computes no image positions at all: each layer's text queries attend to keys
 *                    and values of [prefix as it entered the LM; the text] (the layer's LN, then its k / v),
 *                    as an encoder–decoder's cross-attention reads the encoder's output. Per layer the
 *                    queries, the attention rows and the MLP cover T positions instead of P + T.
 */
export type PrefixAttention = 'causal' | 'bidirectional' | 'self' | 'memory';
export const PREFIX_ATTENTION_MODES: readonly PrefixAttention[] = ['causal', 'bidirectional', 'self', 'memory'];

/** Whether prefix position i (< P) may attend to position j under `mode` (never asked under 'memory': no prefix queries). */
function prefixSees(mode: PrefixAttention, i: number, j: number, P: number): boolean {
  if (mode === 'self') return j === i;
  if (mode === 'bidirectional') return j < P;
  return j <= i;
}

/**
 * The additive mask of packed rows, in the layout `forward` adds it in: group ids g [B, T] (−1 = the
 * shared prefix, seen by every later position; equal ids = one segment), and
 *
 *   M[b, i, j] = 0 if j ≤ i and (g[b, j] = −1 or g[b, j] = g[b, i]), else −1e9      (text positions i)
 *
 * prefix positions i (g = −1, first in the row) follow `prefix` (PrefixAttention). Returned as
 * [B, 1, T_q, T_k] (batched layout) or [T_q, B, 1, T_k] (wasm's grouped layout). Built once per
 * forward pass and shared by every layer. Under 'memory' only the text positions query: T_q = T − P
 * (every row's prefix is as long; the rows of the text positions above).
 */
export function segmentCausalBias(groups: Int32Array, B: number, T: number, prefix: PrefixAttention = 'causal'): tf.Tensor4D {
  if (groups.length !== B * T) throw new Error(`segmentCausalBias: groups has ${groups.length} entries, expected B·T = ${B}·${T}.`);
  const grouped = explicitTransposes();
  const P = prefixLength(groups, B, T);
  const first = prefix === 'memory' ? P : 0; // the first querying position
  const Tq = T - first;
  const v = new Float32Array(B * Tq * T);
  for (let b = 0; b < B; b++) {
    for (let i = first; i < T; i++) {
      const gi = groups[b * T + i]!;
      const row = grouped ? ((i - first) * B + b) * T : (b * Tq + i - first) * T;
      for (let j = 0; j < T; j++) {
        const gj = groups[b * T + j]!;
        const sees = i < P ? prefixSees(prefix, i, j, P) : j <= i && (gj === -1 || gj === gi);
        if (!sees) v[row + j] = -1e9;
      }
    }
  }
  return grouped ? tf.tensor4d(v, [Tq, B, 1, T]) : tf.tensor4d(v, [B, 1, Tq, T]);
}

/** The prefix length P of packed group ids (the leading −1s, the same in every row). */
function prefixLength(groups: Int32Array, B: number, T: number): number {
  let P = 0;
  while (P < T && groups[P] === -1) P++;
  for (let b = 1; b < B; b++) {
    let Pb = 0;
    while (Pb < T && groups[b * T + Pb] === -1) Pb++;
    if (Pb !== P) throw new Error(`segmentCausalBias: every row needs the same prefix length; row 0 has ${P}, row ${b} has ${Pb}.`);
  }
  return P;
}

/**
 * The mask of unpacked rows [prefix (P); text] under `prefix` (PrefixAttention): text positions are
 * causal and see the whole prefix. [1, 1, L_q, L] (batched layout) or [L_q, 1, 1, L] (grouped), L = P + T;
 * L_q = L, or T under 'memory' (text queries only).
 */
export function prefixCausalBias(P: number, L: number, prefix: PrefixAttention): tf.Tensor4D {
  const first = prefix === 'memory' ? P : 0;
  const Lq = L - first;
  const v = new Float32Array(Lq * L);
  for (let i = first; i < L; i++) for (let j = 0; j < L; j++) if (!(i < P ? prefixSees(prefix, i, j, P) : j <= i)) v[(i - first) * L + j] = -1e9;
  return explicitTransposes() ? tf.tensor4d(v, [Lq, 1, 1, L]) : tf.tensor4d(v, [1, 1, Lq, L]);
}

/**
 * Which heads' attention probabilities to keep from a forward pass: `count` heads (default 1) from
 * `head` on, each filled in as [B, T_q, T_k] in `attentions`; `attention` is the first (head `head`).
 */
export interface AttentionCapture {
  head: number;
  count?: number;
  attention?: tf.Tensor;
  attentions?: tf.Tensor[];
}

export class CausalSelfAttention extends Module {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly out: Linear;
  readonly headDim: number;

  /**
   * `qkStd`: init std of the query/key weights. GPT-2's 0.02 suits width 768; at width 64 it leaves every
   * score ≈ 0 (uniform attention) and q/k gradients ≈ 0, so attention barely learns to select the
   * image patch a word needs. 1/√width (the default here, Xavier-like) starts with informative scores.
   */
  constructor(readonly width: number, readonly heads: number, seed: number, path: string, qkStd = 1 / Math.sqrt(width)) {
    super();
    if (width % heads !== 0) throw new Error(`CausalSelfAttention: width ${width} is not divisible by heads ${heads}`);
    this.headDim = width / heads;
    this.q = this.child('q', new Linear(width, width, seed, `${path}.q`, qkStd));
    this.k = this.child('k', new Linear(width, width, seed, `${path}.k`, qkStd));
    this.v = this.child('v', new Linear(width, width, seed, `${path}.v`));
    this.out = this.child('out', new Linear(width, width, seed, `${path}.out`));
  }

  /**
   * x [B, T, d] → [B, T, d]; position t attends to positions ≤ t, or as `bias` says (segmentCausalBias,
   * prefixCausalBias). `memory` [B, P, d] (prefix attention 'memory'): keys and values come from
   * [memory; x] (P + T positions), queries from x only, and `bias` ([.., T, P + T]) is required.
   * `capture` (optional): its `head`'s attention probabilities are stored in `capture.attention` as
   * [B, T_q, T_k] (part of the gradient graph: a loss on them trains q and k).
   */
  forward(x: tf.Tensor, bias?: tf.Tensor, capture?: AttentionCapture, memory?: tf.Tensor): tf.Tensor {
    const [B, T, d] = x.shape as [number, number, number];
    if (capture && !(Number.isInteger(capture.head) && capture.head >= 0 && capture.head < this.heads)) {
      throw new Error(`CausalSelfAttention: capture.head must be an integer in [0, ${this.heads}); got ${capture.head}`);
    }
    const count = capture?.count ?? 1;
    if (capture && !(Number.isInteger(count) && count >= 1 && capture.head + count <= this.heads)) {
      throw new Error(`CausalSelfAttention: capture.count must be an integer in [1, ${this.heads - capture.head}] (heads ${capture.head}… of ${this.heads}); got ${count}`);
    }
    if (memory && !(memory.rank === 3 && memory.shape[0] === B && memory.shape[2] === d && bias)) {
      throw new Error(`CausalSelfAttention: memory must be [${B}, P, ${d}] and come with a bias; got [${memory.shape}]${bias ? '' : ' without a bias'}`);
    }
    const kv = memory ? tf.concat([memory, x], 1) : x; // [B, Tk, d]
    const Tk = kv.shape[1]!;
    const keep = (one: (head: number) => tf.Tensor): void => {
      if (!capture) return;
      capture.attentions = Array.from({ length: count }, (_, i) => one(capture.head + i)); // each [B, T_q, T_k]
      capture.attention = capture.attentions[0];
    };
    const h = this.heads;
    const dh = this.headDim;
    const G = B * h;
    const heads = (t: tf.Tensor, n: number) => tf.reshape(t, [B, n, h, dh]); // [B, n, h, dh]
    const q = tf.mul(this.q.forward(x), 1 / Math.sqrt(dh)); // [B, T, d]
    if (!explicitTransposes()) {
      const split = (t: tf.Tensor, n: number) => tf.transpose(heads(t, n), [0, 2, 1, 3]); // [B, h, n, dh]
      const scores = tf.add(tf.matMul(split(q, T), split(this.k.forward(kv), Tk), false, true), bias ?? causalBias(T)); // [B, h, T_q, T_k]
      const probs = tf.softmax(scores, -1); // [B, h, T_q, T_k]
      keep((head) => tf.reshape(tf.slice(probs, [0, head, 0, 0], [B, 1, T, Tk]), [B, T, Tk]));
      const y = tf.matMul(probs, split(this.v.forward(kv), Tk)); // [B, h, T, dh]
      return this.out.forward(tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [B, T, d])); // [B, T, d]
    }
    const qx = tf.reshape(tf.transpose(heads(q, T), [1, 3, 0, 2]), [T, dh, G]) as tf.Tensor3D; // [T, dh, G]
    const kf = tf.reshape(tf.transpose(heads(this.k.forward(kv), Tk), [3, 0, 2, 1]), [dh, G, Tk]) as tf.Tensor3D; // [dh, G, T_k]
    const vf = tf.reshape(tf.transpose(heads(this.v.forward(kv), Tk), [1, 0, 2, 3]), [Tk, G, dh]) as tf.Tensor3D; // [T_k, G, dh]
    const scores = tf.add(tf.reshape(groupedMatMul(qx, kf), [T, B, h, Tk]), bias ?? tf.reshape(causalBias(T), [T, 1, 1, T])); // [T_q, B, h, T_k]
    const attn = tf.softmax(scores, -1); // [T_q, B, h, T_k]
    keep((head) => tf.transpose(tf.reshape(tf.slice(attn, [0, 0, head, 0], [T, B, 1, Tk]), [T, B, Tk]), [1, 0, 2])); // [B, T_q, T_k]
    const ax = tf.transpose(tf.reshape(attn, [T, G, Tk]), [0, 2, 1]) as tf.Tensor3D; // [T_q, T_k, G]
    const y = tf.reshape(groupedMatMul(ax, vf), [T, B, h, dh]); // [T, B, h, dh]
    const merged = tf.reshape(tf.transpose(y, [1, 0, 2, 3]), [B, T, d]); // [B, T, d]
    return this.out.forward(merged); // [B, T, d]
  }
}
