import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashSeed, SeededRandom } from './seeded_random';

describe('SeededRandom', () => {
  test('same seed and labels give the same stream; different labels give different streams', () => {
    const a = new SeededRandom(7, 'train', 3);
    const b = new SeededRandom(7, 'train', 3);
    const c = new SeededRandom(7, 'train', 4);
    const sa = Array.from({ length: 100 }, () => a.nextUint32());
    const sb = Array.from({ length: 100 }, () => b.nextUint32());
    const sc = Array.from({ length: 100 }, () => c.nextUint32());
    assert.deepEqual(sa, sb);
    assert.notDeepEqual(sa, sc);
  });

  test('the stream is pinned (integer-only arithmetic is engine-exact)', () => {
    // If this fails, every seeded dataset and run changes: only update it on purpose.
    const rng = new SeededRandom(0);
    assert.deepEqual(
      Array.from({ length: 4 }, () => rng.nextUint32()),
      PINNED_FIRST_FOUR,
    );
  });

  test('hashSeed separates numbers from strings and large from small integers', () => {
    assert.notEqual(hashSeed(1), hashSeed('1'));
    assert.notEqual(hashSeed(1), hashSeed(1 + 2 ** 32));
    assert.notEqual(hashSeed(-1), hashSeed(2 ** 32 - 1));
    assert.notEqual(hashSeed('a', 'b'), hashSeed('ab'));
    assert.throws(() => hashSeed(0.5), /safe integer; got 0.5/);
  });

  test('int(n) stays in range and is roughly uniform', () => {
    const rng = new SeededRandom(1);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[rng.int(6)]++;
    for (const c of counts) assert.ok(Math.abs(c - 10000) < 500, `count ${c}`);
    assert.throws(() => rng.int(0), /n must be an integer in \[1, 2\^32\]; got 0/);
  });

  test('next() is in [0, 1) with mean ≈ 1/2; normal() has mean ≈ 0 and std ≈ 1', () => {
    const rng = new SeededRandom(2);
    let sum = 0;
    for (let i = 0; i < 20000; i++) {
      const u = rng.next();
      assert.ok(u >= 0 && u < 1);
      sum += u;
    }
    assert.ok(Math.abs(sum / 20000 - 0.5) < 0.01);
    let m = 0;
    let m2 = 0;
    for (let i = 0; i < 20000; i++) {
      const z = rng.normal();
      m += z;
      m2 += z * z;
    }
    assert.ok(Math.abs(m / 20000) < 0.03);
    assert.ok(Math.abs(Math.sqrt(m2 / 20000) - 1) < 0.03);
  });

  test('getState/setState resume the stream identically', () => {
    const rng = new SeededRandom(3);
    for (let i = 0; i < 10; i++) rng.next();
    const saved = rng.getState();
    const expected = Array.from({ length: 20 }, () => rng.nextUint32());
    const resumed = SeededRandom.fromState(saved);
    assert.deepEqual(Array.from({ length: 20 }, () => resumed.nextUint32()), expected);
    assert.throws(() => rng.setState([1, 2, 3]), /expected 4 unsigned 32-bit integers/);
  });

  test('shuffle and permutation are permutations', () => {
    const rng = new SeededRandom(4);
    const p = Array.from(rng.permutation(50)).sort((a, b) => a - b);
    assert.deepEqual(p, Array.from({ length: 50 }, (_, i) => i));
    const s = rng.shuffle(Array.from({ length: 50 }, (_, i) => i)).sort((a, b) => a - b);
    assert.deepEqual(s, p);
  });
});

const PINNED_FIRST_FOUR = [1685541572, 1462982013, 207004891, 882834788];
