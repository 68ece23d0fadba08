import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stepRng } from './step_rng';

test('stepRng: same (seed, step) → same stream; different steps or seeds differ', () => {
  const draw = (seed: number, step: number) => {
    const r = stepRng(seed, step);
    return [r.next(), r.int(1000), r.normal()];
  };
  assert.deepEqual(draw(42, 3), draw(42, 3));
  assert.notDeepEqual(draw(42, 3), draw(42, 4));
  assert.notDeepEqual(draw(42, 3), draw(43, 3));
  const r = stepRng(1, 0);
  let sum = 0;
  for (let i = 0; i < 10000; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    sum += u;
  }
  assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02, 'roughly uniform');
  assert.throws(() => stepRng(1, -1), /non-negative integer step/);
});
