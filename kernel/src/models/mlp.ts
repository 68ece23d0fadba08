import type * as tf from '@tensorflow/tfjs-core';
import { gelu } from './gelu';
import { Linear } from './linear';
import { Module } from './module';

/** The transformer's position-wise MLP: Linear(d → hidden) → GELU → Linear(hidden → d). */
export class Mlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(width: number, hidden: number, seed: number, path: string) {
    super();
    this.fc1 = this.child('fc1', new Linear(width, hidden, seed, `${path}.fc1`));
    this.fc2 = this.child('fc2', new Linear(hidden, width, seed, `${path}.fc2`));
  }

  /** [..., d] → [..., d] */
  forward(x: tf.Tensor): tf.Tensor {
    return this.fc2.forward(gelu(this.fc1.forward(x))); // [..., hidden] → [..., d]
  }
}
