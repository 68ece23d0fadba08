import * as tf from '@tensorflow/tfjs-core';
import type { SinkhornIterator } from '../sinkhorn_iterator';
import type { SinkhornProblem } from '../sinkhorn_problem';
import { kernelLayout, type KernelLayout } from './kernel_layout';
import { webgpuBackend, type ProgramUniform } from '../../backend/webgpu_program';

/**
 * What the fused WebGPU iterators of both domains share (webgpu_kernel_iterator.ts, webgpu_log_iterator.ts):
 * the checks and uniforms of `webgpuSetup`, and in `webgpuIterator` the state [B, n + m] (u, v or F, G)
 * as an immutable tensor. Each iteration dispatch writes a new one, so saving and restoring the last
 * good iterate is a clone (a reference, no copy); `null` is the initial iterate, which the iteration
 * program makes itself (uniform fromStart = 1) without a tensor of its own.
 */

export interface WebgpuSinkhornOptions {
  /** false keeps K (log domain: -C/eps) in global memory even where it fits in workgroup memory (tests cover both paths). */
  sharedKernel?: boolean;
}

/** The layout and the uniforms batch (B) and eps of a fused iterator; throws, naming `caller`, where it cannot run. */
export function webgpuSetup(
  caller: string,
  problem: SinkhornProblem,
  options: WebgpuSinkhornOptions,
): { layout: KernelLayout; batch: ProgramUniform; epsilon: ProgramUniform } {
  const backend = webgpuBackend();
  if (!backend) throw new Error(`${caller}: needs the webgpu backend; the active one is '${tf.getBackend()}'.`);
  const { B, n, m, eps } = problem;
  if (problem.tau !== undefined) throw new Error(`${caller}: balanced problems only (unbalanced.tau is set).`);
  const layout = kernelLayout(B, n, m, backend.device.limits, options.sharedKernel ?? true);
  if (!layout.supported) throw new Error(`${caller}: n = ${n}, m = ${m} do not fit in workgroup memory.`);
  return { layout, batch: { type: 'int32', data: [B] }, epsilon: { type: 'float32', data: [eps] } };
}

/** The domain's programs, as `webgpuIterator` runs them on a state [B, n + m]. */
export interface WebgpuDomain {
  /**
   * The iteration program on `state` with `counts` (the uniforms iterations, fromStart) appended to its
   * own; at the initial iterate fromStart is 1 and `state` only a placeholder (a) for the binding.
   */
  iterate(state: tf.Tensor, counts: ProgramUniform[]): tf.Tensor;
  /** The initial iterate as a tensor [B, n + m] (needed only after a restore to it). */
  initial(): tf.Tensor;
  error(state: tf.Tensor): tf.Tensor1D;
  result(state: tf.Tensor): ReturnType<SinkhornIterator['result']>;
  /** Tensors the iterator keeps besides the state, disposed with it. */
  kept: tf.Tensor[];
}

export function webgpuIterator(problem: SinkhornProblem, domain: WebgpuDomain): SinkhornIterator & { steps(k: number): void } {
  // Internal state is kept (tf.keep) so that an enclosing tf.tidy, e.g. around error(), never disposes it.
  let state: tf.Tensor | null = null; // [B, n + m]
  let good: tf.Tensor | null = null;
  /** The state as a tensor, materialising the initial iterate (needed only after a restore to it). */
  const current = (): tf.Tensor => {
    state ??= tf.keep(domain.initial()); // [B, n + m]
    return state;
  };
  const iterate = (k: number) => {
    const counts: ProgramUniform[] = [
      { type: 'int32', data: [k] },
      { type: 'int32', data: [state ? 0 : 1] },
    ];
    const next = tf.keep(domain.iterate(state ?? problem.a, counts));
    state?.dispose();
    state = next;
  };

  return {
    step: () => iterate(1),
    steps: (k: number) => iterate(k),
    markPrevious() {
      // balanced problems only: the row error needs no previous iterate
    },
    error: () => domain.error(current()),
    saveGood() {
      good?.dispose();
      good = state ? tf.keep(state.clone()) : null;
    },
    restoreGood() {
      state?.dispose();
      state = good ? tf.keep(good.clone()) : null;
    },
    result: () => domain.result(current()),
    dispose() {
      tf.dispose([...domain.kept, state, good].filter((t): t is tf.Tensor => t !== null));
    },
  };
}
