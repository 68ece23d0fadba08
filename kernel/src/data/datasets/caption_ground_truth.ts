/**
 * Per-token ground truth of one caption of a record, from its caption phrases with boxes (Flickr30k
 * Entities, scene captions): the tokens as the word tokenizer splits the caption, and for each token the
 * box of the phrase whose character span contains it — what the pointing game scores.
 *
 *   token box   the phrase's box; a phrase with several boxes ("two men") gets their union, the merged
 *               box of the Flickr30k Entities phrase-localisation protocol (Plummer et al., IJCV 2017)
 *   grounded    a token inside a boxed phrase, except the articles a / an / the (they name nothing)
 *   role        the scene-word role (size / colour / shape) when the token is a scene word, else the
 *               phrase's Flickr30k type (its first part: 'clothing/other' → 'clothing'), else 'phrase'
 *
 * Tokens outside every boxed phrase (verbs, relations, phrases without a box) get box −1 and role ''.
 */
import { roleOfWord } from '../scene_vocabulary';
import type { WordTokenizer } from '../word_tokenizer';
import type { BoxXYXY, DatasetRecord } from './dataset_record';
import { tokenSpans } from './token_spans';

export const UNGROUNDED_WORDS: readonly string[] = ['a', 'an', 'the'];

export interface CaptionGroundTruth {
  words: string[];
  /** Per token: index into `boxes`, or −1. */
  tokenBox: number[];
  /** Per token: the grounding category ('' for ungrounded tokens). */
  roles: string[];
  /** Distinct token boxes of this caption, in order of first use. */
  boxes: BoxXYXY[];
}

const union = (bs: readonly BoxXYXY[]): BoxXYXY => [
  Math.min(...bs.map((b) => b[0])),
  Math.min(...bs.map((b) => b[1])),
  Math.max(...bs.map((b) => b[2])),
  Math.max(...bs.map((b) => b[3])),
];

export function captionGroundTruth(record: DatasetRecord, caption: number, tokenizer: Pick<WordTokenizer, 'tokenize'>): CaptionGroundTruth {
  const text = record.captions[caption];
  if (text === undefined) throw new Error(`captionGroundTruth: record ${record.id} has no caption ${caption} (it has ${record.captions.length}).`);
  const phrases = record.phrases.filter((p) => p.caption === caption && p.span && p.boxes.length > 0);
  const tokens = tokenSpans(text, tokenizer);
  const boxes: BoxXYXY[] = [];
  const keys = new Map<string, number>();
  const tokenBox: number[] = [];
  const roles: string[] = [];
  for (const t of tokens) {
    const p = UNGROUNDED_WORDS.includes(t.word) ? undefined : phrases.find((q) => q.span![0] <= t.span[0] && t.span[1] <= q.span![1]);
    if (!p) {
      tokenBox.push(-1);
      roles.push('');
      continue;
    }
    const box = p.boxes.length === 1 ? p.boxes[0]! : union(p.boxes);
    const key = box.join(',');
    if (!keys.has(key)) {
      keys.set(key, boxes.length);
      boxes.push([...box]);
    }
    tokenBox.push(keys.get(key)!);
    roles.push(roleOfWord(t.word) ?? (p.type ? p.type.split('/')[0]! : 'phrase'));
  }
  return { words: tokens.map((t) => t.word), tokenBox, roles, boxes };
}
