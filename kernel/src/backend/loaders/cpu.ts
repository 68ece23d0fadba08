import * as tf from '@tensorflow/tfjs-core';
import { cpuDescription } from '../cpu_description';
import type { LoadResult } from './load_result';

/** `@tensorflow/tfjs-backend-cpu`: plain JavaScript, ~30x slower than wasm; the last resort. */
export async function loadCpu(): Promise<LoadResult> {
  require('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) return { ok: false, reason: 'the pure-JavaScript cpu backend failed to initialise.' };
  return { ok: true, tfBackend: 'cpu', device: `CPU: ${cpuDescription()} (pure JavaScript)` };
}
