/**
 * Extends a pretrained LM's vocabulary by appending embedding rows (Shikra/Kosmos-2/OFA style: the
 * coordinate and box tokens become new rows; every pretrained weight, text embeddings included, is
 * copied bit for bit). The new rows start as N(mean of the pretrained rows, 0.02²): near the text
 * distribution, so the first logits of a new token are neither huge nor negligible.
 *
 *   E' = [ E_text (V₀×d, copied) ; E_extra_old (copied) ; E_new (k×d) ]     ids of existing tokens unchanged
 *
 * The tokenizer side is `WordTokenizer.extend(words)`, which keeps existing ids too.
 *
 * @example
 *   const lm1 = extendVocabulary(lm0, codec.tokens.length + 2, 1);   // lm0 is left intact
 */
import * as tf from '@tensorflow/tfjs-core';
import { CausalLM } from './causal_lm';

export function extendVocabulary(lm: CausalLM, newRows: number, seed: number): CausalLM {
  if (!Number.isInteger(newRows) || newRows < 0) throw new Error(`extendVocabulary: newRows must be a non-negative integer; got ${newRows}.`);
  const c = lm.config;
  const out = new CausalLM({ ...c, extraVocabSize: c.extraVocabSize + newRows }, seed);
  const src = lm.namedVariables();
  for (const [name, v] of out.namedVariables()) {
    const s = src.get(name);
    if (name === 'extraEmbedding') {
      tf.tidy(() => {
        const d = c.width;
        const mean = tf.mean(lm.textEmbedding, 0, true); // [1, d]
        const fresh = tf.add(tf.randomNormal([newRows, d], 0, 0.02, 'float32', seed), mean); // [k, d]
        v.assign(lm.extraEmbedding ? tf.concat([lm.extraEmbedding, fresh], 0) : fresh); // [V₁', d]
      });
    } else {
      if (!s) throw new Error(`extendVocabulary: variable '${name}' has no counterpart in the source model.`);
      v.assign(s); // same shape: an exact copy
    }
  }
  return out;
}
