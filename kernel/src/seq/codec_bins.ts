/**
 * N-bin coordinate tokens (Pix2Seq, Chen et al. 2022; OFA, Wang et al. 2022): each coordinate is
 * normalised by the image side and quantised to one of N tokens,
 *
 *   encode  k = round(x / W · (N − 1)),  token `<bin_k>`        decode  x = k / (N − 1) · W
 *
 * in the order x1 y1 x2 y2. Quantisation error ≤ W / (2(N − 1)) per coordinate.
 *
 * @example
 *   const c = binsCodec(64);
 *   c.encode([8, 16, 24, 40], 64, 64);   // ['<bin_8>', '<bin_16>', '<bin_24>', '<bin_39>']
 *
 * Grammar: exactly 4 tokens; the 3rd token's bin > the 1st's, the 4th's > the 2nd's.
 */
import type { BoxXYXY } from '../data/scene_types';
import { clamp, isValidBox, type CoordinateCodec } from './coordinate_codec';

export function binsCodec(numBins: number): CoordinateCodec {
  if (!Number.isInteger(numBins) || numBins < 2 || numBins > 4096) {
    throw new Error(`binsCodec: numBins must be an integer in [2, 4096]; got ${numBins}.`);
  }
  const tokens = Array.from({ length: numBins }, (_, k) => `<bin_${k}>`);
  const index = new Map(tokens.map((t, k) => [t, k]));
  const q = (v: number, side: number): number => clamp(Math.round((v / side) * (numBins - 1)), 0, numBins - 1);
  const deq = (k: number, side: number): number => (k / (numBins - 1)) * side;
  return {
    name: `bins${numBins}`,
    tokens,
    encode(box, width, height) {
      let [a, b, c, d] = [q(box[0], width), q(box[1], height), q(box[2], width), q(box[3], height)];
      // a box thinner than one bin would quantise to x1 = x2: widen it by one bin so it stays valid
      if (c <= a) (a = Math.max(0, c - 1)), (c = a + 1);
      if (d <= b) (b = Math.max(0, d - 1)), (d = b + 1);
      return [tokens[a]!, tokens[b]!, tokens[c]!, tokens[d]!];
    },
    decode(toks, width, height) {
      if (toks.length !== 4) return null;
      const ks = toks.map((t) => index.get(t));
      if (ks.some((k) => k === undefined)) return null;
      const box = [deq(ks[0]!, width), deq(ks[1]!, height), deq(ks[2]!, width), deq(ks[3]!, height)] as BoxXYXY;
      return isValidBox(box) ? box : null;
    },
    allowedNext(prefix) {
      const ks = prefix.map((t) => index.get(t) ?? -1);
      if (ks.length >= 4 || ks.some((k) => k < 0)) return { tokens: [], canClose: ks.length === 4 && ks.every((k) => k >= 0) && ks[2]! > ks[0]! && ks[3]! > ks[1]! };
      // x1, y1 may not take the last bin (no room for x2 > x1); x2 > x1, y2 > y1
      const lo = ks.length >= 2 ? ks[ks.length - 2]! + 1 : 0;
      const hi = ks.length >= 2 ? numBins - 1 : numBins - 2;
      return { tokens: tokens.slice(lo, hi + 1), canClose: false };
    },
  };
}

/** True when `codec` writes each coordinate as one of ordered `<bin_k>` tokens (a bins codec): its tokens have an order to read. */
export function hasOrderedBins(codec: CoordinateCodec): boolean {
  return codec.tokens.every((t, k) => t === `<bin_${k}>`);
}
