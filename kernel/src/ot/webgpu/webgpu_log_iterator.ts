import * as tf from '@tensorflow/tfjs-core';
import type { SinkhornIterator } from '../sinkhorn_iterator';
import type { SinkhornProblem } from '../sinkhorn_problem';
import { kernelLayout } from './kernel_layout';
import { LogIterateProgram } from './log_iterate_program';
import { LogObjectiveProgram, LogPlanProgram, LogPotentialProgram, LogRowErrorProgram } from './log_readout_programs';
import { runProgram, webgpuBackend } from './webgpu_program';
import type { WebgpuKernelOptions } from './webgpu_kernel_iterator';

/**
 * Balanced log-domain Sinkhorn (same iterates as `createLogIterator`: F = G = 0 first, F then G by
 * logsumexp) as custom WebGPU programs: `steps(k)` is one dispatch for k iterations of every problem, and
 * each read-out one dispatch — against ~16 TF.js ops per iteration (two logsumexps over [B, n, m]).
 * Where `auto` or an overflowing kernel form turns to the log domain on webgpu, this runs instead of
 * `createLogIterator` (balanced problems, envelope or detached gradients; `canUseWebgpuSinkhorn` decides).
 *
 * The state [B, n + m] (F, G) is immutable, as in `createWebgpuKernelIterator`; null is F = G = 0.
 */
export function createWebgpuLogIterator(problem: SinkhornProblem, options: WebgpuKernelOptions = {}): SinkhornIterator & { steps(k: number): void } {
  const backend = webgpuBackend();
  if (!backend) throw new Error(`createWebgpuLogIterator: needs the webgpu backend; the active one is '${tf.getBackend()}'.`);
  const { B, n, m, eps, a, b, cost } = problem;
  if (problem.tau !== undefined) throw new Error('createWebgpuLogIterator: balanced problems only (unbalanced.tau is set).');
  const layout = kernelLayout(B, n, m, backend.device.limits, options.sharedKernel ?? true);
  if (!layout.supported) throw new Error(`createWebgpuLogIterator: n = ${n}, m = ${m} do not fit in workgroup memory.`);
  const batch = { type: 'int32' as const, data: [B] };
  const epsilon = { type: 'float32' as const, data: [eps] };
  let state: tf.Tensor | null = null; // [B, n + m]; kept (tf.keep) so that an enclosing tf.tidy never disposes it
  let good: tf.Tensor | null = null;
  const current = (): tf.Tensor => {
    state ??= tf.keep(tf.zeros([B, n + m])); // the initial iterate, needed only after a restore to it
    return state;
  };
  const iterate = (k: number) => {
    const uniforms = [batch, epsilon, { type: 'int32' as const, data: [k] }, { type: 'int32' as const, data: [state ? 0 : 1] }];
    const next = tf.keep(runProgram(new LogIterateProgram(layout), [cost, a, b, state ?? a], uniforms));
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
      return runProgram(new LogRowErrorProgram(layout), [cost, a, b, current()], [batch, epsilon]) as tf.Tensor1D; // [B]
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
        plan: runProgram(new LogPlanProgram(layout), [cost, a, b, s], [epsilon]) as tf.Tensor3D, // [B, n, m]
        f: runProgram(new LogPotentialProgram(layout, 'rows'), [a, s], [epsilon]) as tf.Tensor2D, // [B, n]
        g: runProgram(new LogPotentialProgram(layout, 'columns'), [b, s], [epsilon]) as tf.Tensor2D, // [B, m]
        value: runProgram(new LogObjectiveProgram(layout), [cost, a, b, s], [batch, epsilon]) as tf.Tensor1D, // [B]
      };
    },
    dispose() {
      tf.dispose([state, good].filter((t): t is tf.Tensor => t !== null));
    },
  };
}
