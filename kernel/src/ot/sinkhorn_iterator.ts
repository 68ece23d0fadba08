import type * as tf from '@tensorflow/tfjs-core';

/**
 * One Sinkhorn update scheme (log-domain or kernel-domain). The driver (`runSinkhornLoop`) owns the
 * policy — iteration count, tolerance checks, NaN recovery — and the iterator owns the state tensors.
 */
export interface SinkhornIterator {
  /** One iteration: a row update then a column update. Disposes the replaced state. */
  step(): void;
  /** k iterations at once (an implementation may keep each problem in cache across them). */
  steps?(k: number): void;
  /** Remembers the current iterate as "previous" for the unbalanced residual of the next `error()`. */
  markPrevious(): void;
  /**
   * Convergence error per problem, [B]: balanced — ||P 1 - a||_1 after the column update (the columns are
   * exact then); unbalanced — max_i |f_i - f'_i| + max_j |g_j - g'_j| against the `markPrevious` iterate.
   */
  error(): tf.Tensor1D;
  /** Saves the current iterate as the last good (finite) one. */
  saveGood(): void;
  /** Returns to the last good iterate (the initial one if none was saved). */
  restoreGood(): void;
  /**
   * The plan [B, n, m] and the potentials f [B, n], g [B, m] (cost units, 0 on masked entries); optionally
   * the plan's row sums [B, n] and column sums [B, m] when the scheme has them without a pass over the plan,
   * or the objective `value` [B] (as `regularisedObjective` defines it) when the scheme computes it itself.
   */
  result(): { plan: tf.Tensor3D; f: tf.Tensor2D; g: tf.Tensor2D; rows?: tf.Tensor2D; cols?: tf.Tensor2D; value?: tf.Tensor1D };
  /** Releases the state tensors. */
  dispose(): void;
}
