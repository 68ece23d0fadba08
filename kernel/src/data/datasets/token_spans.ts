/**
 * The tokens of a text exactly as `WordTokenizer.tokenize` splits it (lower-cased words, punctuation
 * on its own), each with its character span [start, end) in the original text — so that character-span
 * annotations (Flickr30k entity phrases, scene caption phrases) carry over to tokens.
 *
 *   tokenSpans("A man, smiling.", tok) → [{ word: 'a', span: [0, 1] }, { word: 'man', span: [2, 5] },
 *                                         { word: ',', span: [5, 6] }, { word: 'smiling', span: [7, 14] }, ...]
 */
import type { WordTokenizer } from '../word_tokenizer';

export interface TokenSpan {
  word: string;
  span: [number, number];
}

export function tokenSpans(text: string, tokenizer: Pick<WordTokenizer, 'tokenize'>): TokenSpan[] {
  const out: TokenSpan[] = [];
  // the tokenizer never joins across whitespace, so each whitespace-free chunk tokenizes on its own
  for (const m of text.matchAll(/\S+/g)) {
    const chunk = m[0];
    const lower = chunk.toLowerCase();
    let at = 0;
    for (const word of tokenizer.tokenize(chunk)) {
      const k = lower.indexOf(word.toLowerCase(), at);
      if (k < 0 || lower.length !== chunk.length) {
        throw new Error(`tokenSpans: cannot place token '${word}' in "${text.slice(0, 80)}" (chunk '${chunk}'); lower-casing changed the text's length or the tokenizer rewrote it.`);
      }
      out.push({ word, span: [m.index! + k, m.index! + k + word.length] });
      at = k + word.length;
    }
  }
  return out;
}
