import * as tf from '@tensorflow/tfjs-core';

/**
 * A 2-D sin-cos position code for a grid × grid patch layout (row-major), as MAE (He et al. 2022) uses:
 * the first half of the d dimensions encodes the row, the second half the column, each as pairs
 * [sin(k·ω_i), cos(k·ω_i)] with ω_i = 10000^(−i / (d/4)), i = 0 … d/4 − 1, k the row or column index.
 * Every entry is multiplied by `amplitude`. Nearby patches get similar codes and every patch a distinct one,
 * from the first step, so a model can read where a patch is before it has learnt anything.
 *
 * @returns [grid², d] (d must be a multiple of 4)
 */
export function sincos2d(grid: number, d: number, amplitude: number): tf.Tensor2D {
  if (!Number.isInteger(grid) || grid < 1) throw new Error(`sincos2d: grid must be a positive integer, got ${grid}`);
  if (!Number.isInteger(d) || d % 4 !== 0 || d <= 0) throw new Error(`sincos2d: d must be a positive multiple of 4, got ${d}`);
  const quarter = d / 4;
  const values = new Float32Array(grid * grid * d);
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) {
      const base = (r * grid + c) * d;
      for (let i = 0; i < quarter; i++) {
        const w = Math.pow(10000, -i / quarter);
        values[base + 2 * i] = amplitude * Math.sin(r * w);
        values[base + 2 * i + 1] = amplitude * Math.cos(r * w);
        values[base + d / 2 + 2 * i] = amplitude * Math.sin(c * w);
        values[base + d / 2 + 2 * i + 1] = amplitude * Math.cos(c * w);
      }
    }
  }
  return tf.tensor2d(values, [grid * grid, d]);
}
