/**
 * A minimal PNG encoder (8-bit greyscale, RGB or RGBA, no interlace, filter 0 on every row,
 * zlib deflate from node:zlib) — enough to put scene images in reports and files.
 *
 *   PNG = signature · IHDR · IDAT(zlib(rows, each prefixed by filter byte 0)) · IEND
 *   chunk = length (u32 BE) · type · data · CRC-32(type · data)
 *
 * @example fs.writeFileSync('scene.png', encodePng(scene.image, scene.width, scene.height));
 * Source: PNG specification (W3C, 2nd edition), sections 5 (datastream) and 11.2.2 (IHDR).
 */
import { deflateSync } from 'node:zlib';
import { crc32 } from '../util/crc32';

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

const COLOUR_TYPE: Record<number, number> = { 1: 0, 3: 2, 4: 6 }; // channels → PNG colour type

/** PNG bytes of row-major `pixels` [height, width, channels] (channels 1, 3 or 4). */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3 | 4 = 3): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`encodePng: width and height must be positive integers; got ${width}×${height}.`);
  }
  if (COLOUR_TYPE[channels] === undefined) throw new Error(`encodePng: channels must be 1, 3 or 4; got ${channels}.`);
  if (pixels.length !== width * height * channels) {
    throw new Error(`encodePng: pixels has ${pixels.length} bytes; ${width}×${height}×${channels} needs ${width * height * channels}.`);
  }
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOUR_TYPE[channels]!;
  // compression 0, filter method 0, interlace 0
  const parts = [PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A data: URL of PNG bytes, for HTML reports. */
export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png.buffer, png.byteOffset, png.byteLength).toString('base64')}`;
}
