/** The cross-backend helper itself: it runs on each backend, catches leaks and disagreements. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { assertAgree, forEachBackend, maxDifference, type BackendRun, type Numeric } from './for_each_backend';

const run = (backend: 'cpu' | 'wasm' | 'webgpu', value: Numeric): BackendRun<Numeric> => ({ backend, value, ms: 0 });

test('the body runs once per available backend, on that backend', async (t) => {
  const runs = await forEachBackend(t, () => tf.getBackend());
  assert.ok(runs.length >= 2, 'cpu and wasm are always available');
  for (const r of runs) assert.equal(r.value, r.backend);
});

test('a body that leaks a tensor fails, naming the backend', async () => {
  let leaked: tf.Tensor | undefined;
  await assert.rejects(
    forEachBackend(undefined, () => {
      leaked = tf.ones([2]);
    }, ['cpu']),
    /cpu: the body leaked 1 tensor/,
  );
  leaked?.dispose();
});

test('assertAgree: scaled per array, names the entry that disagrees', () => {
  assert.doesNotThrow(() => assertAgree([run('cpu', { a: [1, 2] }), run('wasm', { a: [1, 2 + 5e-6] })], 1e-5));
  assert.throws(() => assertAgree([run('cpu', { a: [1, 2] }), run('wasm', { a: [1, 2 + 5e-5] })], 1e-5), /wasm disagrees with cpu.*a\[1\]/);
  // a large array is compared relative to its magnitude
  assert.doesNotThrow(() => assertAgree([run('cpu', { big: [1e4] }), run('wasm', { big: [1e4 + 0.05] })], 1e-5));
  // NaN / Infinity must match exactly
  assert.doesNotThrow(() => assertAgree([run('cpu', [NaN, -Infinity]), run('wasm', [NaN, -Infinity])], 1e-5));
  assert.throws(() => assertAgree([run('cpu', [NaN]), run('wasm', [0])], 1e-5), /disagrees/);
  assert.throws(() => assertAgree([run('cpu', { a: [1] }), run('wasm', { b: [1] })], 1e-5), /different structure/);
});

test('maxDifference finds the worst entry', () => {
  const d = maxDifference({ x: new Float32Array([0, 1, 2]) }, { x: new Float32Array([0, 1.5, 2]) });
  assert.deepEqual([d.key, d.index, d.diff], ['x', 1, 0.5]);
});
