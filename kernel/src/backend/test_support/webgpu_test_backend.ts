/**
 * Test helpers for code with WebGPU paths, on the webgpu backend (on machines without a GPU the Mesa lavapipe
 * adapter of scripts/setup/30-vulkan-lavapipe.sh).
 *
 *   const webgpu = useWebgpuBackend();            // a `before` hook: initialise webgpu, or note why not
 *   it('…', (t) => { if (webgpu.skip(t)) return; … recordWebgpu(() => …).programs … });
 *
 * Where WebGPU is missing the tests are skipped with the reason, except under CI=true, where that is a
 * failure. CPU forwarding is off, so every op of a test is a WebGPU shader even for small inputs.
 */
import assert from 'node:assert/strict';
import { before, type TestContext } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../init_backend';

export interface WebgpuTestBackend {
  /** Why webgpu could not be initialised, or undefined once it is. */
  missing(): string | undefined;
  /** Skips `t` (returning true) where webgpu is missing. */
  skip(t: TestContext): boolean;
}

export function useWebgpuBackend(): WebgpuTestBackend {
  let missing: string | undefined;
  before(async () => {
    try {
      await initBackend({ backend: 'webgpu', log: null });
      tf.env().set('WEBGPU_CPU_FORWARD', false);
    } catch (error) {
      if (process.env.CI === 'true') throw error;
      missing = (error as Error).message.split('\n')[0];
    }
  });
  return {
    missing: () => missing,
    skip(t) {
      if (missing === undefined) return false;
      t.skip(`webgpu unavailable: ${missing}`);
      return true;
    },
  };
}

/** What `fn` made the webgpu backend do: the program names of its dispatches, and its uploads of CPU-held tensor values. */
export function recordWebgpu(fn: () => void): { programs: string[]; uploads: number } {
  const backend = tf.backend() as unknown as {
    recordAndSubmit: (program: object, ...rest: unknown[]) => void;
    uploadToGPU: (dataId: object) => void;
    tensorMap: { get(id: object): { resource: unknown; values: unknown } };
  };
  const { recordAndSubmit, uploadToGPU } = backend;
  assert.equal(typeof recordAndSubmit, 'function', 'tfjs-backend-webgpu 4.22 records dispatches in recordAndSubmit');
  const out = { programs: [] as string[], uploads: 0 };
  backend.recordAndSubmit = function (this: unknown, program: object, ...rest: unknown[]) {
    out.programs.push(program.constructor.name);
    return recordAndSubmit.call(this, program, ...rest);
  };
  backend.uploadToGPU = function (this: typeof backend, dataId: object) {
    const data = this.tensorMap.get(dataId);
    if (data.resource == null && data.values != null) out.uploads++;
    return uploadToGPU.call(this, dataId);
  };
  try {
    fn();
  } finally {
    backend.recordAndSubmit = recordAndSubmit;
    backend.uploadToGPU = uploadToGPU;
  }
  return out;
}
