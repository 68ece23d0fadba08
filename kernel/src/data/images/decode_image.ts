/**
 * JPEG/PNG bytes → upright 8-bit RGB, with `sharp` (libvips; an optionalDependency with prebuilt
 * binaries) when it loads, else pure JS: our PNG decoder and `jpeg-js`, plus our EXIF orientation.
 * Both paths: EXIF orientation applied, alpha composited over black, greyscale expanded to RGB.
 * PNG pixels are identical on both paths; JPEG pixels may differ by a few levels (different IDCTs).
 *
 * @example const img = await decodeImage(readFileSync('000000139.jpg'));   // { pixels, width, height }
 */
import * as jpeg from 'jpeg-js';
import type { RgbImage } from '../scene_preview';
import { applyOrientation, jpegOrientation } from './exif_orientation';
import { sniffFormat } from './image_header';
import { decodePng } from './png_decode';

export type DecodeBackend = 'sharp' | 'js';

interface SharpPipeline {
  rotate(): SharpPipeline;
  flatten(options: { background: string }): SharpPipeline;
  toColourspace(space: string): SharpPipeline;
  raw(): SharpPipeline;
  toBuffer(options: { resolveWithObject: true }): Promise<{ data: Buffer; info: { width: number; height: number; channels: number } }>;
}
type SharpFactory = (input: Uint8Array, options?: { failOn?: string }) => SharpPipeline;

let sharpState: { factory: SharpFactory | null; error?: string } | undefined;

/** The sharp module if it loads here (cached), else null; `sharpLoadError()` says why not. */
export function loadSharp(): SharpFactory | null {
  if (!sharpState) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      sharpState = { factory: require('sharp') as SharpFactory };
    } catch (e) {
      sharpState = { factory: null, error: e instanceof Error ? e.message.split('\n')[0] : String(e) };
    }
  }
  return sharpState.factory;
}

export function sharpLoadError(): string | undefined {
  loadSharp();
  return sharpState?.error;
}

/** 'sharp' when it loads, else 'js'; ALIGNSCOPE_IMAGE_BACKEND=js|sharp overrides. */
export function defaultDecodeBackend(): DecodeBackend {
  const forced = process.env.ALIGNSCOPE_IMAGE_BACKEND;
  if (forced === 'js' || forced === 'sharp') return forced;
  return loadSharp() ? 'sharp' : 'js';
}

export async function decodeImage(bytes: Uint8Array, options: { backend?: DecodeBackend; name?: string } = {}): Promise<RgbImage> {
  const name = options.name ?? 'image';
  const format = sniffFormat(bytes);
  if (!format) throw new Error(`decodeImage(${name}): not a PNG or JPEG file (first bytes ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')}).`);
  const backend = options.backend ?? defaultDecodeBackend();
  if (backend === 'sharp') {
    const sharp = loadSharp();
    if (!sharp) throw new Error(`decodeImage: backend 'sharp' requested but sharp does not load here (${sharpLoadError()}).`);
    return decodeWithSharp(sharp, bytes, name);
  }
  if (format === 'png') return decodePng(bytes, name);
  let raw: { width: number; height: number; data: Uint8Array };
  try {
    raw = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 });
  } catch (e) {
    throw new Error(`decodeImage(${name}): JPEG decoding failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return applyOrientation({ pixels: raw.data, width: raw.width, height: raw.height }, jpegOrientation(bytes));
}

async function decodeWithSharp(sharp: SharpFactory, bytes: Uint8Array, name: string): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error' })
      .rotate() // no angle: apply the EXIF orientation
      .flatten({ background: '#000000' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { width, height, channels } = info;
    if (channels === 3) return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
    const pixels = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) {
      for (let k = 0; k < 3; k++) pixels[3 * i + k] = data[channels * i + (channels >= 3 ? k : 0)]!;
    }
    return { pixels, width, height };
  } catch (e) {
    throw new Error(`decodeImage(${name}): sharp failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
