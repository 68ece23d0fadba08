import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { encodePng } from '../png_encode';
import type { RgbImage } from '../scene_preview';
import { jpegBytes, withExifOrientation } from '../datasets/test_support/fixtures';
import { decodeImage, loadSharp } from './decode_image';
import { applyOrientation, jpegOrientation, type ExifOrientation } from './exif_orientation';
import { imageFileSize, imageSizeFromBytes } from './image_header';
import { ImageLoader } from './image_loader';
import { LruCache } from './lru_cache';
import { mapBox, toModelInput } from './model_input';
import { decodePng } from './png_decode';

const dir = mkdtempSync(join(tmpdir(), 'alignscope-img-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const sharp = loadSharp();
const backends = (['js', 'sharp'] as const).filter((b) => b === 'js' || sharp);

const noise = (w: number, h: number, c = 3) => Uint8Array.from({ length: w * h * c }, (_, i) => (i * 7919 + (i >> 3) * 13) & 255);

/** An upright 48×32 test picture: four flat quadrants (JPEG keeps flat colours within a few levels). */
const QUAD = [[230, 20, 20], [20, 220, 30], [30, 40, 230], [240, 240, 30]] as const;
function quadrants(w: number, h: number): RgbImage {
  const pixels = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) pixels.set(QUAD[(y < h / 2 ? 0 : 2) + (x < w / 2 ? 0 : 1)]!, (y * w + x) * 3);
  return { pixels, width: w, height: h };
}
/** Mean colour of each quadrant of an image. */
function quadMeans(img: RgbImage): number[][] {
  const sums = Array.from({ length: 4 }, () => [0, 0, 0, 0]);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const q = sums[(y < img.height / 2 ? 0 : 2) + (x < img.width / 2 ? 0 : 1)]!;
      for (let k = 0; k < 3; k++) q[k]! += img.pixels[(y * img.width + x) * 3 + k]!;
      q[3]!++;
    }
  }
  return sums.map((s) => s.slice(0, 3).map((v) => v / s[3]!));
}
/** The stored image that orientation `o` displays as `upright` (inverse transforms). */
const INVERSE: Record<ExifOrientation, ExifOrientation> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6 };

describe('PNG decoding (pure JS)', () => {
  test('our encoder → decoder is exact for RGB, grey and RGBA (alpha 255)', () => {
    const rgb = noise(7, 5);
    assert.deepEqual(decodePng(encodePng(rgb, 7, 5)).pixels, rgb);
    const grey = noise(6, 4, 1);
    assert.deepEqual(decodePng(encodePng(grey, 6, 4, 1)).pixels, Uint8Array.from(Array.from(grey).flatMap((v) => [v, v, v])));
    const rgba = noise(3, 3, 4).map((v, i) => (i % 4 === 3 ? 255 : v));
    assert.deepEqual(decodePng(encodePng(rgba, 3, 3, 4)).pixels, Uint8Array.from(rgba.filter((_, i) => i % 4 !== 3)));
  });

  test('corrupt files are refused with the reason', () => {
    const png = encodePng(noise(4, 4), 4, 4);
    png[40] ^= 0xff;
    assert.throws(() => decodePng(png, 'x.png'), /x\.png\): CRC mismatch/);
    assert.throws(() => decodePng(png.subarray(0, 30), 'y.png'), /truncated/);
  });

  test('palette, 16-bit, interlaced (Adam7) and filtered PNGs written by libvips agree with sharp', { skip: !sharp && 'sharp not installed' }, async () => {
    const raw = noise(37, 23);
    const variants = [
      { palette: true, colours: 256, dither: 0 },
      { progressive: true }, // Adam7
      { compressionLevel: 9, adaptiveFiltering: true },
    ];
    type S = { png(o: object): S; toColourspace(s: string): S; toBuffer(): Promise<Buffer> };
    const make = sharp as unknown as (b: Uint8Array, o: object) => S;
    for (const v of variants) {
      const png = await make(raw, { raw: { width: 37, height: 23, channels: 3 } }).png(v).toBuffer();
      const ours = decodePng(png);
      const theirs = await decodeImage(png, { backend: 'sharp' });
      assert.deepEqual([ours.width, ours.height], [37, 23]);
      assert.deepEqual(ours.pixels, theirs.pixels, `variant ${JSON.stringify(v)}`);
    }
    const png16 = await make(raw, { raw: { width: 37, height: 23, channels: 3 } }).toColourspace('rgb16').png({}).toBuffer();
    assert.deepEqual(decodePng(png16).pixels, (await decodeImage(png16, { backend: 'sharp' })).pixels);
  });
});

