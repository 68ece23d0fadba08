import * as tf from '@tensorflow/tfjs-core';
import type { SinkhornIterator } from '../sinkhorn_iterator';
import type { SinkhornProblem } from '../sinkhorn_problem';
import { LogIterateProgram } from './log_iterate_program';
import { LogObjectiveProgram, LogPlanProgram, LogPotentialProgram, LogRowErrorProgram } from './log_readout_programs';
import { webgpuIterator, webgpuSetup, type WebgpuSinkhornOptions } from './webgpu_iterator';
import { runProgram } from '../../backend/webgpu_program';

/**
 * Balanced log-domain Sinkhorn (same iterates as `createLogIterator`: F = G = 0 first, F then G by
 * logsumexp) as custom WebGPU programs: `steps(k)` is one dispatch for k iterations of every problem, and
 * each read-out one dispatch — against ~16 TF.js ops per iteration (two logsumexps over [B, n, m]).
 * Where `auto` or an overflowing kernel form turns to the log domain on webgpu, this runs instead of
 * `createLogIterator` (balanced problems, envelope or detached gradients; `canUseWebgpuSinkhorn` decides).
 *
 * The state [B, n + m] (F, G) is immutable (see webgpu_iterator.ts); null is the initial iterate F = G = 0.
 */
export function createWebgpuLogIterator(problem: SinkhornProblem, options: WebgpuSinkhornOptions = {}): SinkhornIterator & { steps(k: number): void } {
  const { layout, batch, epsilon } = webgpuSetup('createWebgpuLogIterator', problem, options);
  const { B, n, m, a, b, cost } = problem;
  return webgpuIterator(problem, {
    iterate: (state, counts) => runProgram(new LogIterateProgram(layout), [cost, a, b, state], [batch, epsilon, ...counts]),
    initial: () => tf.zeros([B, n + m]), // [B, n + m]
    error: (state) => runProgram(new LogRowErrorProgram(layout), [cost, a, b, state], [batch, epsilon]) as tf.Tensor1D, // [B]
    result: (state) => ({
      plan: runProgram(new LogPlanProgram(layout), [cost, a, b, state], [epsilon]) as tf.Tensor3D, // [B, n, m]
      f: runProgram(new LogPotentialProgram(layout, 'rows'), [a, state], [epsilon]) as tf.Tensor2D, // [B, n]
      g: runProgram(new LogPotentialProgram(layout, 'columns'), [b, state], [epsilon]) as tf.Tensor2D, // [B, m]
      value: runProgram(new LogObjectiveProgram(layout), [cost, a, b, state], [batch, epsilon]) as tf.Tensor1D, // [B]
    }),
    kept: [],
  });
}
