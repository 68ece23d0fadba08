import * as tf from '@tensorflow/tfjs-core';
import { fusedSinkhornEnabled } from '../fused/fused_runtime';
import type { SinkhornIterator } from '../sinkhorn_iterator';
import type { SinkhornProblem } from '../sinkhorn_problem';
import { BuildKernelProgram, CostRangeProgram } from './build_kernel_program';
import { IterateProgram } from './iterate_program';
import { kernelLayout } from './kernel_layout';
import { ObjectiveProgram, PlanProgram, PotentialProgram, RowErrorProgram } from './readout_programs';
import { webgpuIterator, webgpuSetup, type WebgpuSinkhornOptions } from './webgpu_iterator';
import { runProgram, webgpuBackend } from '../../backend/webgpu_program';

/**
 * Where the fused WebGPU programs (kernel or log domain) can run: the webgpu backend, balanced problems, no
 * gradient tape through the iterations, u and v (or F and G) within workgroup memory, fusion not turned off.
 */
export function canUseWebgpuSinkhorn(problem: SinkhornProblem, grad: 'envelope' | 'unrolled' | 'detach'): boolean {
  if (problem.tau !== undefined || grad === 'unrolled' || !fusedSinkhornEnabled()) return false;
  const backend = webgpuBackend();
  return backend !== null && kernelLayout(problem.B, problem.n, problem.m, backend.device.limits).supported;
}

export interface WebgpuKernelIterator extends SinkhornIterator {
  steps(k: number): void;
  /** max over problems and rows of (max_j C_ij - min_j C_ij), measured while building K: one scalar read. */
  costRange(): number;
}

/**
 * Kernel-domain Sinkhorn (same iterates as `createKernelIterator`: v starts at b, K has row-shifted costs)
 * as custom WebGPU programs: K built in one dispatch, `steps(k)` runs k iterations of every problem in
 * one dispatch (one workgroup per problem), and each read-out (plan, f, g, objective, row error) is one
 * dispatch: 9 dispatches for a whole sinkhorn-fwd solve (with the 2 fills of the uniform marginals) against
 * 248 small TF.js ops for 50 iterations of the TF.js kernel form. `auto` reads one scalar (the cost range).
 *
 * The state [B, n + m] (u, v) is immutable (see webgpu_iterator.ts); null is the initial iterate
 * (u = a, v = b), which the iteration program reads from the marginals.
 */
export function createWebgpuKernelIterator(problem: SinkhornProblem, options: WebgpuSinkhornOptions = {}): WebgpuKernelIterator {
  const { layout, batch, epsilon } = webgpuSetup('createWebgpuKernelIterator', problem, options);
  const { a, b } = problem;
  // Kept (tf.keep) so that an enclosing tf.tidy, e.g. around error(), never disposes it.
  const geometry = tf.keep(runProgram(new BuildKernelProgram(layout), [problem.cost], [batch, epsilon])); // [B, n*m + n + 1]
  const iterator = webgpuIterator(problem, {
    iterate: (state, counts) => runProgram(new IterateProgram(layout), [geometry, a, b, state], [batch, ...counts]),
    initial: () => tf.concat([a, b], 1), // [B, n + m]
    error: (state) => runProgram(new RowErrorProgram(layout), [geometry, a, state], [batch]) as tf.Tensor1D, // [B]
    result: (state) => ({
      plan: runProgram(new PlanProgram(layout), [geometry, state], []) as tf.Tensor3D, // [B, n, m]
      f: runProgram(new PotentialProgram(layout, 'rows'), [geometry, a, state], [epsilon]) as tf.Tensor2D, // [B, n]
      g: runProgram(new PotentialProgram(layout, 'columns'), [b, state], [epsilon]) as tf.Tensor2D, // [B, m]
      value: runProgram(new ObjectiveProgram(layout), [geometry, a, b, state], [batch, epsilon]) as tf.Tensor1D, // [B]
    }),
    kept: [geometry],
  });
  return {
    ...iterator,
    costRange() {
      const range = runProgram(new CostRangeProgram(layout), [geometry], [batch]); // [1]
      const value = range.dataSync()[0]!;
      range.dispose();
      return value;
    },
  };
}