describe('EXIF orientation', () => {
  test('applyOrientation: each orientation composed with its inverse is the identity; 6 rotates clockwise', () => {
    const img = { pixels: noise(5, 3), width: 5, height: 3 };
    for (const o of [1, 2, 3, 4, 5, 6, 7, 8] as ExifOrientation[]) {
      assert.deepEqual(applyOrientation(applyOrientation(img, INVERSE[o]), o), img, `orientation ${o}`);
    }
    // 2×1 image [A B] rotated 90° clockwise is the 1×2 column [A; B]
    const ab = { pixels: Uint8Array.of(1, 1, 1, 2, 2, 2), width: 2, height: 1 };
    assert.deepEqual(applyOrientation(ab, 6), { pixels: Uint8Array.of(1, 1, 1, 2, 2, 2), width: 1, height: 2 });
    assert.deepEqual(applyOrientation(ab, 8).pixels, Uint8Array.of(2, 2, 2, 1, 1, 1));
  });

  for (const backend of backends) {
    test(`a JPEG stored rotated with Exif orientation 6 decodes upright (${backend})`, async () => {
      const upright = quadrants(48, 32);
      const stored = applyOrientation(upright, INVERSE[6]); // 32×48 as the camera stored it
      const jpg = withExifOrientation(jpegBytes(stored.pixels, stored.width, stored.height), 6);
      assert.equal(jpegOrientation(jpg), 6);
      assert.deepEqual(imageSizeFromBytes(jpg), { width: 48, height: 32 });
      const img = await decodeImage(jpg, { backend });
      assert.deepEqual([img.width, img.height], [48, 32]);
      quadMeans(img).forEach((m, q) => m.forEach((v, k) => assert.ok(Math.abs(v - QUAD[q]![k]!) < 8, `quadrant ${q} channel ${k}: ${v}`)));
    });
  }

  test('jpegOrientation is 1 without Exif; image headers give sizes without decoding', () => {
    const jpg = jpegBytes(noise(9, 4), 9, 4);
    assert.equal(jpegOrientation(jpg), 1);
    const p = join(dir, 'h.jpg');
    writeFileSync(p, jpg);
    assert.deepEqual(imageFileSize(p), { width: 9, height: 4 });
    assert.deepEqual(imageSizeFromBytes(encodePng(noise(3, 8), 3, 8)), { width: 3, height: 8 });
  });

  test('sharp and the pure-JS path agree on PNG exactly and on JPEG within a few levels', { skip: !sharp && 'sharp not installed' }, async () => {
    const png = encodePng(noise(20, 10), 20, 10);
    assert.deepEqual((await decodeImage(png, { backend: 'js' })).pixels, (await decodeImage(png, { backend: 'sharp' })).pixels);
    const q = quadrants(32, 32);
    const jpg = jpegBytes(q.pixels, 32, 32);
    const a = (await decodeImage(jpg, { backend: 'js' })).pixels;
    const b = (await decodeImage(jpg, { backend: 'sharp' })).pixels;
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    assert.ok(worst <= 8, `max difference ${worst}`);
  });
});

