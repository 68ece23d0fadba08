import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { cpuDescription } from '../cpu_description';
import { explainLoadError } from '../explain_load_error';
import type { LoadResult } from './load_result';

/** Loads a libtensorflow binding package; both register the TF.js backend 'tensorflow'. */
async function loadBinding(packageName: string): Promise<LoadResult | undefined> {
  try {
    // A runtime require: these are optionalDependencies and usually absent.
    require(packageName);
  } catch (error) {
    return { ok: false, reason: explainLoadError(packageName, error) };
  }
  if (!(await tf.setBackend('tensorflow'))) {
    return { ok: false, reason: `${packageName} loaded but TF.js could not initialise its 'tensorflow' backend.` };
  }
  return undefined;
}

/**
 * `@tensorflow/tfjs-node-gpu`: accepted only when a CUDA GPU is really used. libtensorflow's GPU build
 * silently runs on the CPU when no GPU is visible, so after a first op we check that the CUDA driver
 * library was actually mapped into this process.
 */
export async function loadTfjsNodeGpu(): Promise<LoadResult> {
  const failed = await loadBinding('@tensorflow/tfjs-node-gpu');
  if (failed) return failed;
  tf.tidy(() => tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).dataSync());
  if (process.platform === 'linux') {
    const maps = fs.readFileSync('/proc/self/maps', 'utf8');
    if (!/libcuda\.so/.test(maps)) {
      return {
        ok: false,
        reason:
          'tfjs-node-gpu loaded, but no CUDA GPU was used (the NVIDIA driver library libcuda.so was never loaded: no NVIDIA driver or no visible GPU).',
      };
    }
  }
  return { ok: true, tfBackend: 'tensorflow', device: 'NVIDIA GPU via CUDA (libtensorflow, tfjs-node-gpu)' };
}

/** `@tensorflow/tfjs-node`: multi-threaded libtensorflow on the CPU. */
export async function loadTfjsNode(): Promise<LoadResult> {
  const failed = await loadBinding('@tensorflow/tfjs-node');
  if (failed) return failed;
  return { ok: true, tfBackend: 'tensorflow', device: `CPU: ${cpuDescription()} (libtensorflow, tfjs-node)` };
}
