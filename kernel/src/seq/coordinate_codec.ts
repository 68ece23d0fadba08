/**
 * A coordinate codec turns a box into a short run of tokens and back. Three conventions of the
 * literature are implemented, one file each:
 *
 *   codec_bins.ts  N-bin tokens  round(x·(N−1)) for x1 y1 x2 y2 (Pix2Seq, OFA)        4 tokens
 *   codec_grid.ts  G×G grid-cell pairs: top-left cell, bottom-right cell (Kosmos-2)   2 tokens
 *   codec_text.ts  plain-text integers on a 0..999 canvas, digit tokens (Qwen-VL, Ferret)
 *
 * Every codec also states its grammar (`allowedNext`), which the constrained decoder uses as a mask:
 * given the coordinate tokens already emitted inside a box, which tokens may come next and whether
 * the box may be closed. Any sequence the grammar accepts decodes to a valid box (x1 < x2, y1 < y2,
 * inside the image). Boxes are xyxy in pixels (x2, y2 exclusive), as in data/scene_types.
 */
import type { BoxXYXY } from '../data/scene_types';

export interface CodecGrammarStep {
  /** Coordinate tokens that may come next. */
  tokens: readonly string[];
  /** True when the tokens so far are a complete box (the closer may come next). */
  canClose: boolean;
}

export interface CoordinateCodec {
  /** 'bins64', 'grid16', 'text1000'... (used in run names and reports). */
  readonly name: string;
  /** The tokens this codec appends to the vocabulary, in id order. */
  readonly tokens: readonly string[];
  /** Box (pixels) → tokens. The box must be valid (see `checkBox`). */
  encode(box: BoxXYXY, width: number, height: number): string[];
  /** Tokens → box in pixels, or null when the tokens are not a well-formed box. Never throws. */
  decode(tokens: readonly string[], width: number, height: number): BoxXYXY | null;
  /** The grammar: what may follow `prefix` (coordinate tokens already emitted inside the box). */
  allowedNext(prefix: readonly string[]): CodecGrammarStep;
}

/** True when x1 < x2 and y1 < y2 and every value is finite. */
export function isValidBox(b: readonly number[]): boolean {
  return b.length === 4 && b.every(Number.isFinite) && b[0]! < b[2]! && b[1]! < b[3]!;
}

/** Clamps v to [lo, hi]. */
export const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
