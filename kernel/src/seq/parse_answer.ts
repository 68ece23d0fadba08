/**
 * Parses decoded answers back into boxes / names / phrases. Never throws: a malformed part is a parse
 * failure, counted, and (for evaluation) a miss.
 *
 *   box             one valid box between <box> … </box>, else null (+1 failure)
 *   boxesWithNames  every well-formed "<box> coords </box> name" group; each malformed group, and a
 *                   missing [EOS] (truncated output), is +1 failure; <noise> objects are dropped
 *   names           the distinct object names; unknown words are +1 failure each
 *   checklist       the names answered "yes"; a pair out of place (not the next name of the list, or
 *                   no yes / no after it), and a missing [EOS], are +1 failure each
 *   phrase          the words up to [EOS]
 *
 * Known names default to the scene shapes; dataset records pass their object names.
 */
import type { BoxXYXY } from '../data/scene_types';
import { SHAPES } from '../data/scene_vocabulary';
import type { CoordinateCodec } from './coordinate_codec';
import { BOX_CLOSE, BOX_OPEN, CHECKLIST_NO, CHECKLIST_YES, NOISE_CLASS } from './sequence_vocabulary';

export interface ParsedObject {
  box: BoxXYXY;
  name: string;
  /** Indices in the answer of the group's first word and of its class word (for confidences). */
  start: number;
  classIndex: number;
}

const EOS = '[EOS]';
const NAMES = new Set<string>(SHAPES);

/** Words before the first [EOS] and whether [EOS] was there. */
function body(words: readonly string[]): { w: string[]; ended: boolean } {
  const k = words.indexOf(EOS);
  return k >= 0 ? { w: words.slice(0, k), ended: true } : { w: [...words], ended: false };
}

export function parseBox(words: readonly string[], codec: CoordinateCodec, W: number, H: number): { box: BoxXYXY | null; failures: number } {
  const { w } = body(words);
  const open = w.indexOf(BOX_OPEN);
  const close = w.indexOf(BOX_CLOSE);
  if (open < 0 || close <= open) return { box: null, failures: 1 };
  const box = codec.decode(w.slice(open + 1, close), W, H);
  return { box, failures: box ? 0 : 1 };
}

export function parseObjects(
  words: readonly string[],
  codec: CoordinateCodec,
  W: number,
  H: number,
  names: ReadonlySet<string> = NAMES,
): { objects: ParsedObject[]; failures: number; noise: number } {
  const { w, ended } = body(words);
  const objects: ParsedObject[] = [];
  let failures = ended ? 0 : 1;
  let noise = 0;
  let i = 0;
  while (i < w.length) {
    if (w[i] !== BOX_OPEN) {
      failures += 1;
      const next = w.indexOf(BOX_OPEN, i + 1); // resynchronise at the next box
      if (next < 0) break;
      i = next;
      continue;
    }
    const close = w.indexOf(BOX_CLOSE, i + 1);
    const nextOpen = w.indexOf(BOX_OPEN, i + 1);
    if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
      failures += 1;
      if (nextOpen < 0) break;
      i = nextOpen;
      continue;
    }
    const box = codec.decode(w.slice(i + 1, close), W, H);
    const name = w[close + 1];
    if (name === NOISE_CLASS) noise += 1;
    else if (box && name !== undefined && names.has(name)) objects.push({ box, name, start: i, classIndex: close + 1 });
    else failures += 1;
    i = close + 2;
  }
  return { objects, failures, noise };
}

export function parseNames(words: readonly string[], known: ReadonlySet<string> = NAMES): { names: string[]; failures: number } {
  const { w, ended } = body(words);
  const names = [...new Set(w.filter((x) => known.has(x)))];
  return { names, failures: w.filter((x) => !known.has(x)).length + (ended ? 0 : 1) };
}

/** The names a checklist answer says "yes" to; `order` is the list the template writes (the scene shapes). */
export function parseChecklist(words: readonly string[], order: readonly string[] = SHAPES): { names: string[]; failures: number } {
  const { w, ended } = body(words);
  const names: string[] = [];
  let failures = ended ? 0 : 1;
  let next = 0; // index in `order` of the name the list expects
  for (let i = 0; i < w.length; i += 2) {
    const [name, answer] = [w[i]!, w[i + 1]];
    const at = order.indexOf(name, next);
    if (at < 0 || (answer !== CHECKLIST_YES && answer !== CHECKLIST_NO)) {
      failures += 1;
      continue;
    }
    if (at !== next) failures += 1; // names skipped: counted, the pair still read
    next = at + 1;
    if (answer === CHECKLIST_YES) names.push(name);
  }
  return { names, failures };
}

export function parsePhrase(words: readonly string[]): { phrase: string; failures: number } {
  const { w, ended } = body(words);
  return { phrase: w.join(' '), failures: ended ? 0 : 1 };
}
