import * as tf from '@tensorflow/tfjs-core';
import { canUseFusedKernel, createFusedKernelIterator } from './fused/fused_kernel_iterator';
import { createKernelIterator } from './sinkhorn_kernel';
import type { SinkhornIterator } from './sinkhorn_iterator';
import { createLogIterator } from './sinkhorn_log';
import { canUseWebgpuSinkhorn, createWebgpuKernelIterator } from './webgpu/webgpu_kernel_iterator';
import { createWebgpuLogIterator } from './webgpu/webgpu_log_iterator';
import { runSinkhornLoop, type LoopOutcome } from './sinkhorn_loop';
import { regularisedObjective } from './sinkhorn_objective';
import { buildProblem, disposeProblem, type SinkhornProblem } from './sinkhorn_problem';
import type { SinkhornOptions, SinkhornResult } from './sinkhorn_types';

/**
 * Largest (C_ij - min_j C_ij) / eps for which `auto` uses the kernel form: kernel entries stay above
 * e^-50 ≈ 2e-22 and the scalings within float32 range, so no row or column underflows.
 */
export const KERNEL_SAFE_RANGE = 50;

const OPTION_KEYS: ReadonlySet<string> = new Set([
  'eps', 'a', 'b', 'rowMask', 'colMask', 'maxIter', 'tol', 'checkEvery', 'method', 'unbalanced', 'grad', 'diagnostics',
]);

type Policy = Parameters<typeof runSinkhornLoop>[1] & { grad: 'envelope' | 'unrolled' | 'detach' };

interface Solved {
  plan: tf.Tensor3D;
  f: tf.Tensor2D;
  g: tf.Tensor2D;
  value: tf.Tensor1D;
  outcome: LoopOutcome;
  method: 'log' | 'kernel';
}

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= 1)) {
    throw new Error(`ot.sinkhorn: argument \`${name}\` must be an integer >= 1; got ${String(value)}.`);
  }
  return value;
}

function rangeIsKernelSafe(range: number, eps: number): boolean {
  return range / eps <= KERNEL_SAFE_RANGE;
}

/** max over problems and rows of (max_j C_ij - min_j C_ij), one scalar read. */
function costRange(problem: SinkhornProblem): number {
  const range = tf.tidy(() => problem.cost.max(2).sub(problem.cost.min(2)).max());
  const value = range.dataSync()[0]!;
  range.dispose();
  return value;
}

/** The log-domain iterator: fused WebGPU programs where the fused kernel form could run, TF.js ops elsewhere. */
function logIterator(problem: SinkhornProblem, grad: Policy['grad']): SinkhornIterator {
  return canUseWebgpuSinkhorn(problem, grad) ? createWebgpuLogIterator(problem) : createLogIterator(problem);
}

/** Runs an iterator to the end and evaluates the objective at its plan. */
function runIterator(problem: SinkhornProblem, iterator: SinkhornIterator, method: 'log' | 'kernel', policy: Policy): Solved {
  try {
    const outcome = runSinkhornLoop(iterator, policy);
    const { plan, f, g, rows, cols, value: own } = iterator.result();
    const value = own ?? regularisedObjective(problem, plan, f, g, rows, cols);
    tf.dispose([rows, cols].filter((t): t is tf.Tensor2D => t !== undefined));
    return { plan, f, g, value, outcome, method };
  } finally {
    iterator.dispose();
  }
}

/**
 * Picks the update scheme and solves. 'auto' uses the kernel form when the row-shifted cost range over
 * eps is float32-safe (the fused CPU and WebGPU kernels measure the range while building K, elsewhere TF.js
 * reductions do; one scalar is read). A kernel form that still overflows (forced, or an optimistic check)
 * is re-solved in the log domain. On webgpu, balanced problems without unrolled gradients run either domain
 * as fused WGSL programs (kernel/src/ot/webgpu/).
 */
