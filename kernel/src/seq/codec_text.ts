/**
 * Plain-text integer coordinates on a 0..999 canvas (Qwen-VL, Bai et al. 2023; Ferret, You et al.
 * 2023; Shikra writes decimals the same way): each coordinate is an integer written with digit tokens
 * — the language model's own text, no location vocabulary — and coordinates are separated by ",".
 *
 *   k = round(x / W · (S − 1))   written as its decimal digits       x = k / (S − 1) · W
 *   [8, 16, 24, 40] on 64 px, S = 1000  →  1 2 5 , 2 5 0 , 3 7 5 , 6 2 4
 *
 * Grammar: four integers without leading zeros, in range, x2 > x1 and y2 > y1; a digit is allowed
 * only if some in-range integer starts with the digits so far (so a box can always be finished).
 */
import type { BoxXYXY } from '../data/scene_types';
import { clamp, isValidBox, type CoordinateCodec } from './coordinate_codec';

export const DIGIT_TOKENS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
export const COORD_SEPARATOR = ',';

export function textCodec(canvas = 1000): CoordinateCodec {
  if (!Number.isInteger(canvas) || canvas < 2 || canvas > 100000) {
    throw new Error(`textCodec: canvas must be an integer in [2, 100000]; got ${canvas}.`);
  }
  const S = canvas;
  const q = (v: number, side: number): number => clamp(Math.round((v / side) * (S - 1)), 0, S - 1);
  const deq = (k: number, side: number): number => (k / (S - 1)) * side;
  const parse = (toks: readonly string[]): { done: number[]; partial: string } | null => {
    const done: number[] = [];
    let partial = '';
    for (const t of toks) {
      if (t === COORD_SEPARATOR) {
        if (partial === '') return null;
        done.push(Number(partial));
        partial = '';
      } else if ((DIGIT_TOKENS as readonly string[]).includes(t)) {
        if (partial === '0') return null; // leading zero
        partial += t;
      } else return null;
    }
    return { done, partial };
  };
  const range = (done: readonly number[]): [number, number] => {
    const i = done.length;
    if (i < 2) return [0, S - 2];
    return [done[i - 2]! + 1, S - 1];
  };
  const canStart = (prefix: string, lo: number, hi: number): boolean => {
    for (let v = lo; v <= hi; v++) if (String(v).startsWith(prefix)) return true;
    return false;
  };
  return {
    name: `text${S}`,
    tokens: [...DIGIT_TOKENS, COORD_SEPARATOR],
    encode(box, width, height) {
      let [a, b, c, d] = [q(box[0], width), q(box[1], height), q(box[2], width), q(box[3], height)];
      if (c <= a) (a = Math.max(0, c - 1)), (c = a + 1);
      if (d <= b) (b = Math.max(0, d - 1)), (d = b + 1);
      const out: string[] = [];
      [a, b, c, d].forEach((k, i) => {
        if (i > 0) out.push(COORD_SEPARATOR);
        out.push(...String(k).split(''));
      });
      return out;
    },
    decode(toks, width, height) {
      const p = parse(toks);
      if (!p || p.done.length !== 3 || p.partial === '') return null;
      const ks = [...p.done, Number(p.partial)];
      if (ks.some((k) => k > S - 1)) return null;
      const box = [deq(ks[0]!, width), deq(ks[1]!, height), deq(ks[2]!, width), deq(ks[3]!, height)] as BoxXYXY;
      return isValidBox(box) ? box : null;
    },
    allowedNext(prefix) {
      const p = parse(prefix);
      if (!p || p.done.length > 3) return { tokens: [], canClose: false };
      const [lo, hi] = range(p.done);
      if (p.done.some((k, i) => k < range(p.done.slice(0, i))[0] || k > range(p.done.slice(0, i))[1])) return { tokens: [], canClose: false };
      const value = p.partial === '' ? NaN : Number(p.partial);
      const inRange = value >= lo && value <= hi;
      const tokens: string[] = [];
      if (p.partial !== '0') for (const d of DIGIT_TOKENS) if (canStart(p.partial + d, lo, hi)) tokens.push(d);
      if (inRange && p.done.length < 3) tokens.push(COORD_SEPARATOR);
      return { tokens, canClose: inRange && p.done.length === 3 };
    },
  };
}
