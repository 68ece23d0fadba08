import * as tf from '@tensorflow/tfjs-core';
import type { SinkhornIterator } from './sinkhorn_iterator';

export interface LoopPolicy {
  maxIter: number;
  /** Stop when the max over the batch of the error is <= tol; 0 = run exactly maxIter. */
  tol: number;
  /** Iterations between error checks (each reads one scalar). */
  checkEvery: number;
  /** Measure the final error (one scalar read) even when tol is 0. */
  diagnostics: boolean;
}

export interface LoopOutcome {
  iterations: number;
  /** Final error (NaN when not measured). */
  error: number;
  converged: boolean;
  /** Whether the iterate turned non-finite and was rolled back to the last finite one. */
  diverged: boolean;
  warnings: string[];
}

function readMaxError(iterator: SinkhornIterator): number {
  const max = tf.tidy(() => iterator.error().max());
  const value = max.dataSync()[0]!;
  max.dispose();
  return value;
}

/**
 * The solver policy shared by every update scheme: run iterations, check the error every `checkEvery`
 * iterations when tol > 0, stop at tol, and on a non-finite iterate keep the last finite one and say so
 * (POT's behaviour). No device read happens inside the loop when tol is 0.
 */
export function runSinkhornLoop(iterator: SinkhornIterator, policy: LoopPolicy): LoopOutcome {
  const warnings: string[] = [];
  let error = Number.NaN;
  let iterations = 0;
  let goodIteration = 0;
  const isCheck = (iteration: number) =>
    (policy.tol > 0 && (iteration % policy.checkEvery === 0 || iteration === policy.maxIter)) ||
    (policy.diagnostics && iteration === policy.maxIter);
  for (let iteration = 1; iteration <= policy.maxIter; iteration++) {
    const check = isCheck(iteration);
    if (!check && iterator.steps) {
      // Run every iteration up to (not including) the next check in one call.
      let next = iteration;
      while (next < policy.maxIter && !isCheck(next + 1)) next++;
      iterator.steps(next - iteration + 1);
      iteration = next;
      iterations = next;
      continue;
    }
    if (check) iterator.markPrevious();
    iterator.step();
    iterations = iteration;
    if (!check) continue;
    error = readMaxError(iterator);
    if (!Number.isFinite(error)) {
      iterator.restoreGood();
      warnings.push(
        `non-finite iterate at iteration ${iteration}: kept the last finite iterate (iteration ${goodIteration}).`,
      );
      return { iterations: goodIteration, error: Number.NaN, converged: false, diverged: true, warnings };
    }
    iterator.saveGood();
    goodIteration = iteration;
    if (policy.tol > 0 && error <= policy.tol) return { iterations, error, converged: true, diverged: false, warnings };
  }
  return { iterations, error, converged: policy.tol > 0 ? error <= policy.tol : error === 0, diverged: false, warnings };
}
