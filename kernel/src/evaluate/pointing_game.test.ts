import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groundingScores, massInBox, pointingHit, randomPointingBaseline } from './pointing_game';

// 4×4 patches of 16 px over 64×64: centres at 8, 24, 40, 56.
const grid = { imageWidth: 64, imageHeight: 64, rows: 4, cols: 4 };
const col = (entries: Record<number, number>) => Float32Array.from({ length: 16 }, (_, i) => entries[i] ?? 0);

test('pointing hit@1: the argmax patch centre must lie in the box (row-major patches)', () => {
  const c = col({ 5: 0.5, 15: 0.3, 0: 0.2 }); // patch 5 = row 1, col 1: centre (24, 24)
  assert.equal(pointingHit(c, [0, 0, 32, 32], grid), true);
  assert.equal(pointingHit(c, [32, 0, 64, 64], grid), false);
  assert.equal(pointingHit(c, [24, 24, 30, 30], grid), true, 'boundary included');
  assert.equal(pointingHit(col({ 3: 1, 12: 1 }), [48, 0, 64, 16], grid), true, 'ties go to the lowest index (3: top right)');
});

test('mass-in-box: share of the column on patches whose centre is inside', () => {
  const c = col({ 5: 0.5, 15: 0.3, 0: 0.2 });
  assert.ok(Math.abs(massInBox(c, [0, 0, 32, 32], grid) - 0.7) < 1e-7);
  assert.ok(Number.isNaN(massInBox(col({}), [0, 0, 32, 32], grid)));
  assert.throws(() => massInBox(col({ 2: -0.1 }), [0, 0, 32, 32], grid), /entry 2 is -0\.1/);
  assert.throws(() => massInBox(new Float32Array(15), [0, 0, 1, 1], grid), /15 entries, expected rows·cols = 16/);
  assert.equal(randomPointingBaseline([0, 0, 32, 32], grid), 0.25);
});

test('groundingScores: means overall and per category', () => {
  const r = groundingScores(
    [
      { column: col({ 5: 1 }), box: [0, 0, 32, 32], word: 'red', category: 'colour' },
      { column: col({ 15: 1 }), box: [0, 0, 32, 32], word: 'circle', category: 'shape' },
      { column: col({}), box: [0, 0, 32, 32], word: 'small', category: 'size' },
    ],
    grid,
  );
  assert.equal(r.n, 3);
  assert.equal(r.hitAt1, 2 / 3, 'the all-zero column points at patch 0, inside the box');
  assert.equal(r.massInBox, 0.5);
  assert.equal(r.nMassUndefined, 1);
  assert.equal(r.byCategory.colour.hitAt1, 1);
  assert.equal(r.byCategory.shape.massInBox, 0);
});
