import * as tf from '@tensorflow/tfjs-core';
import { ot } from '../../kernel/src';
import { cosineCost } from './cosine_cost';
import { median, timeRuns } from './timing';

/** Workload sizes of ../shared/bench-workloads.md (sinkhorn-fwd, sinkhorn-fwd-bwd). */
export const SINKHORN_WORKLOAD = { B: 4096, n: 49, m: 16, d: 64, eps: 0.05, iterations: 50, seed: 0 } as const;

export interface SinkhornWorkloadOptions {
  runs: number;
  warmup: number;
  method: 'auto' | 'log' | 'kernel';
}

async function readScalar(t: tf.Tensor): Promise<number> {
  const s = tf.sum(t);
  const value = (await s.data())[0]!;
  s.dispose();
  return value;
}

/** Max over the batch of |P.sum(2) - a| and |P.sum(1) - b| (uniform a = 1/n, b = 1/m). */
function marginalErrors(plan: tf.Tensor3D): { rows: number; cols: number } {
  const { n, m } = SINKHORN_WORKLOAD;
  return tf.tidy(() => ({
    rows: plan.sum(2).sub(1 / n).abs().max().dataSync()[0]!,
    cols: plan.sum(1).sub(1 / m).abs().max().dataSync()[0]!,
  }));
}

/**
 * sinkhorn-fwd: the plan of 4096 problems of 49 × 16 after exactly 50 iterations. sinkhorn-fwd-bwd: the
 * same plus the gradient of sum_b OT_eps(C_b) with respect to C (envelope gradient: no iterations kept).
 * Each timed run ends with a scalar read, so the device has finished.
 */
export async function runSinkhornWorkloads(options: SinkhornWorkloadOptions): Promise<object[]> {
  const { B, n, m, d, eps, iterations, seed } = SINKHORN_WORKLOAD;
  const C = cosineCost(B, n, m, d, seed);
  const solverOptions = { eps, maxIter: iterations, tol: 0, method: options.method, diagnostics: false } as const;
  const results: object[] = [];
  try {
    let method = '';
    const forward = await timeRuns(async () => {
      const r = ot.sinkhorn(C, solverOptions);
      method = r.method;
      await readScalar(r.plan);
      tf.dispose([r.plan, r.f, r.g, r.cost]);
    }, options.runs, options.warmup);
    const check = ot.sinkhorn(C, solverOptions);
    const errors = marginalErrors(check.plan as tf.Tensor3D);
    tf.dispose([check.plan, check.f, check.g, check.cost]);
    results.push({
      workload: 'sinkhorn-fwd',
      median_ms: median(forward),
      runs: forward.length,
      backend: tf.getBackend(),
      method,
      B, n, m, eps, iterations,
      max_marginal_error_rows: errors.rows,
      max_marginal_error_cols: errors.cols,
    });

    const gradient = tf.grad((c: tf.Tensor) => ot.sinkhorn(c, { ...solverOptions, grad: 'envelope' }).cost.sum());
    const backward = await timeRuns(async () => {
      const g = gradient(C);
      await readScalar(g);
      g.dispose();
    }, options.runs, options.warmup);
    results.push({
      workload: 'sinkhorn-fwd-bwd',
      median_ms: median(backward),
      runs: backward.length,
      backend: tf.getBackend(),
      method,
      grad: 'envelope',
      B, n, m, eps, iterations,
    });
  } finally {
    C.dispose();
  }
  return results;
}
