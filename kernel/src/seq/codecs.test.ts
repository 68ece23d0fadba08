import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BoxXYXY } from '../data/scene_types';
import { SeededRandom } from '../util/seeded_random';
import { binsCodec } from './codec_bins';
import { gridCodec } from './codec_grid';
import { codecByName } from './codec_registry';
import { textCodec } from './codec_text';
import { isValidBox, type CoordinateCodec } from './coordinate_codec';

const W = 64;
const H = 64;

function randomBoxes(n: number, seed: number): BoxXYXY[] {
  const rng = new SeededRandom(seed, 'boxes');
  return Array.from({ length: n }, () => {
    const w = 3 + rng.next() * 40;
    const h = 3 + rng.next() * 40;
    const x = rng.next() * (W - w);
    const y = rng.next() * (H - h);
    return [x, y, x + w, y + h] as BoxXYXY;
  });
}

/** Largest coordinate error a codec may make (its quantisation step, see each codec's doc). */
const CASES: [CoordinateCodec, number][] = [
  [binsCodec(64), W / (2 * 63) + 1e-9],
  [binsCodec(100), W / (2 * 99) + 1e-9],
  [gridCodec(16), W / 16 + 1e-9], // corner → cell centre: ≤ one cell
  [gridCodec(32), W / 32 + 1e-9],
  [textCodec(1000), W / (2 * 999) + 1e-9],
];

for (const [codec, tol] of CASES) {
  test(`${codec.name}: encode → decode round trip within the quantisation step, valid boxes`, () => {
    for (const box of randomBoxes(300, codec.name.length)) {
      const toks = codec.encode(box, W, H);
      for (const t of toks) assert.ok(codec.tokens.includes(t), `token ${t} is in the codec vocabulary`);
      const back = codec.decode(toks, W, H);
      assert.ok(back && isValidBox(back), `${codec.name} decodes [${box}]`);
      back!.forEach((v, i) => assert.ok(Math.abs(v - box[i]!) <= tol, `${codec.name} coord ${i}: ${v} vs ${box[i]} (tol ${tol})`));
      // decode ∘ encode is idempotent on decoded boxes
      assert.deepEqual(codec.decode(codec.encode(back!, W, H), W, H), back);
    }
  });

  test(`${codec.name}: malformed token runs decode to null, never throw`, () => {
    const good = codec.encode([10, 12, 30, 40], W, H);
    for (const bad of [[], good.slice(1), [...good, good[0]!], ['circle', ...good.slice(1)], [...good].reverse()]) {
      const r = codec.decode(bad, W, H);
      if (r !== null) assert.ok(isValidBox(r), 'a decoded box is always valid');
    }
    assert.equal(codec.decode([], W, H), null);
  });

  test(`${codec.name}: every token path the grammar allows ends in a valid box`, () => {
    const rng = new SeededRandom(3, codec.name);
    for (let trial = 0; trial < 200; trial++) {
      const toks: string[] = [];
      for (;;) {
        const step = codec.allowedNext(toks);
        if (step.canClose && (step.tokens.length === 0 || rng.bool(0.3))) break;
        assert.ok(step.tokens.length > 0, `grammar dead end after [${toks}]`);
        toks.push(rng.pick(step.tokens));
      }
      const box = codec.decode(toks, W, H);
      assert.ok(box && box[0] < box[2] && box[1] < box[3], `valid box from [${toks}]`);
    }
  });
}

test('bins: documented example and the edge bins', () => {
  const c = binsCodec(64);
  assert.deepEqual(c.encode([8, 16, 24, 40], 64, 64), ['<bin_8>', '<bin_16>', '<bin_24>', '<bin_39>']);
  assert.deepEqual(c.decode(['<bin_0>', '<bin_0>', '<bin_63>', '<bin_63>'], 64, 64), [0, 0, 64, 64]);
  assert.equal(c.decode(['<bin_5>', '<bin_5>', '<bin_5>', '<bin_9>'], 64, 64), null, 'x1 = x2 is not a box');
});

test('text: digits with separators, no leading zeros', () => {
  const c = textCodec(1000);
  assert.deepEqual(c.encode([8, 16, 24, 40], 64, 64).join(' '), '1 2 5 , 2 5 0 , 3 7 5 , 6 2 4');
  assert.equal(c.decode(['0', '7', ',', '1', ',', '9', ',', '9'], 64, 64), null);
  assert.deepEqual(c.allowedNext(['0']).tokens, [',']);
});

test('codecByName parses names and rejects unknown ones', () => {
  assert.equal(codecByName('grid32').tokens.length, 1024);
  assert.throws(() => codecByName('bins'), /bins<N>/);
});
