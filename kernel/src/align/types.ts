import type * as tf from '@tensorflow/tfjs-core';

/** What every alignment loss returns (open_clip style): the scalar to minimise and its named parts. */
export interface LossOutput {
  /** Scalar to minimise. */
  total: tf.Scalar;
  /** Named unweighted components (`global`, `ot`, ...); for a single loss, one entry equal to `total`. */
  parts: Record<string, tf.Scalar>;
}

/**
 * A softmax temperature: a fixed number, or a scalar tensor (e.g. `LearnableTemperature.value()`, whose
 * variable then receives a gradient).
 */
export type Temperature = number | tf.Scalar;
