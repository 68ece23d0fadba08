/**
 * EXIF orientation of a JPEG, and the transform that displays it upright.
 *
 * A camera stores the sensor's pixels and records in tag 0x0112 of IFD0 (APP1 "Exif" segment, TIFF
 * layout, either byte order) how to show them: 1 as stored, 2 mirrored, 3 rotated 180°, 4 flipped
 * vertically, 5 transposed, 6 rotated 90° clockwise, 7 transversed, 8 rotated 90° counter-clockwise.
 * Annotations of COCO/Flickr30k are in the upright (displayed) frame, so decoders apply it.
 *
 * Source: EXIF 2.32 (CIPA DC-008), section 4.6.4 "Orientation"; TIFF 6.0 section 2 (IFD layout).
 */
import type { RgbImage } from '../scene_preview';

export type ExifOrientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** The orientation tag of a JPEG (1 when absent, not a JPEG, or unreadable). */
export function jpegOrientation(bytes: Uint8Array): ExifOrientation {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return 1;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 2; at + 4 <= bytes.length; ) {
    if (bytes[at] !== 0xff) return 1;
    const marker = bytes[at + 1]!;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === 0xff) {
      at += marker === 0xff ? 1 : 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return 1; // start of scan / end: no EXIF before the data
    const len = view.getUint16(at + 2);
    if (marker === 0xe1 && len >= 16 && String.fromCharCode(...bytes.subarray(at + 4, at + 10)) === 'Exif\0\0') {
      const o = tiffOrientation(bytes.subarray(at + 10, at + 2 + len));
      if (o !== undefined) return o;
    }
    at += 2 + len;
  }
  return 1;
}

function tiffOrientation(tiff: Uint8Array): ExifOrientation | undefined {
  if (tiff.length < 8) return undefined;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49; // "II"
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return undefined; // "MM"
  const v = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  if (v.getUint16(2, little) !== 42) return undefined;
  const ifd = v.getUint32(4, little);
  if (ifd + 2 > tiff.length) return undefined;
  const n = v.getUint16(ifd, little);
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + 12 * i;
    if (e + 12 > tiff.length) return undefined;
    if (v.getUint16(e, little) === 0x0112) {
      const value = v.getUint16(e + 8, little); // type SHORT, count 1: the value sits in the first 2 bytes
      return value >= 1 && value <= 8 ? (value as ExifOrientation) : undefined;
    }
  }
  return undefined;
}

/** True when the orientation swaps width and height (5–8). */
export function swapsAxes(o: ExifOrientation): boolean {
  return o >= 5;
}

/** The upright image: the stored pixels transformed as the orientation tag says. */
export function applyOrientation(image: RgbImage, o: ExifOrientation): RgbImage {
  if (o === 1) return image;
  const { width: W, height: H, pixels } = image;
  const w = swapsAxes(o) ? H : W;
  const h = swapsAxes(o) ? W : H;
  // For each output pixel (x, y): the stored pixel it shows.
  const source: (x: number, y: number) => number = {
    2: (x: number, y: number) => y * W + (W - 1 - x),
    3: (x: number, y: number) => (H - 1 - y) * W + (W - 1 - x),
    4: (x: number, y: number) => (H - 1 - y) * W + x,
    5: (x: number, y: number) => x * W + y,
    6: (x: number, y: number) => (H - 1 - x) * W + y,
    7: (x: number, y: number) => (H - 1 - x) * W + (W - 1 - y),
    8: (x: number, y: number) => x * W + (W - 1 - y),
  }[o];
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = source(x, y) * 3;
      const d = (y * w + x) * 3;
      out[d] = pixels[s]!;
      out[d + 1] = pixels[s + 1]!;
      out[d + 2] = pixels[s + 2]!;
    }
  }
  return { pixels: out, width: w, height: h };
}
