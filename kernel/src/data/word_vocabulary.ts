/**
 * A word vocabulary built from data (real captions, phrases, expressions), for the same word-level
 * `WordTokenizer` the grounded scenes use: the special tokens, then `reserved` words (always kept: task
 * words, digits, object names), then the most frequent words of the texts until `maxSize` entries.
 * Every other word encodes to [UNK]; how many word occurrences that is (the UNK rate on the texts the
 * vocabulary was built from) is part of the returned stats, which runs store beside their metrics.
 *
 *   order: [PAD] [BOS] [EOS] [UNK] [SEP] [MASK] · reserved (given order) · words by count desc, ties a→z
 *
 * @example
 *   const { tokenizer, stats } = buildWordVocabulary(captions.map((c) => tok.tokenize(c)), { maxSize: 4000 });
 *   stats.unknownRate;   // 0.012: 1.2% of the training words are [UNK]
 */
import { SPECIAL_TOKENS } from './scene_vocabulary';
import { WordTokenizer } from './word_tokenizer';

export interface WordVocabularyOptions {
  /** Entries at most, specials and reserved words included. */
  maxSize: number;
  /** Words kept whatever their count (after the specials, in this order). */
  reserved?: readonly string[];
}

export interface WordVocabularyStats {
  /** Entries of the vocabulary (specials included). */
  size: number;
  maxSize: number;
  /** Distinct words in the texts. */
  distinctWords: number;
  /** Distinct words of the texts left out by the cap (they encode to [UNK]). */
  droppedWords: number;
  /** Word occurrences in the texts, and how many of them are [UNK] under this vocabulary. */
  tokens: number;
  unknownTokens: number;
  unknownRate: number;
}

export function buildWordVocabulary(texts: Iterable<readonly string[]>, options: WordVocabularyOptions): { tokenizer: WordTokenizer; stats: WordVocabularyStats } {
  const reserved = [...new Set(options.reserved ?? [])].filter((w) => !(SPECIAL_TOKENS as readonly string[]).includes(w));
  const fixed = SPECIAL_TOKENS.length + reserved.length;
  if (!Number.isInteger(options.maxSize) || options.maxSize < fixed) {
    throw new Error(`buildWordVocabulary: maxSize must be an integer ≥ ${fixed} (the ${SPECIAL_TOKENS.length} special tokens + ${reserved.length} reserved words); got ${options.maxSize}.`);
  }
  const counts = new Map<string, number>();
  let tokens = 0;
  for (const words of texts) {
    for (const w of words) {
      counts.set(w, (counts.get(w) ?? 0) + 1);
      tokens++;
    }
  }
  const taken = new Set<string>([...SPECIAL_TOKENS, ...reserved]);
  const ranked = [...counts].filter(([w]) => !taken.has(w)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const kept = ranked.slice(0, options.maxSize - fixed).map(([w]) => w);
  const tokenizer = new WordTokenizer([...SPECIAL_TOKENS, ...reserved, ...kept]);
  let unknownTokens = 0;
  for (const [w, n] of counts) if (!tokenizer.has(w)) unknownTokens += n;
  return {
    tokenizer,
    stats: {
      size: tokenizer.size,
      maxSize: options.maxSize,
      distinctWords: counts.size,
      droppedWords: ranked.length - kept.length,
      tokens,
      unknownTokens,
      unknownRate: tokens ? unknownTokens / tokens : 0,
    },
  };
}
