import * as tf from '@tensorflow/tfjs-core';

/**
 * Central finite differences of a scalar function at x (every element; small tensors only), in float32:
 * use h ≈ 1e-2 and tolerances ≈ 1e-2 relative to the gradient's scale.
 */
export function numericGrad(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, h = 1e-2): Float32Array {
  const base = x.dataSync().slice();
  const out = new Float32Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const at = (delta: number) =>
      tf.tidy(() => {
        const v = base.slice();
        v[i] = v[i]! + delta;
        return f(tf.tensor(v, x.shape)).dataSync()[0]!;
      });
    out[i] = (at(h) - at(-h)) / (2 * h);
  }
  return out;
}

/** max |a − b| / max(max |b|, floor): a scale-aware error for comparing gradients. */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  let diff = 0;
  let scale = floor;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

/** A seeded random dy for `sum(f(x) · R)` style checks. */
export function randomLike(x: tf.Tensor, seed: number): tf.Tensor {
  return tf.randomNormal(x.shape, 0, 1, 'float32', seed);
}
