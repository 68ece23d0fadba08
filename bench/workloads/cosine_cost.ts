import * as tf from '@tensorflow/tfjs-core';

/**
 * The benchmark cost of ../shared/bench-workloads.md: C[b,i,j] = 1 - cos(x[b,i], y[b,j]) with
 * x [B, n, d], y [B, m, d] ~ N(0, 1) (seeded), so C is in [0, 2]. Returns [B, n, m].
 */
export function cosineCost(B: number, n: number, m: number, d: number, seed: number): tf.Tensor3D {
  return tf.tidy(() => {
    const unit = (t: tf.Tensor) => t.div(t.norm('euclidean', -1, true));
    const x = unit(tf.randomNormal([B, n, d], 0, 1, 'float32', seed)); // [B, n, d]
    const y = unit(tf.randomNormal([B, m, d], 0, 1, 'float32', seed + 1)); // [B, m, d]
    const cos = tf.matMul(x, y.transpose([0, 2, 1])); // [B, n, m]
    return tf.sub(1, cos).maximum(0) as tf.Tensor3D; // rounding can make 1 - cos slightly negative
  });
}
