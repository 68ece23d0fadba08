/**
 * The grammar mask of constrained decoding: for each answer kind, which token ids may come next given
 * the answer words emitted so far (null = no constraint). With the mask, every decoded box is valid by
 * construction (after <box> exactly the codec's coordinate tokens — 4 for bins, 2 for grid cells, 4
 * integers for text — with x1 < x2 and y1 < y2, then </box>); names come only from the vocabulary's
 * object names; phrases only from scene words.
 *
 *   box             <box> coords </box> [EOS]
 *   boxesWithNames  ( <box> coords </box> (name | <noise>) )*  [EOS]         at most maxObjects
 *   names           distinct names*  [EOS]
 *   checklist       (name (yes | no))* [EOS]                                 every name, in order
 *   phrase          scene words*  [EOS]                                      at most maxWords
 *
 * Names and phrase words default to the scenes' (SHAPES, sceneWords); dataset records pass their own.
 */
import { SHAPES, sceneWords } from '../data/scene_vocabulary';
import type { WordTokenizer } from '../data/word_tokenizer';
import type { CoordinateCodec } from './coordinate_codec';
import { BOX_CLOSE, BOX_OPEN, CHECKLIST_NO, CHECKLIST_YES, NOISE_CLASS } from './sequence_vocabulary';
import type { AnswerKind } from './task_templates';

export type AnswerGrammar = (answer: readonly string[]) => number[] | null;

export interface GrammarOptions {
  maxObjects: number;
  maxWords: number;
  /** Object names (detection classes); default the scene shapes. */
  names?: readonly string[];
  /** Words a region caption may use; default the scene words. */
  phraseWords?: readonly string[];
}

export function answerGrammar(kind: AnswerKind, codec: CoordinateCodec, tok: WordTokenizer, o: GrammarOptions): AnswerGrammar {
  const id = (w: string): number => tok.idOf(w);
  const EOS = tok.eos;
  const names = (o.names ?? SHAPES).filter((n) => tok.has(n));
  /** Allowed ids inside a box whose coordinate words so far are `coords`. */
  const inBox = (coords: readonly string[]): number[] => {
    const step = codec.allowedNext(coords);
    const out = step.tokens.map(id);
    if (step.canClose) out.push(id(BOX_CLOSE));
    return out;
  };
  switch (kind) {
    case 'box':
      return (a) => {
        if (a.length === 0) return [id(BOX_OPEN)];
        const close = a.indexOf(BOX_CLOSE);
        if (close >= 0) return [EOS];
        return inBox(a.slice(1));
      };
    case 'boxesWithNames':
      return (a) => {
        const open = a.lastIndexOf(BOX_OPEN);
        const close = a.lastIndexOf(BOX_CLOSE);
        if (open > close) return inBox(a.slice(open + 1)); // inside a box
        if (close >= 0 && close === a.length - 1) return [...names.map(id), id(NOISE_CLASS)]; // a class after the box
        const objects = a.filter((w) => w === BOX_CLOSE).length;
        return objects >= o.maxObjects ? [EOS] : [id(BOX_OPEN), EOS];
      };
    case 'names':
      return (a) => (a.length >= names.length ? [EOS] : [...names.filter((n) => !a.includes(n)).map(id), EOS]);
    case 'checklist': {
      const checked = SHAPES.map((n) => id(n)); // the template's list: the scene shapes, in order
      const answers = [id(CHECKLIST_YES), id(CHECKLIST_NO)];
      return (a) => (a.length % 2 === 1 ? answers : a.length / 2 < checked.length ? [checked[a.length / 2]!] : [EOS]);
    }
    case 'phrase': {
      const words = (o.phraseWords ?? sceneWords()).filter((w) => tok.has(w)).map(id);
      return (a) => (a.length >= o.maxWords ? [EOS] : [...words, EOS]);
    }
  }
}
