/**
 * Images for display payloads: what `show.alignment` / `show.boxes` accept, turned into a
 * schema `DisplayImage` (a PNG data URL by default; raw RGB on request).
 *
 * Accepted inputs:
 * - a tf.Tensor [H, W, 3] (or [H, W] / [H, W, 1] grey): float values in [0, 1] (clipped), or an
 *   int32 tensor in 0..255;
 * - nested arrays [H][W][3] with values in [0, 1];
 * - `{ rgb, width, height }`: raw 8-bit RGB bytes, row-major (what data/ loaders produce);
 * - a PNG data URL string (size read from its header), or a `DisplayImage` (passed through).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { DisplayImage } from './display_schema';
import { encodePng, pngDataUrl } from '../data/png_encode';
import { isTensor } from './to_plain';

export interface RawRgbImage {
  rgb: Uint8Array | Uint8ClampedArray | readonly number[];
  width: number;
  height: number;
}

export type ImageInput = tf.Tensor | RawRgbImage | number[][][] | string | DisplayImage;

export type ImageEncoding = 'png' | 'rgb';

const PNG_PREFIX = 'data:image/png;base64,';

function fromUnit(v: number): number {
  return Math.round(Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * 255);
}

function tensorToRgb(x: tf.Tensor, what: string): RawRgbImage {
  const [height, width, channels = 1] = x.shape;
  const grey = x.rank === 2 || (x.rank === 3 && channels === 1);
  if (!(grey || (x.rank === 3 && channels === 3))) {
    throw new Error(`${what}: expected an image tensor [H, W, 3] (or [H, W] grey), got shape [${x.shape.join(', ')}].`);
  }
  const bytes = x.dtype === 'int32' ? (v: number) => Math.min(255, Math.max(0, v)) : fromUnit;
  const data = x.dataSync();
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = bytes(grey ? data[p] : data[p * 3 + c]);
  }
  return { rgb, width, height };
}

function nestedToRgb(x: number[][][], what: string): RawRgbImage {
  const height = x.length;
  const width = x[0]?.length ?? 0;
  const rgb = new Uint8Array(width * height * 3);
  x.forEach((row, i) => {
    if (row.length !== width) throw new Error(`${what}: row ${i} has ${row.length} pixels, row 0 has ${width}.`);
    row.forEach((px, j) => {
      if (!Array.isArray(px) || px.length !== 3) throw new Error(`${what}: pixel [${i}][${j}] is not an [r, g, b] triple.`);
      for (let c = 0; c < 3; c++) rgb[(i * width + j) * 3 + c] = fromUnit(px[c]);
    });
  });
  return { rgb, width, height };
}

/** Reads width and height from a PNG data URL's IHDR chunk (bytes 16..23 of the file). */
function pngSize(url: string, what: string): { width: number; height: number } {
  const head = Buffer.from(url.slice(PNG_PREFIX.length, PNG_PREFIX.length + 44), 'base64');
  if (head.length < 24 || head.toString('latin1', 12, 16) !== 'IHDR') throw new Error(`${what}: the data URL is not a PNG.`);
  return { width: head.readUInt32BE(16), height: head.readUInt32BE(20) };
}

function isRaw(x: unknown): x is RawRgbImage {
  return typeof x === 'object' && x !== null && 'rgb' in x && 'width' in x && 'height' in x;
}

function isDisplayImage(x: unknown): x is DisplayImage {
  return typeof x === 'object' && x !== null && 'encoding' in x;
}

/** Converts an image input to a schema image; `what` names the argument in errors. */
export function toDisplayImage(x: ImageInput, what: string, encoding: ImageEncoding = 'png'): DisplayImage {
  if (typeof x === 'string') {
    if (!x.startsWith(PNG_PREFIX)) throw new Error(`${what}: a string image must be a '${PNG_PREFIX}…' URL.`);
    return { encoding: 'png', ...pngSize(x, what), dataUrl: x };
  }
  if (isDisplayImage(x)) return x;
  let raw: RawRgbImage;
  if (isTensor(x)) raw = tensorToRgb(x, what);
  else if (isRaw(x)) raw = x;
  else if (Array.isArray(x)) raw = nestedToRgb(x, what);
  else throw new Error(`${what}: expected an image tensor [H, W, 3], { rgb, width, height }, nested [H][W][3] arrays or a PNG data URL.`);
  const { width, height } = raw;
  if (raw.rgb.length !== width * height * 3) {
    throw new Error(`${what}: rgb must hold width*height*3 = ${width * height * 3} bytes, got ${raw.rgb.length}.`);
  }
  if (encoding === 'rgb') return { encoding: 'rgb', width, height, data: Array.from(raw.rgb) };
  return { encoding: 'png', width, height, dataUrl: pngDataUrl(encodePng(Uint8Array.from(raw.rgb), width, height)) };
}
