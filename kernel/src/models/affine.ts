import * as tf from '@tensorflow/tfjs-core';
import { explicitTransposes, product, rowSum } from '../backend/fast_matmul_gradient';

/**
 * y = x·W + b for a row-major batch x [N, k], W [k, m], b [m], with a hand-written gradient:
 *
 *   dx = dy·Wᵀ,   dW = xᵀ·dy,   db = 1ᵀ·dy
 *
 * On the wasm backend every product is a plain 2-D `matMul` with explicit (fast) transposes: there the
 * transpose-flagged products of tfjs-core's default gradient are 10–27× slower, and `tf.sum(dy, 0)`
 * (what `tf.add`'s broadcast gradient does for the bias) is ~10× slower than the ones-row product. Other
 * backends get flagged products and `tf.sum` (fewer GPU dispatches; see backend/fast_matmul_gradient.ts).
 */
export const affine = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  assertAffineShapes(x, w, b);
  save([x, w]);
  // off wasm, the bias rides in the product's kernel (_FusedMatMul): one dispatch fewer per layer on webgpu
  const value = explicitTransposes() ? tf.add(tf.matMul(x, w), b) : tf.fused.matMul({ a: x, b: w, bias: b }); // [N, m]
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
    const dy2 = dy as tf.Tensor2D; // [N, m]
    const dx = product(dy2, ws, false, true); // dy·Wᵀ [N, k]
    const dw = product(xs, dy2, true, false); // xᵀ·dy [k, m]
    const db = rowSum(dy2); // 1ᵀ·dy [m]
    return [dx, dw, db];
  };
  return { value, gradFunc };
}) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

function assertAffineShapes(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): void {
  if (x.rank !== 2 || w.rank !== 2 || b.rank !== 1 || x.shape[1] !== w.shape[0] || b.shape[0] !== w.shape[1]) {
    throw new Error(`affine: expected x [N, k], w [k, m], b [m]; got x [${x.shape}], w [${w.shape}], b [${b.shape}]`);
  }
}
