/**
 * The two vocabularies of the grounded LM:
 *
 *   text vocabulary (stage 0)   [PAD] [BOS] [EOS] [UNK] [SEP] [MASK] · scene words · task words
 *                               (detect, describe, locate, list) · digits 0–9 and "," · the
 *                               checklist's words (check, yes, no; appended last so no id moved)
 *   stage-1 vocabulary          the text vocabulary + <box> </box> <noise> + the codec's tokens that
 *                               are not text already (bins/cells; the text codec adds nothing more)
 *
 * Digits are text: a text-only LM knows them, which is the point of the plain-text codec (Qwen-VL).
 * The extension appends (WordTokenizer.extend): every text id is unchanged.
 *
 * On dataset records (`--data`) the scene words give way to the data's: `dataTextTokenizer` keeps the
 * specials, task words, digits, "," and every object name, then the most frequent words of the
 * training texts up to a cap ([UNK] for the rest); `groundedTokenizer` extends it the same way.
 */
import { buildWordVocabulary, type WordVocabularyStats } from '../data/word_vocabulary';
import { WordTokenizer } from '../data/word_tokenizer';
import { COORD_SEPARATOR, DIGIT_TOKENS } from './codec_text';
import type { CoordinateCodec } from './coordinate_codec';

export const TASK_WORDS = ['detect', 'describe', 'locate', 'list'] as const;
export const BOX_OPEN = '<box>';
export const BOX_CLOSE = '</box>';
/** Pix2Seq's fake class of noise boxes. */
export const NOISE_CLASS = '<noise>';

/** The checklist task's prompt word and its two answers (task_templates.ts; the grounded scenes only). */
export const CHECKLIST_YES = 'yes';
export const CHECKLIST_NO = 'no';
export const CHECKLIST_WORDS = ['check', CHECKLIST_YES, CHECKLIST_NO] as const;

/** The stage-0 (text) tokenizer. */
export function textTokenizer(): WordTokenizer {
  return WordTokenizer.forScenes([...TASK_WORDS, ...DIGIT_TOKENS, COORD_SEPARATOR, ...CHECKLIST_WORDS]);
}

/** The stage-0 tokenizer of dataset records: reserved words (task words, digits, ",", `names`), then the texts' words by frequency. */
export function dataTextTokenizer(texts: Iterable<readonly string[]>, names: readonly string[], maxSize: number): { tokenizer: WordTokenizer; stats: WordVocabularyStats } {
  return buildWordVocabulary(texts, { maxSize, reserved: [...TASK_WORDS, ...DIGIT_TOKENS, COORD_SEPARATOR, ...names] });
}

/** The stage-1 tokenizer for `codec`: the text tokenizer with the box, noise and codec tokens appended. */
export function groundedTokenizer(codec: CoordinateCodec, base: WordTokenizer = textTokenizer()): WordTokenizer {
  return base.extend([BOX_OPEN, BOX_CLOSE, NOISE_CLASS, ...codec.tokens]);
}
