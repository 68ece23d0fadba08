/**
 * Runs one test body on every available compute backend, in this process, and compares what each returns.
 *
 *   test('softmax agrees', async (t) => {
 *     const runs = await forEachBackend(t, async () => tf.tidy(() => tf.softmax(x())).data());
 *     assertAgree(runs, 1e-5);
 *   });
 *
 * Backends: `cpu` (pure JS, the reference: plain float32 loops), `wasm` (always installed) and `webgpu`
 * (Dawn over Vulkan; on machines without GPU the Mesa lavapipe adapter that scripts/setup/30-vulkan-lavapipe.sh
 * installs). Where webgpu is missing the body is skipped on it with a diagnostic, except under CI=true,
 * where a missing webgpu is a test failure.
 *
 * Why one process and `tf.setBackend` rather than one child process per backend: TF.js keeps every backend
 * registered side by side, switching costs nothing after the first initialisation (webgpu ~0.2-0.5 s once),
 * while a child process pays node + tsx + TF.js start-up (~1.5 s) per backend per test and needs the body
 * serialised. The body must create its tensors itself (inputs from seeds, not from tensors made before the
 * call), so nothing silently migrates between backends; every run is checked for leaked tensors.
 */
import * as assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../kernel/src/backend';

export type TestBackend = 'cpu' | 'wasm' | 'webgpu';

/** Every backend the cross-backend suite knows; the first available one is the reference. */
export const TEST_BACKENDS: readonly TestBackend[] = ['cpu', 'wasm', 'webgpu'];

/** What a body may return: numbers, typed arrays, arrays or records of them. */
export type Numeric = number | Float32Array | Int32Array | Uint8Array | number[] | { [key: string]: Numeric } | Numeric[];

export interface BackendRun<T> {
  backend: TestBackend;
  value: T;
  ms: number;
}

const unavailable = new Map<TestBackend, string>();

/** Selects `name` (initialising it once per process); undefined when it is available, else why not. */
export async function useBackend(name: TestBackend): Promise<string | undefined> {
  const known = unavailable.get(name);
  if (known !== undefined) return known;
  try {
    await initBackend({ backend: name, log: null });
    return undefined;
  } catch (error) {
    const reason = (error as Error).message;
    unavailable.set(name, reason);
    return reason;
  }
}

function requiredInCi(name: TestBackend): boolean {
  return process.env.CI === 'true' && (name === 'wasm' || name === 'webgpu' || name === 'cpu');
}

/**
 * Runs `body` once per available backend (selected before the call) and returns the results in backend
 * order. Fails the test when a body leaks tensors on a backend, or (CI=true) when a backend is missing.
 * `only` restricts the backends (e.g. a slow body on ['wasm', 'webgpu']).
 */
export async function forEachBackend<T>(
  t: TestContext | undefined,
  body: (backend: TestBackend) => T | Promise<T>,
  only: readonly TestBackend[] = TEST_BACKENDS,
): Promise<BackendRun<T>[]> {
  const runs: BackendRun<T>[] = [];
  const previous = tf.getBackend();
  try {
    for (const name of only) {
      const missing = await useBackend(name);
      if (missing !== undefined) {
        if (requiredInCi(name)) assert.fail(`backend ${name} is unavailable under CI=true: ${missing}`);
        t?.diagnostic(`${name} skipped: ${missing.split('\n')[0]}`);
        continue;
      }
      // tfjs-backend-webgpu runs ops on inputs of < 1000 elements whose data still sits on the CPU with the
      // cpu backend's kernels ("CPU forwarding"): off here, so that every op of the body runs a WebGPU shader.
      if (name === 'webgpu') tf.env().set('WEBGPU_CPU_FORWARD', false);
      const before = tf.memory().numTensors;
      const start = performance.now();
      const value = await body(name);
      const ms = performance.now() - start;
      const leaked = tf.memory().numTensors - before;
      assert.equal(leaked, 0, `${name}: the body leaked ${leaked} tensor(s)`);
      runs.push({ backend: name, value, ms });
    }
  } finally {
    if (previous && tf.getBackend() !== previous) await tf.setBackend(previous);
  }
  return runs;
}

