// the union package registers tfjs's default gradients when first loaded: load it before overriding one
import './tfjs_runtime';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradients for the `Sum` and `Mean` kernels that broadcast dy instead of multiplying it by a ones tensor.
 *
 * tfjs-core's own gradients are dx = reshape(dy) · ones(x.shape) (and / n for the mean): the ones tensor is
 * filled on the host every call and, on webgpu, uploaded through a new staging buffer. For the OT loss's sum
 * over the [32, 32, 64, 16] plan-weighted similarities that is a 4 MB host array per step — 13% of a
 * train-step-ot's host time on an H200 (profile from `GPU_CHECK_PROFILE=train-step-ot`). `tf.broadcastTo`
 * gives the same values in one kernel on the device. Same math, same rounding (x·1 = x; the mean divides
 * the broadcast values by n as tfjs-core does). On wasm the ones product stays (faster there than Tile).
 *
 * Registered once, on import (fast_matmul_gradient.ts imports it; every model and loss module imports that).
 */
function expandedDy(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): tf.Tensor {
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const shape = x.shape.slice();
  for (const a of axes) shape[a] = 1;
  const dyExpanded = tf.reshape(dy, shape);
  // wasm: its broadcasting multiply (XNNPACK) is fast and its Tile slow (train-step-ot 485 → 606 ms with Tile)
  return tf.getBackend() === 'wasm' ? tf.mul(dyExpanded, tf.ones(x.shape, 'float32')) : tf.broadcastTo(dyExpanded, x.shape);
}

const sumGrad: tf.GradFunc = (dy, saved, attrs) => {
  const [x] = saved as [tf.Tensor];
  const { axis } = attrs as unknown as { axis: number | number[] };
  return { x: () => expandedDy(dy as tf.Tensor, x, axis) };
};

const meanGrad: tf.GradFunc = (dy, saved, attrs) => {
  const [x] = saved as [tf.Tensor];
  const { axis } = attrs as unknown as { axis: number | number[] };
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const reduceSize = axes.reduce((n, a) => n * x.shape[a]!, 1);
  return { x: () => tf.div(expandedDy(dy as tf.Tensor, x, axis), reduceSize) };
};

export function registerBroadcastReduceGradients(): void {
  if (registered) return;
  for (const [kernelName, gradFunc] of [[tf.Sum, sumGrad], [tf.Mean, meanGrad]] as const) {
    if (tf.getGradient(kernelName) !== undefined) tf.unregisterGradient(kernelName);
    tf.registerGradient({ kernelName, inputsToSave: ['x'], gradFunc });
  }
  registered = true;
}

let registered = false;

registerBroadcastReduceGradients();
