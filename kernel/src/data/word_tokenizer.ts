/**
 * A word-level tokenizer with special tokens: one word ↔ one id, so per-word ground truth carries over
 * to tokens unchanged.
 *
 *   ids: [PAD]=0, [BOS]=1, [EOS]=2, [UNK]=3, [SEP]=4, [MASK]=5, then the words in vocabulary order.
 *   encode("a red circle", { length: 8 }) → [1, a, red, circle, 2, 0, 0, 0]   mask [1,1,1,1,1,0,0,0]
 *
 * Words are split on whitespace; , . ; : ! ? are words of their own; text is lower-cased except
 * bracketed special tokens ("[SEP]"). `extend` appends words (new ids after the old ones; existing
 * ids unchanged), e.g. coordinate tokens for a grounded language model.
 */
import { SPECIAL_TOKENS, sceneWords } from './scene_vocabulary';

export interface EncodeOptions {
  /** Pad (with [PAD]) or check to exactly this many ids. Default: no padding. */
  length?: number;
  /** Wrap in [BOS] … [EOS]. Default true. */
  addSpecialTokens?: boolean;
  /** When the ids exceed `length`: cut them (keeping [EOS] last) instead of throwing. Default false. */
  truncate?: boolean;
}

/** A batch of encoded texts, row-major [B, L]. */
export interface EncodedBatch {
  batch: number;
  length: number;
  /** [B, L] token ids. */
  ids: Int32Array;
  /** [B, L] 1 for real tokens (specials included), 0 for padding. */
  mask: Float32Array;
  /** [B] number of real tokens per row. */
  lengths: Int32Array;
}

export interface WordTokenizerJSON {
  kind: 'word';
  vocabulary: string[];
}

const SPLIT = /\[[A-Za-z_]+\]|[,.;:!?]|[^\s,.;:!?]+/g;

export class WordTokenizer {
  readonly vocabulary: readonly string[];
  readonly pad = 0;
  readonly bos: number;
  readonly eos: number;
  readonly unk: number;
  readonly sep: number;
  readonly maskToken: number;
  private readonly ids: Map<string, number>;

  /** A tokenizer over `vocabulary`, which must list [PAD] first and contain every special token once. */
  constructor(vocabulary: readonly string[]) {
    const ids = new Map<string, number>();
    vocabulary.forEach((w, i) => {
      if (ids.has(w)) throw new Error(`WordTokenizer: vocabulary lists '${w}' twice (ids ${ids.get(w)} and ${i}).`);
      if (w.length === 0 || /\s/.test(w)) throw new Error(`WordTokenizer: vocabulary entry ${i} ('${w}') is empty or has whitespace.`);
      ids.set(w, i);
    });
    if (vocabulary[0] !== '[PAD]') throw new Error(`WordTokenizer: vocabulary[0] must be '[PAD]'; got '${vocabulary[0]}'.`);
    for (const s of SPECIAL_TOKENS) if (!ids.has(s)) throw new Error(`WordTokenizer: vocabulary lacks the special token '${s}'.`);
    this.vocabulary = Object.freeze([...vocabulary]);
    this.ids = ids;
    this.bos = ids.get('[BOS]')!;
    this.eos = ids.get('[EOS]')!;
    this.unk = ids.get('[UNK]')!;
    this.sep = ids.get('[SEP]')!;
    this.maskToken = ids.get('[MASK]')!;
  }

  /** The tokenizer of the grounded-scenes language: specials then `sceneWords()`, plus `extraWords`. */
  static forScenes(extraWords: readonly string[] = []): WordTokenizer {
    return new WordTokenizer([...SPECIAL_TOKENS, ...sceneWords(), ...extraWords]);
  }

  static fromJSON(json: WordTokenizerJSON): WordTokenizer {
    if (json?.kind !== 'word' || !Array.isArray(json.vocabulary)) {
      throw new Error(`WordTokenizer.fromJSON: expected { kind: 'word', vocabulary: string[] }; got ${JSON.stringify(json)?.slice(0, 80)}.`);
    }
    return new WordTokenizer(json.vocabulary);
  }

  toJSON(): WordTokenizerJSON {
    return { kind: 'word', vocabulary: [...this.vocabulary] };
  }

  get size(): number {
    return this.vocabulary.length;
  }

  /** A tokenizer with `words` appended (ids of existing words unchanged; words already present are skipped). */
  extend(words: readonly string[]): WordTokenizer {
    return new WordTokenizer([...this.vocabulary, ...words.filter((w, i) => !this.ids.has(w) && words.indexOf(w) === i)]);
  }

  /** The words of a text (lower-cased, punctuation split off). */
  tokenize(text: string): string[] {
    return (text.match(SPLIT) ?? []).map((w) => (w.startsWith('[') && w.endsWith(']') ? w : w.toLowerCase()));
  }

  has(word: string): boolean {
    return this.ids.has(word);
  }

  /** The id of a word, [UNK] if it is not in the vocabulary. */
  idOf(word: string): number {
    return this.ids.get(word) ?? this.unk;
  }

  wordOf(id: number): string {
    const w = this.vocabulary[id];
    if (w === undefined) throw new Error(`WordTokenizer.wordOf: id ${id} is outside [0, ${this.size}).`);
    return w;
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.encodeWords(this.tokenize(text), options);
  }

  /** Encodes already split words (one id per word). */
  encodeWords(words: readonly string[], options: EncodeOptions = {}): number[] {
    const special = options.addSpecialTokens ?? true;
    let ids = words.map((w) => this.idOf(w));
    if (special) ids = [this.bos, ...ids, this.eos];
    const length = options.length;
    if (length === undefined) return ids;
    if (!Number.isInteger(length) || length < (special ? 2 : 1)) {
      throw new Error(`WordTokenizer.encode: length must be an integer ≥ ${special ? 2 : 1}; got ${length}.`);
    }
    if (ids.length > length) {
      if (!options.truncate) {
        throw new Error(`WordTokenizer.encode: ${ids.length} tokens do not fit length ${length} ("${words.join(' ').slice(0, 60)}"); pass truncate: true to cut.`);
      }
      ids = special ? [...ids.slice(0, length - 1), this.eos] : ids.slice(0, length);
    }
    while (ids.length < length) ids.push(this.pad);
    return ids;
  }

  /** The text of ids; special tokens are dropped unless `skipSpecialTokens` is false. */
  decode(ids: ArrayLike<number>, options: { skipSpecialTokens?: boolean } = {}): string {
    const skip = options.skipSpecialTokens ?? true;
    const words: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const w = this.wordOf(ids[i]!);
      if (skip && (SPECIAL_TOKENS as readonly string[]).includes(w) && w !== '[UNK]') continue;
      words.push(w);
    }
    return words.join(' ');
  }

  /** Encodes texts (strings or word lists) into padded [B, L] ids and mask. */
  encodeBatch(texts: readonly (string | readonly string[])[], length: number, options: Omit<EncodeOptions, 'length'> = {}): EncodedBatch {
    const batch = texts.length;
    const ids = new Int32Array(batch * length);
    const mask = new Float32Array(batch * length);
    const lengths = new Int32Array(batch);
    texts.forEach((t, b) => {
      const row = typeof t === 'string' ? this.encode(t, { ...options, length }) : this.encodeWords(t, { ...options, length });
      let n = 0;
      row.forEach((id, i) => {
        ids[b * length + i] = id;
        if (id !== this.pad) {
          mask[b * length + i] = 1;
          n = i + 1;
        }
      });
      lengths[b] = n;
    });
    return { batch, length, ids, mask, lengths };
  }
}
