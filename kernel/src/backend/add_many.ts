import * as tf from '@tensorflow/tfjs-core';
import { webgpuBackend } from './webgpu_program';

/**
 * The element-wise sum of many same-shape tensors: `tf.addN`, split into groups the backend can take.
 *
 * TF.js's webgpu AddN binds every input as a storage buffer in one shader, and a WebGPU device allows only
 * `maxStorageBuffersPerShaderStage` (8 by default: 7 inputs + the output). With more inputs the pipeline is
 * invalid: Dawn prints a validation error and the "sum" is garbage (zeros) — e.g. the global gradient norm
 * over a model's 80 parameters. Here the inputs are added in groups of at most that many, then the partial
 * sums, until one is left. Other backends take any number in one `tf.addN`.
 */
export function addMany(tensors: readonly tf.Tensor[]): tf.Tensor {
  if (tensors.length === 0) throw new Error('addMany: expected at least one tensor.');
  const webgpu = webgpuBackend() as { device: { limits: { maxStorageBuffersPerShaderStage?: number } } } | null;
  const limit = webgpu ? Math.max(2, (webgpu.device.limits.maxStorageBuffersPerShaderStage ?? 8) - 1) : Infinity;
  let level: tf.Tensor[] = tensors.slice();
  while (level.length > limit) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i < level.length; i += limit) {
      const group = level.slice(i, i + limit);
      next.push(group.length === 1 ? group[0]! : tf.addN(group));
    }
    level = next;
  }
  return level.length === 1 ? tf.clone(level[0]!) : tf.addN(level);
}
