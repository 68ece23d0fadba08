/**
 * Examples (words) → next-token training arrays. For a sequence s = [BOS] prompt [SEP] target:
 *
 *   inputs  x = s[0 … n−2],  labels y = s[1 … n−1],  weight w_t = weight of y_t if y_t is a target
 *   word, else 0 (the prompt is context, not a prediction)
 *
 * rows right-padded with [PAD] (weight 0) to the longest row: [B, T] int32 ids and labels, [B, T] weights.
 * Text-only rows (stage 0) have no prompt: every word after [BOS] is a target.
 */
import type { WordTokenizer } from '../data/word_tokenizer';
import type { SeqExample } from './task_templates';

export interface TokenRows {
  batch: number;
  length: number;
  ids: Int32Array; // [B, T]
  labels: Int32Array; // [B, T]
  weights: Float32Array; // [B, T]
}

/** Ids of `[BOS] prompt [SEP]` (the decoder's starting context). */
export function promptIds(tok: WordTokenizer, prompt: readonly string[]): number[] {
  return [tok.bos, ...prompt.map((w) => strictId(tok, w)), tok.sep];
}

/** The id of a word; throws (naming it) for a word outside the vocabulary — a template bug, not data. */
export function strictId(tok: WordTokenizer, word: string): number {
  if (!tok.has(word)) throw new Error(`sequence: word '${word}' is not in the vocabulary (${tok.size} words).`);
  return tok.idOf(word);
}

/** One example as ids `[BOS] prompt [SEP] target`, the index of its first target id, and the target weights. */
export interface ExampleSequence {
  ids: number[];
  first: number;
  w: readonly number[];
}

export function exampleSequence(e: SeqExample, tok: WordTokenizer): ExampleSequence {
  const p = promptIds(tok, e.prompt);
  return { ids: [...p, ...e.target.map((w) => strictId(tok, w))], first: p.length, w: e.weights };
}

export function exampleRows(examples: readonly SeqExample[], tok: WordTokenizer): TokenRows {
  return pack(examples.map((e) => exampleSequence(e, tok)));
}

/** Stage-0 rows: `[BOS] words [EOS]`, every word after [BOS] a target with weight 1. */
export function textRows(texts: readonly (readonly string[])[], tok: WordTokenizer): TokenRows {
  return pack(texts.map((words) => ({ ids: [tok.bos, ...words.map((w) => tok.idOf(w)), tok.eos], first: 1, w: [...words.map(() => 1), 1] })));
}

function pack(seqs: ExampleSequence[]): TokenRows {
  const B = seqs.length;
  const T = Math.max(...seqs.map((s) => s.ids.length - 1));
  const ids = new Int32Array(B * T);
  const labels = new Int32Array(B * T);
  const weights = new Float32Array(B * T);
  seqs.forEach((s, b) => {
    for (let t = 0; t < s.ids.length - 1; t++) {
      ids[b * T + t] = s.ids[t]!;
      labels[b * T + t] = s.ids[t + 1]!;
      const k = t + 1 - s.first; // index into the target
      weights[b * T + t] = k >= 0 ? s.w[k]! : 0;
    }
  });
  return { batch: B, length: T, ids, labels, weights };
}
