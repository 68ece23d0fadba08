/**
 * Ordered initial embeddings for the coordinate tokens of the bins codec (`stage1.coordinateInit: 'sincos'`;
 * default 'random'). The embedding table is tied to the output layer, so with random rows the logits of
 * neighbouring bins start unrelated and every bin is learnt on its own. Sin-cos rows make nearby bins
 * similar from the first step (the transformer's positional code, applied to the bin index):
 *
 *   E[<bin_k>] = mean(E_text) + s · [sin(k·ω_0), cos(k·ω_0), sin(k·ω_1), cos(k·ω_1), …],  ω_i = π · 2^(i·8/d) / N  (from half a period over the N bins to ~16 periods)
 *
 * with s = gain · 0.02·√2 (gain 1: the spread of the random rows; `stage1.coordinateInitGain`). Adam moves
 * each entry by up to the learning rate per step, so at gain 1 (entries ≈ 0.03, lr 1e-3) the order is a few
 * tens of steps of noise deep; a larger gain keeps it longer. Only `<bin_k>` rows change; every other row is
 * untouched.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WordTokenizer } from '../data/word_tokenizer';
import type { CausalLM } from './causal_lm';

export function orderedCoordinateInit(lm: CausalLM, tok: WordTokenizer, textVocabulary: number, gain = 1): number {
  if (!(gain > 0 && Number.isFinite(gain))) throw new Error(`orderedCoordinateInit: gain must be a positive number, got ${gain}`);
  if (!lm.extraEmbedding) return 0;
  const d = lm.config.width;
  const bins = tok.vocabulary.map((w, id) => ({ id, m: /^<bin_(\d+)>$/.exec(w) })).filter((x) => x.m && x.id >= textVocabulary);
  if (bins.length === 0) return 0;
  const N = bins.length;
  const rows = lm.extraEmbedding.shape[0]!;
  const table = lm.extraEmbedding.arraySync() as number[][];
  const mean = tf.tidy(() => tf.mean(lm.textEmbedding, 0).arraySync() as number[]);
  const s = gain * 0.02 * Math.SQRT2;
  for (const { id, m } of bins) {
    const k = Number(m![1]);
    const row = id - textVocabulary;
    if (row < 0 || row >= rows) continue;
    table[row] = Array.from({ length: d }, (_, j) => {
      const w = (Math.PI * 2 ** ((Math.floor(j / 2) * 8) / d)) / N;
      return mean[j]! + s * (j % 2 === 0 ? Math.sin(k * w) : Math.cos(k * w));
    });
  }
  lm.extraEmbedding.assign(tf.tensor2d(table));
  return N;
}
