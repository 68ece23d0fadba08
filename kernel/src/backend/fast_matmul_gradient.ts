// the union package registers tfjs's default gradients when first loaded: load it before overriding one
import './tfjs_runtime';
import './broadcast_reduce_gradients'; // Sum / Mean gradients without host-filled ones tensors
import * as tf from '@tensorflow/tfjs-core';
import { columnSumWebGPU } from './webgpu_column_sum';
import { webgpuBackend } from './webgpu_program';

/**
 * A gradient for the `BatchMatMul` kernel (every `tf.matMul`) that never asks the backend for a
 * transpose-flagged product.
 *
 * Why: tfjs-core's own gradient of C = A·B is dA = matMul(dC, B, false, true) and
 * dB = matMul(A, dC, true, false). On the wasm backend a flagged product leaves XNNPACK for a slow
 * loop: 10–27× slower than `matMul(dC, transpose(B))` (see shared/recipes/perf-notes.md), so the
 * backward pass of every linear layer paid that price. Here the transposes are explicit
 * (`tf.transpose`, a cheap copy) and every product is a plain one. When one side has no batch
 * dimensions (the linear-layer case [.., n, k]·[k, m]) the batched side is folded into rows so the
 * products stay 2-D (a broadcast 3-D·2-D product is itself ~15× slower on wasm than the folded 2-D one).
 *
 * Math (C = op(A)·op(B), op = optional transpose of the last two axes):
 *   dop(A) = dC·op(B)ᵀ,  dop(B) = op(A)ᵀ·dC,  dA = dop(A) or its transpose, summed over broadcast axes.
 *
 * Only on wasm: every other backend (webgpu, tfjs-node, cpu) multiplies transposed operands natively, and on
 * webgpu each explicit transpose is one more GPU dispatch (~100 µs of host time each, measured on an H200),
 * so there the gradient is tfjs-core's, with flagged products (`flaggedBatchMatMulGrad`), folding a batched ×
 * matrix product into one 2-D product as above. `product` and `rowSum` make the same choice for the
 * hand-written gradients of the model layers.
 *
 * Registered once, on import (`import './fast_matmul_gradient'`); `registerFastMatMulGradient()` is
 * idempotent. Source: tfjs-core `gradients/BatchMatMul_grad.ts` (same math, flags replaced).
 */
export function registerFastMatMulGradient(): void {
  if (registered) return;
  // unregister first: re-registering a kernel's gradient otherwise logs an "Overriding" warning
  if (tf.getGradient(tf.BatchMatMul) !== undefined) tf.unregisterGradient(tf.BatchMatMul);
  tf.registerGradient({ kernelName: tf.BatchMatMul, inputsToSave: ['a', 'b'], gradFunc: batchMatMulGrad });
  registered = true;
}

let registered = false;

/**
 * The transpose of a matrix [N, k] → [k, N], written as the equivalent 3-D transpose of [2, N/2, k]
 * when N is even: wasm's 2-D transpose walks memory badly, the 3-D one is 2–6× faster at these sizes
 * (e.g. [2048, 128]: 0.3 ms instead of 1.8 ms). Same values, exactly.
 */
export function transpose2d(x: tf.Tensor): tf.Tensor2D {
  const [N, k] = x.shape as [number, number];
  if (x.rank !== 2) throw new Error(`transpose2d: expected a matrix, got shape [${x.shape}]`);
  if (N % 2 !== 0 || N * k < 65536) return tf.transpose(x as tf.Tensor2D); // [k, N]
  return tf.reshape(tf.transpose(tf.reshape(x, [2, N / 2, k]), [2, 0, 1]), [k, N]) as tf.Tensor2D; // [k, N]
}

/** Whether products should be written with explicit transposes (wasm: XNNPACK only multiplies plain row-major operands fast). */
export function explicitTransposes(): boolean {
  return tf.getBackend() === 'wasm';
}

/**
 * op(x)·op(y) for matrices, op = transpose when the flag is set: on wasm with explicit transposes (and xᵀ·y
 * through `transposedProduct`), elsewhere as one flagged product.
 */
export function product(x: tf.Tensor2D, y: tf.Tensor2D, transposeX: boolean, transposeY: boolean): tf.Tensor2D {
  if (!explicitTransposes()) return tf.matMul(x, y, transposeX, transposeY);
  if (transposeX && !transposeY) return transposedProduct(x, y);
  return tf.matMul(transposeX ? transpose2d(x) : x, transposeY ? transpose2d(y) : y);
}

/**
 * Column sums of a matrix [N, m] → [m]: a ones-row product on wasm (~10× faster there than its sum), one
 * dispatch of our own on webgpu (`tf.sum(x, 0)` is two there, the ones row an upload), `tf.sum` elsewhere.
 */
export function rowSum(x: tf.Tensor2D): tf.Tensor1D {
  const [N, m] = x.shape;
  if (webgpuBackend() !== null && N > 0 && m > 0) return columnSumWebGPU(x);
  if (!explicitTransposes()) return tf.sum(x, 0);
  return tf.reshape(tf.matMul(tf.ones([1, N]), x), [m]);
}