/** Flattens a Numeric into [path, value] pairs, so two results can be compared entry by entry. */
function flatten(value: Numeric, prefix: string, out: Map<string, ArrayLike<number>>): void {
  if (typeof value === 'number') out.set(prefix, [value]);
  else if (ArrayBuffer.isView(value) || (Array.isArray(value) && value.every((v) => typeof v === 'number'))) {
    out.set(prefix, value as ArrayLike<number>);
  } else if (Array.isArray(value)) value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  else for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
}

export interface Disagreement {
  key: string;
  index: number;
  reference: number;
  value: number;
  diff: number;
}

/** Largest |a - b| over entries, with where it happens; NaN/Infinity must match exactly. */
export function maxDifference(a: Numeric, b: Numeric): Disagreement {
  const fa = new Map<string, ArrayLike<number>>();
  const fb = new Map<string, ArrayLike<number>>();
  flatten(a, '', fa);
  flatten(b, '', fb);
  assert.deepEqual([...fb.keys()], [...fa.keys()], 'results have different structure');
  let worst: Disagreement = { key: '', index: -1, reference: 0, value: 0, diff: 0 };
  for (const [key, ra] of fa) {
    const rb = fb.get(key)!;
    assert.equal(rb.length, ra.length, `${key}: length ${rb.length} vs ${ra.length}`);
    for (let i = 0; i < ra.length; i++) {
      const x = ra[i]!;
      const y = rb[i]!;
      const diff = Number.isFinite(x) && Number.isFinite(y) ? Math.abs(x - y) : Object.is(x, y) ? 0 : Infinity;
      if (diff > worst.diff || Number.isNaN(diff)) worst = { key, index: i, reference: x, value: y, diff };
    }
  }
  return worst;
}

/**
 * Asserts every backend's result agrees with the reference (the first run) within `tol`, entry by entry of
 * each named array: |value - reference| <= tol * max(1, max |reference| of that array) — absolute for
 * arrays of order 1 (plans, gradients), relative for large ones (a loss summed over thousands of terms).
 * Returns the worst scaled difference per backend.
 */
export function assertAgree(runs: BackendRun<Numeric>[], tol: number, t?: TestContext): Record<string, number> {
  assert.ok(runs.length > 0, 'no backend ran');
  const [reference, ...others] = runs;
  const ref = new Map<string, ArrayLike<number>>();
  flatten(reference!.value, '', ref);
  const worst: Record<string, number> = {};
  for (const run of others) {
    const got = new Map<string, ArrayLike<number>>();
    flatten(run.value, '', got);
    assert.deepEqual([...got.keys()], [...ref.keys()], `${run.backend}: results have a different structure`);
    let max = 0;
    let where = '';
    for (const [key, r] of ref) {
      const v = got.get(key)!;
      assert.equal(v.length, r.length, `${run.backend}: ${key || 'value'} has length ${v.length}, expected ${r.length}`);
      let scale = 1;
      for (let i = 0; i < r.length; i++) if (Number.isFinite(r[i]!)) scale = Math.max(scale, Math.abs(r[i]!));
      const d = maxDifference(Array.from(r), Array.from(v));
      const scaled = d.diff / scale;
      if (scaled > max || Number.isNaN(scaled)) {
        max = scaled;
        where = `${key || 'value'}[${d.index}]: ${d.value} vs ${d.reference} (|diff| ${d.diff}, scale ${scale})`;
      }
    }
    worst[run.backend] = max;
    t?.diagnostic(`${run.backend} vs ${reference!.backend}: max scaled |diff| ${max.toExponential(2)} (${run.ms.toFixed(0)} ms vs ${reference!.ms.toFixed(0)} ms)`);
    assert.ok(max <= tol, `${run.backend} disagrees with ${reference!.backend} beyond ${tol} at ${where}`);
  }
  return worst;
}

/** Deterministic inputs: the same numbers on every backend (TF.js random ops differ between backends). */
export function seeded(shape: number[], seed: number, scale = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    // xorshift32, then a sum of 3 uniforms (roughly normal, mean 0, variance 1/4 * 3 / 3)
    let acc = 0;
    for (let k = 0; k < 3; k++) {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      acc += s / 4294967296 - 0.5;
    }
    values[i] = acc * 2 * scale;
  }
  return tf.tensor(values, shape, 'float32');
}
