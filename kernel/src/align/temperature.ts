import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../models/module';

/**
 * A learnable softmax temperature τ = exp(log τ), as in CLIP (which learns log(1/τ)); the log keeps
 * τ positive and the updates scale-free. Pass `value()` as a loss's `temperature`.
 *
 * @example
 *   const temp = new LearnableTemperature(0.07);
 *   const { total } = globalLoss(img, txt, mask, { temperature: temp.value() });
 */
export class LearnableTemperature extends Module {
  readonly logTemperature: tf.Variable; // []

  constructor(initial = 0.07) {
    super();
    if (!(initial > 0)) throw new Error(`LearnableTemperature: initial must be > 0, got ${initial}`);
    const init = tf.scalar(Math.log(initial));
    this.logTemperature = this.param('logTemperature', tf.variable(init, true));
    init.dispose();
  }

  /** τ as a scalar tensor (differentiable w.r.t. `logTemperature`). */
  value(): tf.Scalar {
    return tf.exp(this.logTemperature) as tf.Scalar;
  }
}
