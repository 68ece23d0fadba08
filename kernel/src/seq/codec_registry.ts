/**
 * Codecs by name: 'bins<N>' (Pix2Seq/OFA), 'grid<G>' (Kosmos-2), 'text<S>' (Qwen-VL/Ferret).
 *
 * @example codecByName('bins64').tokens.length;   // 64
 */
import { binsCodec } from './codec_bins';
import { gridCodec } from './codec_grid';
import { textCodec } from './codec_text';
import type { CoordinateCodec } from './coordinate_codec';

export function codecByName(name: string): CoordinateCodec {
  const m = /^(bins|grid|text)(\d+)$/.exec(name);
  if (!m) throw new Error(`codecByName: expected 'bins<N>', 'grid<G>' or 'text<S>'; got '${name}'.`);
  const n = Number(m[2]);
  return m[1] === 'bins' ? binsCodec(n) : m[1] === 'grid' ? gridCodec(n) : textCodec(n);
}
