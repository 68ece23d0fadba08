/**
 * A minimal PNG encoder for 8-bit RGB images, used by show/ until data/png_encode.ts lands.
 *
 * Layout (PNG spec, ISO/IEC 15948): signature, IHDR (width, height, bit depth 8, colour type 2 =
 * RGB), one IDAT holding the zlib stream of the scanlines (each prefixed by filter byte 0 = None),
 * IEND. Chunk CRCs cover type + data.
 *
 * @example encodePng(new Uint8Array([255, 0, 0]), 1, 1)  // a 1×1 red pixel
 */
import { deflateSync } from 'node:zlib';
import { crc32 } from '../util/crc32';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encodes `rgb` (row-major, length w*h*3) as PNG bytes. */
export function encodePng(rgb: Uint8Array, w: number, h: number): Uint8Array {
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) {
    throw new Error(`encodePng: width and height must be positive integers; got ${w}×${h}.`);
  }
  if (rgb.length !== w * h * 3) {
    throw new Error(`encodePng: rgb must hold w*h*3 = ${w * h * 3} bytes; got ${rgb.length}.`);
  }
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, w);
  hv.setUint32(4, h);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, RGB, deflate, adaptive filtering, no interlace
  const stride = w * 3;
  const raw = new Uint8Array(h * (stride + 1)); // filter byte 0 (None) before every row
  for (let y = 0; y < h; y++) raw.set(rgb.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const parts = [new Uint8Array(SIGNATURE), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
