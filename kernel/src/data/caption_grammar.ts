/**
 * The caption grammar of the grounded scenes:
 *
 *   caption  := np [(REL | "and") np ("and" np)*]          with np := "a" size colour shape
 *   REL      := "left of" | "right of" | "above" | "below"  (true of the two centres, see spatial_relation)
 *
 *   "a small red circle left of a large blue square and a small green star"   (14 words)
 *
 * Objects are mentioned in a random order; at most `maxObjects` of them, and fewer if the words would
 * not fit `maxWords` (text length minus [BOS]/[EOS]); a relation that would push an object out is
 * replaced by "and" (3 objects with "left of" take 15 words, with "and" 14). Every attribute word points at its object;
 * articles, "and" and relation words point at none (−1).
 */
import type { SeededRandom } from '../util/seeded_random';
import { buildGroundedText, functionParts, nounPhrase, type WordPart } from './grounded_text';
import type { GroundedText } from './scene_types';
import type { ObjectAttributes } from './scene_vocabulary';
import { spatialRelation, type Located } from './spatial_relation';

export interface CaptionOptions {
  /** Most objects mentioned. */
  maxObjects: number;
  /** Most words (the tokenizer adds [BOS] and [EOS] around them). */
  maxWords: number;
  /** Probability of relating the first two objects (when their relation is defined) instead of "and". */
  relationProbability: number;
  /** Centres closer than this (pixels) have no relation. */
  relationMargin: number;
}

export type CaptionObject = ObjectAttributes & Located;

/** A caption of the scene's objects, with per-word ground truth. */
export function generateCaption(objects: readonly CaptionObject[], options: CaptionOptions, rng: SeededRandom): GroundedText {
  if (objects.length === 0) throw new Error('generateCaption: objects is empty.');
  const order = Array.from(rng.permutation(objects.length));
  const useRelation = rng.bool(options.relationProbability);
  let count = Math.min(order.length, options.maxObjects);
  // Mention as many objects as fit; to fit one more, "and" (1 word) replaces a 2-word relation.
  for (; count >= 1; count--) {
    for (const relate of useRelation ? [true, false] : [false]) {
      const parts = captionParts(objects, order.slice(0, count), relate, options.relationMargin);
      if (parts.length <= options.maxWords) return buildGroundedText(parts);
    }
  }
  throw new Error(`generateCaption: maxWords=${options.maxWords} is too short for even one object (4 words).`);
}

function captionParts(objects: readonly CaptionObject[], mentioned: readonly number[], useRelation: boolean, margin: number): WordPart[] {
  const first = mentioned[0]!;
  const parts = nounPhrase(objects[first]!, first, 'a');
  mentioned.slice(1).forEach((index, k) => {
    const relation = k === 0 && useRelation ? spatialRelation(objects[first]!, objects[index]!, margin) : null;
    parts.push(...(relation ? functionParts(relation, 'relation') : functionParts('and')));
    parts.push(...nounPhrase(objects[index]!, index, 'a'));
  });
  return parts;
}

/** "the large blue square" for each object, with ground truth. */
export function regionPhrases(objects: readonly ObjectAttributes[]): GroundedText[] {
  return objects.map((o, i) => buildGroundedText(nounPhrase(o, i, 'the')));
}
