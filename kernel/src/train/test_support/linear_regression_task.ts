import * as tf from '@tensorflow/tfjs-core';
import type { TrainTask } from '../train_task';

/**
 * A tiny task for trainer tests: linear regression y = x·w + b with w, b learned, batches of seeded
 * Gaussian x. Batches hold tensors (so disposeBatch is exercised). `nanAtStep` makes the loss NaN at
 * that 0-based step.
 */
export interface LinregBatch {
  x: tf.Tensor2D; // [batch, dim]
  y: tf.Tensor2D; // [batch, 1]
}

export function linearRegressionTask(o: { dim?: number; batch?: number; initSeed?: number; nanAtStep?: number } = {}) {
  const dim = o.dim ?? 3;
  const batch = o.batch ?? 8;
  const trueW = Array.from({ length: dim }, (_, i) => (i % 2 === 0 ? 1.5 : -2) + 0.1 * i);
  const init = o.initSeed ?? 1;
  const w = tf.tidy(() => tf.variable(tf.tensor2d(Array.from({ length: dim }, (_, i) => Math.sin(init + i)), [dim, 1])));
  const b = tf.tidy(() => tf.variable(tf.tensor1d([Math.cos(init)])));
  const task: TrainTask<LinregBatch> & { dispose(): void } = {
    config: { kind: 'linreg', dim, batch },
    variables: () => [w, b],
    nextBatch: (_step, rng) => {
      const xs: number[] = [];
      const ys: number[] = [];
      for (let r = 0; r < batch; r++) {
        let y = 0.5 + 0.01 * rng.normal();
        for (let c = 0; c < dim; c++) {
          const x = rng.normal();
          xs.push(x);
          y += x * trueW[c];
        }
        ys.push(y);
      }
      return { x: tf.tensor2d(xs, [batch, dim]), y: tf.tensor2d(ys, [batch, 1]) };
    },
    disposeBatch: (bt) => tf.dispose([bt.x, bt.y]),
    lossFn: (bt, step) => {
      const pred = tf.add(tf.matMul(bt.x, w), b); // [batch, 1]
      let mse = tf.mean(tf.square(tf.sub(pred, bt.y))) as tf.Scalar; // []
      if (step === o.nanAtStep) mse = tf.mul(mse, tf.scalar(NaN));
      const l1 = tf.mean(tf.abs(w)) as tf.Scalar;
      return { total: mse, parts: { mse, l1w: l1 } };
    },
    batchSize: () => batch,
    dispose: () => tf.dispose([w, b]),
  };
  return task;
}