describe('model input', () => {
  test('same size stretch is exact /255; a flat image stays flat under every fit and size', () => {
    const img = { pixels: noise(6, 4), width: 6, height: 4 };
    const same = toModelInput(img, { size: [4, 6] });
    assert.deepEqual(Array.from(same.data), Array.from(img.pixels, (v) => Math.fround(v / 255)));
    const flat = { pixels: new Uint8Array(30 * 20 * 3).fill(51), width: 30, height: 20 };
    for (const fit of ['stretch', 'cover'] as const) {
      for (const size of [7, 16, 64]) assert.ok(toModelInput(flat, { size, fit }).data.every((v) => Math.abs(v - 0.2) < 1e-6), `${fit} ${size}`);
    }
  });

  test('contain letterboxes with black; cover crops the centre; mapBox follows', () => {
    const flat = { pixels: new Uint8Array(40 * 20 * 3).fill(255), width: 40, height: 20 };
    const c = toModelInput(flat, { size: 20, fit: 'contain' }); // 40×20 → 20×10 band in the middle rows 5..15
    assert.equal(c.data[0], 0);
    assert.equal(c.data[(10 * 20 + 10) * 3], 1);
    assert.deepEqual(mapBox([0, 0, 40, 20], c.transform), [0, 5, 20, 15]);
    const cover = toModelInput(flat, { size: 10, fit: 'cover' }); // 20×20 centre window at x 10..30
    assert.deepEqual(mapBox([10, 0, 30, 20], cover.transform), [0, 0, 10, 10]);
    assert.deepEqual(mapBox([0, 0, 5, 5], cover.transform), [0, 0, 0, 2.5]);
    const norm = toModelInput(flat, { size: 2, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] });
    assert.ok(norm.data.every((v) => Math.abs(v - 2) < 1e-6));
  });

  test('downscaling averages areas (no aliasing of a 1-pixel checkerboard)', () => {
    const w = 16;
    const pixels = new Uint8Array(w * w * 3);
    for (let i = 0; i < w * w; i++) pixels.fill(((i % w) + Math.floor(i / w)) % 2 ? 255 : 0, 3 * i, 3 * i + 3);
    const out = toModelInput({ pixels, width: w, height: w }, { size: 4 });
    assert.ok(out.data.every((v) => Math.abs(v - 0.5) < 1e-6));
  });
});

describe('LruCache and ImageLoader', () => {
  test('LRU evicts the least recently used by cost', () => {
    const c = new LruCache<string, number>(10);
    c.set('a', 1, 4);
    c.set('b', 2, 4);
    c.get('a');
    c.set('c', 3, 4);
    assert.deepEqual([c.has('a'), c.has('b'), c.has('c'), c.cost], [true, false, true, 8]);
    c.set('huge', 4, 11);
    assert.equal(c.has('huge'), false);
  });

  test('batches files and in-memory images to [B, H, W, 3], caches decoded files', async () => {
    const p = join(dir, 'a.png');
    writeFileSync(p, encodePng(new Uint8Array(8 * 8 * 3).fill(255), 8, 8));
    const loader = new ImageLoader({ size: 4, cacheBytes: 1 << 20 });
    const mem = new Uint8Array(2 * 2 * 3);
    const batch = await loader.loadBatch([{ kind: 'file', path: p }, { kind: 'memory', rgb: mem }, { kind: 'file', path: p }], [{ width: 8, height: 8 }, { width: 2, height: 2 }, { width: 8, height: 8 }]);
    assert.deepEqual(batch.shape, [3, 4, 4, 3]);
    assert.equal(batch.data[0], 1);
    assert.equal(batch.data[4 * 4 * 3], 0);
    assert.deepEqual(batch.sourceSizes[1], { width: 2, height: 2 });
    assert.equal(loader.cacheStats.entries, 1);
    await loader.load({ kind: 'file', path: p });
    assert.equal(loader.cacheStats.hits, 1);
    await assert.rejects(loader.load({ kind: 'file', path: join(dir, 'nope.png') }), /cannot read .*nope\.png: ENOENT/);
  });
});
