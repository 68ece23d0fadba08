import * as tf from '@tensorflow/tfjs-core';
import { cpuDescription } from '../cpu_description';
import type { LoadResult } from './load_result';

/** `@tensorflow/tfjs-backend-wasm`: XNNPACK compiled to WebAssembly; its binaries ship in the npm package. */
export async function loadWasm(): Promise<LoadResult> {
  try {
    require('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    return { ok: false, reason: `@tensorflow/tfjs-backend-wasm failed to load: ${(error as Error).message}` };
  }
  try {
    if (!(await tf.setBackend('wasm'))) return { ok: false, reason: 'the WebAssembly backend failed to initialise.' };
  } catch (error) {
    return { ok: false, reason: `the WebAssembly backend failed to initialise: ${(error as Error).message}` };
  }
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const features = `${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'multi-threaded' : '1 thread'}`;
  return { ok: true, tfBackend: 'wasm', device: `CPU: ${cpuDescription()} (WebAssembly, ${features})` };
}