function solve(problem: SinkhornProblem, requested: SinkhornOptions['method'], policy: Policy): Solved {
  if (requested !== undefined && requested !== 'auto' && requested !== 'log' && requested !== 'kernel') {
    throw new Error(`ot.sinkhorn: argument \`method\` must be 'auto', 'log' or 'kernel'; got '${String(requested)}'.`);
  }
  const auto = requested === undefined || requested === 'auto';
  if (requested === 'log') return runIterator(problem, logIterator(problem, policy.grad), 'log', policy);
  let kernelIterator: SinkhornIterator;
  if (canUseFusedKernel(problem, policy.grad)) {
    const fused = createFusedKernelIterator(problem);
    if (auto && !rangeIsKernelSafe(fused.costRange, problem.eps)) {
      fused.dispose();
      return runIterator(problem, logIterator(problem, policy.grad), 'log', policy);
    }
    kernelIterator = fused;
  } else if (canUseWebgpuSinkhorn(problem, policy.grad)) {
    const gpu = createWebgpuKernelIterator(problem);
    if (auto && !rangeIsKernelSafe(gpu.costRange(), problem.eps)) {
      gpu.dispose();
      return runIterator(problem, logIterator(problem, policy.grad), 'log', policy);
    }
    kernelIterator = gpu;
  } else {
    if (auto && !rangeIsKernelSafe(costRange(problem), problem.eps)) {
      return runIterator(problem, logIterator(problem, policy.grad), 'log', policy);
    }
    kernelIterator = createKernelIterator(problem);
  }
  const first = runIterator(problem, kernelIterator, 'kernel', policy);
  if (!first.outcome.diverged) return first;
  tf.dispose([first.plan, first.f, first.g, first.value]);
  const second = runIterator(problem, logIterator(problem, policy.grad), 'log', policy);
  second.outcome.warnings.unshift(...first.outcome.warnings, 'the kernel form overflowed in float32; re-solved in the log domain.');
  return second;
}

/**
 * Entropic (optionally unbalanced) optimal transport by Sinkhorn iterations, batched over [B, n, m] costs.
 * See `SinkhornOptions` for the objective, the gradient modes and the exact relation to POT and OTT-JAX.
 *
 * @example
 *   const C = tf.randomUniform([8, 49, 16], 0, 2);          // 8 problems, 49 patches × 16 tokens
 *   const { plan, cost, converged } = ot.sinkhorn(C, { eps: 0.05, colMask: tokenMask });
 *   // plan [8, 49, 16]; cost [8], d cost / d C = plan (envelope gradient)
 */
export function sinkhorn(cost: tf.Tensor, options: SinkhornOptions = {}): SinkhornResult {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new Error(`ot.sinkhorn: unknown option \`${key}\`; expected one of ${[...OPTION_KEYS].join(', ')}.`);
    }
  }
  const grad = options.grad ?? 'envelope';
  if (grad !== 'envelope' && grad !== 'unrolled' && grad !== 'detach') {
    throw new Error(`ot.sinkhorn: argument \`grad\` must be 'envelope', 'unrolled' or 'detach'; got '${String(grad)}'.`);
  }
  const tol = options.tol ?? 1e-6;
  if (!(typeof tol === 'number' && tol >= 0)) throw new Error(`ot.sinkhorn: argument \`tol\` must be a number >= 0; got ${String(tol)}.`);
  const diagnostics = options.diagnostics ?? true;
  const policy = {
    maxIter: positiveInteger('maxIter', options.maxIter, 100),
    checkEvery: positiveInteger('checkEvery', options.checkEvery, 10),
    tol,
    diagnostics,
    grad,
  } as Policy;

  const problem = buildProblem(cost, options, diagnostics);
  try {
    const outShape = problem.batched ? [problem.B] : [];
    let solved: Solved;
    let value: tf.Tensor;
    if (grad === 'unrolled') {
      // Every op is recorded on the gradient tape (when one is active): exact gradients of this finite iteration.
      solved = solve(problem, options.method, policy);
      value = solved.value.reshape(outShape);
      solved.value.dispose();
    } else {
      // The iterations run inside the custom op, where TF.js records nothing: memory stays flat.
      let inner: Solved | undefined;
      const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
        const c = args[0] as tf.Tensor;
        const save = args[1] as tf.GradSaveFunc;
        inner = solve(problem, options.method, policy);
        tf.keep(inner.plan);
        tf.keep(inner.f);
        tf.keep(inner.g);
        save([inner.plan]);
        return {
          value: inner.value.reshape(outShape),
          gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
            grad === 'detach'
              ? tf.zerosLike(c)
              : dy.reshape(problem.batched ? [problem.B, 1, 1] : [1, 1, 1]).mul(saved[0]!).reshape(c.shape), // d cost/dC = plan
        };
      });
      value = op(cost);
      const kept = inner!;
      // Re-home the kept tensors in the caller's scope so an enclosing tf.tidy manages them as usual.
      solved = { ...kept, plan: kept.plan.clone(), f: kept.f.clone(), g: kept.g.clone() };
      tf.dispose([kept.plan, kept.f, kept.g]);
    }
    const squeeze = <T extends tf.Tensor>(t: T, shape: number[]): tf.Tensor => {
      if (problem.batched) return t;
      const out = t.reshape(shape);
      t.dispose();
      return out;
    };
    return {
      plan: squeeze(solved.plan, [problem.n, problem.m]),
      f: squeeze(solved.f, [problem.n]),
      g: squeeze(solved.g, [problem.m]),
      cost: value,
      iterations: solved.outcome.iterations,
      marginalError: solved.outcome.error,
      converged: solved.outcome.converged,
      method: solved.method,
      warnings: solved.outcome.warnings,
    };
  } finally {
    disposeProblem(problem);
  }
}
