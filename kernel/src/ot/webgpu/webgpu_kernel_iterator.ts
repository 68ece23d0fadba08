import * as tf from '@tensorflow/tfjs-core';
import { fusedSinkhornEnabled } from '../fused/fused_runtime';
import type { SinkhornIterator } from '../sinkhorn_iterator';
import type { SinkhornProblem } from '../sinkhorn_problem';
import { BuildKernelProgram, CostRangeProgram } from './build_kernel_program';
import { IterateProgram } from './iterate_program';
import { kernelLayout } from './kernel_layout';
import { ObjectiveProgram, PlanProgram, PotentialProgram, RowErrorProgram } from './readout_programs';
import { runProgram, webgpuBackend } from './webgpu_program';

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

export interface WebgpuKernelOptions {
  /** false keeps K in global memory even where it fits in workgroup memory (tests cover both paths). */
  sharedKernel?: boolean;
}

/**
 * Kernel-domain Sinkhorn (same iterates as `createKernelIterator`: v starts at b, K has row-shifted costs)
 * as custom WebGPU programs: K built in one dispatch, `steps(k)` runs k iterations of every problem in
 * one dispatch (one workgroup per problem), and each read-out (plan, f, g, objective, row error) is one
 * dispatch: 9 dispatches for a whole sinkhorn-fwd solve (with the 2 fills of the uniform marginals) against
 * 248 small TF.js ops for 50 iterations of the TF.js kernel form. `auto` reads one scalar (the cost range).
 *
 * The state [B, n + m] (u, v) is an immutable tensor: each dispatch writes a new one, so saving and
 * restoring the last good iterate is a clone (a reference, no copy). `null` is the initial iterate
 * (u = a, v = b), which the iteration program reads from the marginals without a tensor of its own.
 */
export function createWebgpuKernelIterator(problem: SinkhornProblem, options: WebgpuKernelOptions = {}): WebgpuKernelIterator {
  const backend = webgpuBackend();
  if (!backend) throw new Error(`createWebgpuKernelIterator: needs the webgpu backend; the active one is '${tf.getBackend()}'.`);
  const { B, n, m, eps, a, b } = problem;
  const layout = kernelLayout(B, n, m, backend.device.limits, options.sharedKernel ?? true);
  if (!layout.supported) throw new Error(`createWebgpuKernelIterator: n = ${n}, m = ${m} do not fit in workgroup memory.`);
  const batch = { type: 'int32' as const, data: [B] };
  const epsilon = { type: 'float32' as const, data: [eps] };
  // Internal state is kept (tf.keep) so that an enclosing tf.tidy, e.g. around error(), never disposes it.
  const geometry = tf.keep(runProgram(new BuildKernelProgram(layout), [problem.cost], [batch, epsilon])); // [B, n*m + n + 1]
  let state: tf.Tensor | null = null; // [B, n + m]
  let good: tf.Tensor | null = null;
  /** The state as a tensor, materialising the initial iterate (needed only after a restore to it). */
  const current = (): tf.Tensor => {
    state ??= tf.keep(tf.concat([a, b], 1)); // [B, n + m]
    return state;
  };
  const iterate = (k: number) => {
    const next = tf.keep(runProgram(new IterateProgram(layout), [geometry, a, b, state ?? a], [batch, { type: 'int32', data: [k] }, { type: 'int32', data: [state ? 0 : 1] }]));
    state?.dispose();
    state = next;
  };

  return {
    step: () => iterate(1),
    steps: (k: number) => iterate(k),
    markPrevious() {
      // balanced problems only: the row error needs no previous iterate
    },
    error() {
      return runProgram(new RowErrorProgram(layout), [geometry, a, current()], [batch]) as tf.Tensor1D; // [B]
    },
    saveGood() {
      good?.dispose();
      good = state ? tf.keep(state.clone()) : null;
    },
    restoreGood() {
      state?.dispose();
      state = good ? tf.keep(good.clone()) : null;
    },
    result() {
      const s = current();
      return {
        plan: runProgram(new PlanProgram(layout), [geometry, s], []) as tf.Tensor3D, // [B, n, m]
        f: runProgram(new PotentialProgram(layout, 'rows'), [geometry, a, s], [epsilon]) as tf.Tensor2D, // [B, n]
        g: runProgram(new PotentialProgram(layout, 'columns'), [b, s], [epsilon]) as tf.Tensor2D, // [B, m]
        value: runProgram(new ObjectiveProgram(layout), [geometry, a, b, s], [batch, epsilon]) as tf.Tensor1D, // [B]
      };
    },
    costRange() {
      const range = runProgram(new CostRangeProgram(layout), [geometry], [batch]); // [1]
      const value = range.dataSync()[0]!;
      range.dispose();
      return value;
    },
    dispose() {
      tf.dispose([geometry, state, good].filter((t): t is tf.Tensor => t !== null));
    },
  };
}
