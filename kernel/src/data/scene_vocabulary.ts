/**
 * The closed world of the grounded scenes: object attributes (shape × colour × size), spatial
 * relations, the function words of the grammars, and the special tokens of the tokenizer.
 *
 * Every word here is one token of `WordTokenizer` (word level), so a word of a caption maps to
 * exactly one token and therefore to exactly one object (or to none, for function words).
 * The default vocabulary has 36 entries, well inside the benchmark text encoder's 64.
 */

export const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'star', 'cross', 'ring', 'hexagon'] as const;
export type ShapeName = (typeof SHAPES)[number];

export const COLOURS = ['red', 'green', 'blue', 'yellow', 'purple', 'orange', 'cyan', 'white'] as const;
export type ColourName = (typeof COLOURS)[number];

export const SIZES = ['small', 'large'] as const;
export type SizeName = (typeof SIZES)[number];

/** Linear RGB in [0, 1] of each colour name (chosen to stay distinct from each other and the dark background). */
export const COLOUR_RGB: Readonly<Record<ColourName, readonly [number, number, number]>> = Object.freeze({
  red: [0.9, 0.12, 0.1],
  green: [0.15, 0.78, 0.2],
  blue: [0.2, 0.35, 1.0],
  yellow: [0.97, 0.9, 0.12],
  purple: [0.62, 0.22, 0.85],
  orange: [1.0, 0.56, 0.05],
  cyan: [0.1, 0.86, 0.92],
  white: [0.96, 0.96, 0.96],
});

/** A spatial relation between two objects, as written in text ("left of", "above"...). */
export const RELATIONS = ['left of', 'right of', 'above', 'below'] as const;
export type RelationName = (typeof RELATIONS)[number];

/** Superlatives that pick one object along an axis ("the leftmost circle"). */
export const EXTREMALS = ['leftmost', 'rightmost', 'topmost', 'bottommost'] as const;
export type ExtremalName = (typeof EXTREMALS)[number];

/** Grammar words that refer to no object. */
export const FUNCTION_WORDS = ['a', 'the', 'and'] as const;

/** Special tokens, in id order: [PAD] is 0 so that zero-initialised id arrays are padding. */
export const SPECIAL_TOKENS = ['[PAD]', '[BOS]', '[EOS]', '[UNK]', '[SEP]', '[MASK]'] as const;
export type SpecialToken = (typeof SPECIAL_TOKENS)[number];

/** What a word is to the ground truth: an attribute of an object, or a word that refers to none. */
export type WordRole = 'size' | 'colour' | 'shape' | 'relation' | 'extremal' | 'function';

/** True for the roles whose words name an attribute of one object (the words grounding metrics score). */
export function isContentRole(role: WordRole): boolean {
  return role === 'size' || role === 'colour' || role === 'shape';
}

const ROLE_OF = new Map<string, WordRole>();
for (const w of SIZES) ROLE_OF.set(w, 'size');
for (const w of COLOURS) ROLE_OF.set(w, 'colour');
for (const w of SHAPES) ROLE_OF.set(w, 'shape');
for (const r of RELATIONS) for (const w of r.split(' ')) ROLE_OF.set(w, 'relation');
for (const w of EXTREMALS) ROLE_OF.set(w, 'extremal');
for (const w of FUNCTION_WORDS) ROLE_OF.set(w, 'function');

/** The role of a scene word, or undefined for a word outside the scene language. */
export function roleOfWord(word: string): WordRole | undefined {
  return ROLE_OF.get(word);
}

/**
 * Every word of the scene language (no special tokens), in a fixed order: sizes, colours, shapes,
 * relation words, extremals, function words. The tokenizer's ids follow this order after the specials.
 */
export function sceneWords(): string[] {
  const words: string[] = [...SIZES, ...COLOURS, ...SHAPES];
  for (const r of RELATIONS) for (const w of r.split(' ')) if (!words.includes(w)) words.push(w);
  words.push(...EXTREMALS, ...FUNCTION_WORDS.filter((w) => !words.includes(w)));
  return words;
}

/** The attributes that identify an object to language. */
export interface ObjectAttributes {
  shape: ShapeName;
  colour: ColourName;
  size: SizeName;
}

/** "the large blue square" — the region phrase of an object, as words. */
export function regionPhraseWords(o: ObjectAttributes, article: 'the' | 'a' = 'the'): string[] {
  return [article, o.size, o.colour, o.shape];
}
