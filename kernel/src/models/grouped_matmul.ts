import * as tf from '@tensorflow/tfjs-core';

/**
 * G independent matrix products in one call, laid out for a depthwise convolution:
 *
 *   out[i, g, j] = Σ_c x[i, c, g] · f[c, g, j]        x [n, k, G], f [k, G, m] → out [n, G, m]
 *
 * Why not `tf.matMul` on [G, n, k]·[G, k, m]? On the wasm backend a batched (3-D) product takes a slow
 * scalar loop (~2 GFLOP/s), while `depthwiseConv2d` runs XNNPACK's grouped kernels: ~6× faster for the
 * attention shapes here. The product is exactly a depthwise convolution of the image x [1, n, k, G]
 * (height n, width k, G channels) with the filter f [1, k, G, m] (width k, channel multiplier m), 'valid'
 * padding: output [1, n, 1, G·m], channel g·m + j.
 *
 * Gradient (wasm has no depthwise backprop kernels, so both are again grouped products):
 *   dx[i, c, g] = Σ_j dy[i, g, j] f[c, g, j]   (x' = dyᵀ [n, m, G], f' = fᵀ [m, G, k], then swap axes)
 *   df[c, g, j] = Σ_i x[i, c, g] dy[i, g, j]   (x' = x [k, n, G], f' = dy [n, G, m])
 */
export const groupedMatMul = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, f, save] = args as [tf.Tensor3D, tf.Tensor3D, tf.GradSaveFunc];
  if (x.rank !== 3 || f.rank !== 3 || x.shape[1] !== f.shape[0] || x.shape[2] !== f.shape[1]) {
    throw new Error(`groupedMatMul: expected x [n, k, G] and f [k, G, m]; got x [${x.shape}], f [${f.shape}]`);
  }
  save([x, f]);
  const value = groupedProduct(x, f); // [n, G, m]
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [xs, fs] = saved as [tf.Tensor3D, tf.Tensor3D];
    const dy3 = dy as tf.Tensor3D; // [n, G, m]
    const dxT = groupedProduct(tf.transpose(dy3, [0, 2, 1]), tf.transpose(fs, [2, 1, 0])); // [n, G, k]
    const dx = tf.transpose(dxT, [0, 2, 1]); // [n, k, G]
    const df = groupedProduct(tf.transpose(xs, [1, 0, 2]), dy3); // [k, G, m]
    return [dx, df];
  };
  return { value, gradFunc };
}) as (x: tf.Tensor3D, f: tf.Tensor3D) => tf.Tensor3D;

/** The forward product (no gradient): x [n, k, G], f [k, G, m] → [n, G, m]. */
function groupedProduct(x: tf.Tensor3D, f: tf.Tensor3D): tf.Tensor3D {
  const [n, k, g] = x.shape;
  const m = f.shape[2];
  const image = tf.reshape(x, [1, n, k, g]) as tf.Tensor4D; // [1, n, k, G]
  const filter = tf.reshape(f, [1, k, g, m]) as tf.Tensor4D; // [1, k, G, m]
  const out = tf.depthwiseConv2d(image, filter, 1, 'valid'); // [1, n, 1, G·m]
  return tf.reshape(out, [n, g, m]); // [n, G, m]
}
