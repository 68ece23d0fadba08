/**
 * Width and height of a PNG or JPEG from its header, without decoding the pixels (for datasets whose
 * annotations do not carry the image size). JPEG sizes are upright: EXIF orientations 5–8 swap them.
 *
 * Source: PNG spec 11.2.2 (IHDR); JPEG (ITU T.81) B.2.2 (frame header SOFn: P, Y, X).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { isPng } from './png_decode';
import { jpegOrientation, swapsAxes } from './exif_orientation';

export type ImageFormat = 'png' | 'jpeg';

export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (isPng(bytes)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/** Size from header bytes (the first few KiB normally suffice; pass the whole file to be sure). */
export function imageSizeFromBytes(bytes: Uint8Array, name = 'image'): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = sniffFormat(bytes);
  if (format === 'png') return { width: view.getUint32(16), height: view.getUint32(20) };
  if (format === 'jpeg') {
    for (let at = 2; at + 9 <= bytes.length; ) {
      if (bytes[at] !== 0xff) break;
      const m = bytes[at + 1]!;
      if (m === 0xff) {
        at++;
        continue;
      }
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
        const h = view.getUint16(at + 5);
        const w = view.getUint16(at + 7);
        return swapsAxes(jpegOrientation(bytes)) ? { width: h, height: w } : { width: w, height: h };
      }
      at += 2 + view.getUint16(at + 2);
    }
    throw new Error(`imageSize(${name}): no JPEG frame header found in the first ${bytes.length} bytes.`);
  }
  throw new Error(`imageSize(${name}): not a PNG or JPEG file.`);
}

/** Size of an image file, reading only its first 64 KiB (more if the JPEG header lies further). */
export function imageFileSize(path: string): { width: number; height: number } {
  const fd = openSync(path, 'r');
  try {
    for (let n = 1 << 16; ; n *= 4) {
      const buf = Buffer.alloc(n);
      const got = readSync(fd, buf, 0, n, 0);
      try {
        return imageSizeFromBytes(buf.subarray(0, got), path);
      } catch (e) {
        if (got < n) throw e;
      }
    }
  } finally {
    closeSync(fd);
  }
}
