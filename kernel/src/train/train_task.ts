import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from './step_rng';

/**
 * What the trainer needs from a model + data + loss, and nothing more (nanoGPT / open_clip spirit:
 * the trainer never sees an encoder, a tokenizer or a dataset).
 *
 * Contract, per step s (0-based):
 *   batch = task.nextBatch(s, rng_s)            rng_s depends only on (seed, s) — see step_rng.ts
 *   { total, parts } = task.lossFn(batch, s)    called inside the gradient tape and a tf.tidy
 *   task.disposeBatch?.(batch)                  after the update (also on cancel / error)
 *
 * Tensor ownership: tensors created by `lossFn` are owned by the trainer (it runs lossFn inside
 * tf.tidy); tensors in a batch are owned by the task and released by `disposeBatch` (a task whose
 * batches are plain arrays, or that creates its tensors inside lossFn, needs no disposeBatch).
 * `variables()` must return the same variables, in the same order, on every call: a checkpoint
 * stores them by position (their names are recorded for humans and checked loosely).
 *
 * @example
 *   const w = tf.variable(tf.zeros([3, 1]), true, 'linreg/w');
 *   const task: TrainTask<{ x: number[][]; y: number[] }> = {
 *     config: { kind: 'linreg', dim: 3 },
 *     variables: () => [w],
 *     nextBatch: (step, rng) => makeBatch(rng, 8),
 *     lossFn: (b) => {
 *       const mse = tf.losses.meanSquaredError(tf.tensor2d(b.y, [8, 1]), tf.matMul(tf.tensor2d(b.x), w)) as tf.Scalar;
 *       return { total: mse, parts: { mse } };
 *     },
 *     batchSize: () => 8,
 *   };
 */
export interface TrainTask<B = unknown> {
  /** Trainable variables, same order every call. */
  variables(): tf.Variable[];
  /**
   * The loss of one batch: `total` is differentiated; `parts` are named scalars reported in progress
   * events and checkpoints (they may include `total`'s summands; they are not differentiated).
   * Must not read tensor values (no dataSync/data): the trainer does the one read per step.
   */
  lossFn(batch: B, step: number): LossOutput;
  /** The batch of step `step`, drawn only from `rng` (and the task's fixed data) so runs are reproducible. */
  nextBatch(step: number, rng: Rng): B;
  /** Releases the tensors of a batch. Called exactly once per batch the trainer obtained. */
  disposeBatch?(batch: B): void;
  /** Examples in a batch, for examples/s. Default: 1 (then examples/s is batches/s). */
  batchSize?(batch: B): number;
  /**
   * The task's fully resolved configuration (model, data, loss hyper-parameters): plain JSON. Stored in
   * every checkpoint and compared on resume — a mismatch is an error naming the field.
   */
  readonly config?: unknown;
}

/** The named loss of one batch. */
export interface LossOutput {
  total: tf.Scalar;
  parts: Record<string, tf.Scalar>;
}
