import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateRuns } from './aggregate';
import { intervalsDisjoint, meanCi, tQuantile975 } from './confidence_interval';

const close = (a: number, b: number, tol = 1e-4): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('t quantiles: table values and the large-df expansion (scipy.stats.t.ppf(0.975, df))', () => {
  close(tQuantile975(1), 12.7062);
  close(tQuantile975(2), 4.3027);
  close(tQuantile975(30), 2.0423);
  close(tQuantile975(31), 2.0395); // expansion from here on
  close(tQuantile975(60), 2.0003);
  close(tQuantile975(1000), 1.9623);
  assert.throws(() => tQuantile975(0), /df must be a positive integer, got 0/);
});

test('mean ± 95% CI on hand-computed values', () => {
  // [0.5, 0.6, 0.7]: mean 0.6, s = 0.1, half-width = 4.3027 · 0.1 / √3 = 0.24842
  const a = meanCi([0.5, 0.6, 0.7]);
  close(a.mean, 0.6, 1e-12);
  close(a.std, 0.1, 1e-12);
  close(a.halfWidth, 0.24842);
  close(a.lower, 0.6 - 0.24842);
  assert.equal(a.n, 3);
  // [1, 2, 3, 4]: mean 2.5, s = √(5/3) = 1.29099, half-width = 3.1824 · 1.29099 / 2 = 2.05420
  const b = meanCi([1, 2, 3, 4]);
  close(b.mean, 2.5, 1e-12);
  close(b.halfWidth, 2.0542);
  // one value: no interval; NaN values are skipped
  assert.ok(Number.isNaN(meanCi([0.3]).halfWidth));
  close(meanCi([0.2, NaN, 0.4]).mean, 0.3, 1e-12);
});

test('disjoint intervals', () => {
  assert.equal(intervalsDisjoint(meanCi([0.5, 0.6, 0.7]), meanCi([0.1, 0.11, 0.12])), true);
  assert.equal(intervalsDisjoint(meanCi([0.5, 0.6, 0.7]), meanCi([0.4, 0.5, 0.6])), false);
  assert.equal(intervalsDisjoint(meanCi([0.5]), meanCi([0.1])), false, 'an undefined interval never separates');
});

test('aggregateRuns groups by method, in the given order, key by key', () => {
  const runs = [
    { method: 'global', metrics: { hit: 0.2, r1: 0.5 } },
    { method: 'ot', metrics: { hit: 0.6 } },
    { method: 'global', metrics: { hit: 0.4, r1: 0.7 } },
    { method: 'ot', metrics: { hit: 0.8 } },
  ];
  const s = aggregateRuns(runs, ['ot', 'global']);
  assert.deepEqual(Object.keys(s), ['ot', 'global']);
  close(s.global!.hit!.mean, 0.3, 1e-12);
  close(s.global!.hit!.halfWidth, (12.7062 * Math.SQRT2 * 0.1) / Math.SQRT2); // s = 0.1414, √2
  close(s.ot!.hit!.mean, 0.7, 1e-12);
  assert.deepEqual(s.global!.r1!.values, [0.5, 0.7]);
  assert.equal(s.ot!.r1, undefined);
});
