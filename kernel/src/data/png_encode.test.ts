import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { crc32 } from '../util/crc32';
import { GroundedScenes } from './grounded_scenes';
import { encodePng, PNG_SIGNATURE } from './png_encode';
import { scenePng } from './scene_preview';

/** Splits PNG bytes into chunks, checking every CRC. */
function readChunks(png: Uint8Array): { type: string; data: Uint8Array }[] {
  assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: { type: string; data: Uint8Array }[] = [];
  for (let at = 8; at < png.length; ) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(...png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + len);
    assert.equal(view.getUint32(at + 8 + len), crc32(png.subarray(at + 4, at + 8 + len)), `CRC of ${type}`);
    chunks.push({ type, data });
    at += 12 + len;
  }
  return chunks;
}

describe('encodePng', () => {
  test('crc32 matches the standard check value', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  });

  test('chunks decode back to the header and the exact pixels', () => {
    const w = 5;
    const h = 3;
    const rgb = Uint8Array.from({ length: w * h * 3 }, (_, i) => (i * 37) & 255);
    const chunks = readChunks(encodePng(rgb, w, h));
    assert.deepEqual(chunks.map((c) => c.type), ['IHDR', 'IDAT', 'IEND']);
    const ihdr = new DataView(chunks[0]!.data.buffer, chunks[0]!.data.byteOffset, 13);
    assert.deepEqual([ihdr.getUint32(0), ihdr.getUint32(4), ihdr.getUint8(8), ihdr.getUint8(9), ihdr.getUint8(12)], [w, h, 8, 2, 0]);
    const raw = inflateSync(chunks[1]!.data);
    assert.equal(raw.length, h * (w * 3 + 1));
    for (let y = 0; y < h; y++) {
      assert.equal(raw[y * (w * 3 + 1)], 0, 'filter byte');
      assert.deepEqual(raw.subarray(y * (w * 3 + 1) + 1, (y + 1) * (w * 3 + 1)), Buffer.from(rgb.subarray(y * w * 3, (y + 1) * w * 3)));
    }
    assert.equal(chunks[2]!.data.length, 0);
  });

  test('greyscale and RGBA colour types; size mismatches throw', () => {
    const grey = readChunks(encodePng(new Uint8Array(4), 2, 2, 1));
    assert.equal(grey[0]!.data[9], 0);
    const rgba = readChunks(encodePng(new Uint8Array(16), 2, 2, 4));
    assert.equal(rgba[0]!.data[9], 6);
    assert.throws(() => encodePng(new Uint8Array(5), 2, 2), /pixels has 5 bytes; 2×2×3 needs 12/);
  });

  test('a scene preview is a valid, upscaled PNG', () => {
    const scene = new GroundedScenes().getScene('test', 0);
    const chunks = readChunks(scenePng(scene, { scale: 2, boxes: true }));
    const ihdr = new DataView(chunks[0]!.data.buffer, chunks[0]!.data.byteOffset, 13);
    assert.deepEqual([ihdr.getUint32(0), ihdr.getUint32(4)], [128, 128]);
    assert.equal(inflateSync(chunks[1]!.data).length, 128 * (128 * 3 + 1));
  });
});
