/**
 * Builds texts with word-level ground truth from parts: each word carries the object it refers to
 * (or −1) and its role. Shared by the caption grammar, region phrases and referring expressions.
 */
import type { GroundedText } from './scene_types';
import type { ObjectAttributes, WordRole } from './scene_vocabulary';

export interface WordPart {
  word: string;
  object: number;
  role: WordRole;
}

/** Which attributes a noun phrase spells out (the shape noun is always there). */
export interface PhraseAttributes {
  size: boolean;
  colour: boolean;
}

export const ALL_ATTRIBUTES: Readonly<PhraseAttributes> = Object.freeze({ size: true, colour: true });

/** "[article] [size] [colour] shape" as parts; attribute words point at `index`, the article at −1. */
export function nounPhrase(
  o: ObjectAttributes,
  index: number,
  article: 'a' | 'the' | null,
  attrs: PhraseAttributes = ALL_ATTRIBUTES,
): WordPart[] {
  const parts: WordPart[] = [];
  if (article) parts.push({ word: article, object: -1, role: 'function' });
  if (attrs.size) parts.push({ word: o.size, object: index, role: 'size' });
  if (attrs.colour) parts.push({ word: o.colour, object: index, role: 'colour' });
  parts.push({ word: o.shape, object: index, role: 'shape' });
  return parts;
}

/** Function-word parts (object −1) for each word of `phrase` ("left of" → two parts). */
export function functionParts(phrase: string, role: WordRole = 'function'): WordPart[] {
  return phrase.split(' ').map((word) => ({ word, object: -1, role }));
}

export function buildGroundedText(parts: readonly WordPart[]): GroundedText {
  const words = parts.map((p) => p.word);
  return {
    text: words.join(' '),
    words,
    wordObject: parts.map((p) => p.object),
    wordRole: parts.map((p) => p.role),
  };
}
