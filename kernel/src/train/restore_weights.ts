import * as tf from '@tensorflow/tfjs-core';
import type { HostTensor } from './checkpoint_format';
import { loadCheckpoint } from './checkpoint_io';

/**
 * Assigns a checkpoint's 'weights' tensors to `variables`, by position (the order of
 * `TrainTask.variables()`). Throws, naming the variable, when the count or a shape differs.
 */
export function assignWeights(tensors: readonly HostTensor[], variables: readonly tf.Variable[], source = 'checkpoint'): void {
  const weights = tensors.filter((t) => t.group === 'weights');
  if (weights.length !== variables.length) {
    throw new Error(`${source}: holds ${weights.length} weight tensors but the task has ${variables.length} variables.`);
  }
  variables.forEach((v, i) => {
    const w = weights[i];
    if (w.shape.length !== v.shape.length || w.shape.some((d, k) => d !== v.shape[k])) {
      throw new Error(`${source}: weight ${i} ('${w.name}') has shape [${w.shape}] but variable ${i} ('${v.name}') has shape [${v.shape}].`);
    }
  });
  variables.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(weights[i].values, weights[i].shape, 'float32'))));
}

/**
 * Loads the weights of the checkpoint in `dir` into `variables` (e.g. to evaluate a trained model in a
 * notebook without the trainer). Returns the manifest.
 *
 * @example
 *   const manifest = await restoreWeights('runs/ot-seed0', model.variables());
 */
export async function restoreWeights(dir: string, variables: readonly tf.Variable[]) {
  const { manifest, tensors } = await loadCheckpoint(dir);
  assignWeights(tensors, variables, `checkpoint in ${dir}`);
  return manifest;
}
