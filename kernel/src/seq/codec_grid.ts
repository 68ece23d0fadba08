/**
 * Grid-cell location tokens (Kosmos-2, Peng et al. 2023): the image is cut into G × G cells and a box
 * is the pair (cell of its top-left corner, cell of its bottom-right corner), token `<cell_k>` with
 * k = row · G + col. Decoding places each corner at its cell's centre:
 *
 *   tl = (floor(x1 / W · G), floor(y1 / H · G))     br = (floor((x2 − ε) / W · G), …)
 *   x1' = (col_tl + ½) · W / G,   x2' = (col_br + ½) · W / G
 *
 * so the error per coordinate is ≤ W / (2G) (plus: a box inside one column is widened to two cells).
 *
 * @example
 *   gridCodec(16).encode([8, 8, 24, 40], 64, 64);   // ['<cell_34>', '<cell_149>']
 *
 * Grammar: exactly 2 tokens; the bottom-right cell is strictly right of and below the top-left cell.
 */
import type { BoxXYXY } from '../data/scene_types';
import { clamp, isValidBox, type CoordinateCodec } from './coordinate_codec';

export function gridCodec(gridSize: number): CoordinateCodec {
  if (!Number.isInteger(gridSize) || gridSize < 2 || gridSize > 256) {
    throw new Error(`gridCodec: gridSize must be an integer in [2, 256]; got ${gridSize}.`);
  }
  const G = gridSize;
  const tokens = Array.from({ length: G * G }, (_, k) => `<cell_${k}>`);
  const index = new Map(tokens.map((t, k) => [t, k]));
  const cellOf = (v: number, side: number): number => clamp(Math.floor((v / side) * G), 0, G - 1);
  return {
    name: `grid${G}`,
    tokens,
    encode(box, width, height) {
      let c1 = cellOf(box[0], width);
      let r1 = cellOf(box[1], height);
      let c2 = cellOf(box[2] - 1e-6, width);
      let r2 = cellOf(box[3] - 1e-6, height);
      if (c2 <= c1) (c1 = Math.min(c1, G - 2)), (c2 = c1 + 1);
      if (r2 <= r1) (r1 = Math.min(r1, G - 2)), (r2 = r1 + 1);
      return [tokens[r1 * G + c1]!, tokens[r2 * G + c2]!];
    },
    decode(toks, width, height) {
      if (toks.length !== 2) return null;
      const [a, b] = toks.map((t) => index.get(t));
      if (a === undefined || b === undefined) return null;
      const cx = (k: number): number => ((k % G) + 0.5) * (width / G);
      const cy = (k: number): number => (Math.floor(k / G) + 0.5) * (height / G);
      const box = [cx(a), cy(a), cx(b), cy(b)] as BoxXYXY;
      return isValidBox(box) ? box : null;
    },
    allowedNext(prefix) {
      const ks = prefix.map((t) => index.get(t) ?? -1);
      if (ks.some((k) => k < 0) || ks.length >= 2) {
        const ok = ks.length === 2 && ks[0]! >= 0 && ks[1]! >= 0 && ks[1]! % G > ks[0]! % G && Math.floor(ks[1]! / G) > Math.floor(ks[0]! / G);
        return { tokens: [], canClose: ok };
      }
      if (ks.length === 0) return { tokens: tokens.filter((_, k) => k % G < G - 1 && Math.floor(k / G) < G - 1), canClose: false };
      const [c0, r0] = [ks[0]! % G, Math.floor(ks[0]! / G)];
      return { tokens: tokens.filter((_, k) => k % G > c0 && Math.floor(k / G) > r0), canClose: false };
    },
  };
}