/**
 * xᵀ·y for row-major batches x [N, k], y [N, m] (a weight gradient) without a flagged product: transposes
 * the narrower of the two (the other transpose is then of the small [m, k] result).
 */
export function transposedProduct(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  if (x.shape[1] <= y.shape[1]) return tf.matMul(transpose2d(x), y); // [k, N]·[N, m] = [k, m]
  return transpose2d(tf.matMul(transpose2d(y), x)); // ([m, N]·[N, k])ᵀ = [k, m]
}

/** Swaps the last two axes (explicit copy; rank ≥ 2). */
function transposeLast2(x: tf.Tensor): tf.Tensor {
  if (x.rank === 2) return transpose2d(x);
  const r = x.rank;
  const perm = [...Array(r - 2).keys(), r - 1, r - 2];
  return tf.transpose(x, perm); // [..., k, n]
}

function batchSize(shape: number[]): number {
  return shape.slice(0, -2).reduce((p, s) => p * s, 1);
}

/** Sums `grad` [...outBatch, r, c] over the batch axes that `target` broadcast, then reshapes to target's shape. */
function unbroadcast(grad: tf.Tensor, target: tf.Tensor): tf.Tensor {
  if (grad.size === target.size) return tf.reshape(grad, target.shape);
  // batch axes come first, so axes of the batch shape are axes of grad; missing leading axes are included
  const axes = tf.broadcast_util.getReductionAxes(target.shape.slice(0, -2), grad.shape.slice(0, -2));
  return tf.reshape(tf.sum(grad, axes), target.shape);
}

const batchMatMulGrad: tf.GradFunc = (dy, saved, attrs) => {
  const dC = dy as tf.Tensor; // [..., n, m]
  const [a, b] = saved as [tf.Tensor, tf.Tensor];
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  if (!explicitTransposes()) return flaggedBatchMatMulGrad(dC, a, b, transposeA, transposeB);
  const opA = transposeA ? transposeLast2(a) : a; // [..., n, k]
  const opB = transposeB ? transposeLast2(b) : b; // [..., k, m]
  const k = opA.shape[opA.rank - 1];
  const m = opB.shape[opB.rank - 1];

  if (batchSize(opB.shape) === 1) {
    // linear-layer case: fold A's batch axes into rows, all products 2-D
    const a2 = tf.reshape(opA, [-1, k]); // [N, k]
    const dC2 = tf.reshape(dC, [-1, m]); // [N, m]
    const b2 = tf.reshape(opB, [k, m]); // [k, m]
    return {
      a: () => {
        const dOpA = tf.reshape(tf.matMul(dC2, transpose2d(b2)), opA.shape); // [..., n, k]
        return transposeA ? transposeLast2(dOpA) : dOpA;
      },
      b: () => {
        const dOpB = transposedProduct(a2 as tf.Tensor2D, dC2 as tf.Tensor2D); // [k, m]
        return tf.reshape(transposeB ? transpose2d(dOpB) : dOpB, b.shape);
      },
    };
  }
  return {
    a: () => {
      const dOpA = tf.matMul(dC, transposeLast2(opB)); // [..., n, k]
      return unbroadcast(transposeA ? transposeLast2(dOpA) : dOpA, a);
    },
    b: () => {
      const dOpB = tf.matMul(transposeLast2(opA), dC); // [..., k, m]
      return unbroadcast(transposeB ? transposeLast2(dOpB) : dOpB, b);
    },
  };
};

/** tfjs-core's gradient (flagged products), with a batched A × matrix B folded into 2-D products. */
function flaggedBatchMatMulGrad(dC: tf.Tensor, a: tf.Tensor, b: tf.Tensor, tA: boolean, tB: boolean): Record<string, () => tf.Tensor> {
  if (!tA && batchSize(b.shape) === 1) {
    const k = a.shape[a.rank - 1];
    const m = dC.shape[dC.rank - 1];
    const a2 = tf.reshape(a, [-1, k]) as tf.Tensor2D; // [N, k]
    const dC2 = tf.reshape(dC, [-1, m]) as tf.Tensor2D; // [N, m]
    const b2 = tf.reshape(b, [b.shape[b.rank - 2]!, b.shape[b.rank - 1]!]) as tf.Tensor2D; // op(B) = tB ? b2ᵀ : b2, [k, m]
    return {
      a: () => tf.reshape(tf.matMul(dC2, b2, false, !tB), a.shape), // dC·op(B)ᵀ
      b: () => tf.reshape(tB ? tf.matMul(dC2, a2, true, false) : tf.matMul(a2, dC2, true, false), b.shape),
    };
  }
  const [da, db] =
    !tA && !tB ? [() => tf.matMul(dC, b, false, true), () => tf.matMul(a, dC, true, false)]
    : !tA && tB ? [() => tf.matMul(dC, b, false, false), () => tf.matMul(dC, a, true, false)]
    : tA && !tB ? [() => tf.matMul(b, dC, false, true), () => tf.matMul(a, dC, false, false)]
    : [() => tf.matMul(b, dC, true, true), () => tf.matMul(dC, a, true, true)];
  return { a: () => unbroadcast(da(), a), b: () => unbroadcast(db(), b) };
}

registerFastMatMulGradient();
