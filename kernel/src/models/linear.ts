import * as tf from '@tensorflow/tfjs-core';
import { affine } from './affine';
import { constantInit, normalInit } from './init';
import { Module } from './module';

/** A fully connected layer y = x·W + b applied to the last axis: [..., inDim] → [..., outDim]. */
export class Linear extends Module {
  readonly weight: tf.Variable; // [inDim, outDim]
  readonly bias: tf.Variable; // [outDim]

  constructor(readonly inDim: number, readonly outDim: number, seed: number, path: string, std = 0.02) {
    super();
    this.weight = this.param('weight', normalInit([inDim, outDim], std, seed, `${path}.weight`));
    this.bias = this.param('bias', constantInit([outDim], 0));
  }

  forward(x: tf.Tensor): tf.Tensor {
    // fold leading axes into rows: a 2-D product is ~15× faster on wasm than a broadcast 3-D·2-D one
    const lead = x.shape.slice(0, -1);
    const x2 = tf.reshape(x, [-1, this.inDim]) as tf.Tensor2D; // [N, inDim]
    const y2 = affine(x2, this.weight as tf.Tensor2D, this.bias as tf.Tensor1D); // [N, outDim]
    return tf.reshape(y2, [...lead, this.outDim]); // [..., outDim]
  }
}
