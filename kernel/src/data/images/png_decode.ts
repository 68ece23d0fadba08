/**
 * A pure-JS PNG decoder to 8-bit RGB: colour types 0 (grey), 2 (RGB), 3 (palette), 4 (grey+alpha),
 * 6 (RGBA); bit depths 1/2/4/8/16; filters 0–4; Adam7 interlacing. Alpha is composited over black
 * (training images have no transparency; a tRNS chunk is ignored); 16-bit samples keep their high byte.
 *
 *   PNG = signature · chunks;  IDAT* concatenated = zlib(scanlines), scanline = filter byte · packed samples
 *   Paeth(a, b, c): p = a + b − c; the neighbour closest to p (ties: a, then b, then c)
 *
 * Source: PNG specification (W3C, 2nd edition), sections 7 (scanlines), 8.2 (Adam7), 9 (filters).
 */
import { inflateSync } from 'node:zlib';
import { crc32 } from '../../util/crc32';
import { PNG_SIGNATURE } from '../png_encode';
import type { RgbImage } from '../scene_preview';

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const; // [x0, y0, dx, dy]

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

export function decodePng(bytes: Uint8Array, name = 'PNG'): RgbImage {
  if (!isPng(bytes)) throw new Error(`decodePng(${name}): not a PNG file (bad signature).`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  let depth = 0;
  let colour = 0;
  let interlace = 0;
  let palette: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  for (let at = 8; ; ) {
    if (at + 12 > bytes.length) throw new Error(`decodePng(${name}): truncated file (no IEND chunk).`);
    const len = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + len > bytes.length) throw new Error(`decodePng(${name}): truncated ${type} chunk at byte ${at}.`);
    const data = bytes.subarray(at + 8, at + 8 + len);
    if (view.getUint32(at + 8 + len) !== crc32(bytes.subarray(at + 4, at + 8 + len))) {
      throw new Error(`decodePng(${name}): CRC mismatch in the ${type} chunk at byte ${at} (corrupt file).`);
    }
    if (type === 'IHDR') {
      const h = new DataView(data.buffer, data.byteOffset, data.byteLength);
      [width, height, depth, colour, interlace] = [h.getUint32(0), h.getUint32(4), data[8]!, data[9]!, data[12]!];
    } else if (type === 'PLTE') palette = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    at += 12 + len;
  }
  const channels = CHANNELS[colour];
  if (channels === undefined || ![1, 2, 4, 8, 16].includes(depth)) {
    throw new Error(`decodePng(${name}): unsupported colour type ${colour} / bit depth ${depth}.`);
  }
  if (colour === 3 && !palette) throw new Error(`decodePng(${name}): palette image without a PLTE chunk.`);
  const raw = inflateSync(Buffer.concat(idat));
  const bitsPerPixel = channels * depth;
  const bpp = Math.max(1, bitsPerPixel >> 3); // filter distance in bytes
  const out = new Uint8Array(width * height * 3);
  let offset = 0;
  const passes = interlace ? ADAM7 : ([[0, 0, 1, 1]] as const);
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((width - x0) / dx);
    const ph = Math.ceil((height - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const stride = Math.ceil((pw * bitsPerPixel) / 8);
    let prev = new Uint8Array(stride);
    for (let y = 0; y < ph; y++) {
      if (offset + 1 + stride > raw.length) throw new Error(`decodePng(${name}): image data too short.`);
      const filter = raw[offset]!;
      const line = raw.slice(offset + 1, offset + 1 + stride);
      offset += 1 + stride;
      unfilter(line, prev, filter, bpp, name);
      for (let x = 0; x < pw; x++) writePixel(line, x, depth, colour, palette, out, ((y0 + y * dy) * width + x0 + x * dx) * 3);
      prev = line;
    }
  }
  return { pixels: out, width, height };
}

function unfilter(line: Uint8Array, prev: Uint8Array, filter: number, bpp: number, name: string): void {
  const n = line.length;
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let i = bpp; i < n; i++) line[i] = (line[i]! + line[i - bpp]!) & 255;
      return;
    case 2:
      for (let i = 0; i < n; i++) line[i] = (line[i]! + prev[i]!) & 255;
      return;
    case 3:
      for (let i = 0; i < n; i++) line[i] = (line[i]! + (((i >= bpp ? line[i - bpp]! : 0) + prev[i]!) >> 1)) & 255;
      return;
    case 4:
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? line[i - bpp]! : 0;
        const b = prev[i]!;
        const c = i >= bpp ? prev[i - bpp]! : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        line[i] = (line[i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
      }
      return;
    default:
      throw new Error(`decodePng(${name}): unknown filter type ${filter}.`);
  }
}

/** Sample `s` (0-based, in channel units) of a scanline, scaled to 8 bits (palette indices unscaled). */
function sample(line: Uint8Array, s: number, depth: number, scale: boolean): number {
  if (depth === 8) return line[s]!;
  if (depth === 16) return line[2 * s]!;
  const perByte = 8 / depth;
  const v = (line[Math.floor(s / perByte)]! >> (8 - depth * ((s % perByte) + 1))) & ((1 << depth) - 1);
  return scale ? Math.round((v * 255) / ((1 << depth) - 1)) : v;
}

function writePixel(line: Uint8Array, x: number, depth: number, colour: number, palette: Uint8Array | undefined, out: Uint8Array, o: number): void {
  const c = CHANNELS[colour]!;
  if (colour === 3) {
    const i = sample(line, x, depth, false) * 3;
    out[o] = palette![i] ?? 0;
    out[o + 1] = palette![i + 1] ?? 0;
    out[o + 2] = palette![i + 2] ?? 0;
    return;
  }
  const grey = colour === 0 || colour === 4;
  const alpha = colour === 4 || colour === 6 ? sample(line, x * c + c - 1, depth, true) : 255;
  for (let k = 0; k < 3; k++) {
    const v = sample(line, x * c + (grey ? 0 : k), depth, true);
    out[o + k] = alpha === 255 ? v : Math.round((v * alpha) / 255);
  }
}
