import type { KernelLayout } from './kernel_layout';

/** WGSL: log x, LOG_ZERO = -1e30 where x <= 0 (off the support, as `buildProblem` makes log a and log b). */
export const SAFE_LOG = 'fn safeLog(x : f32) -> f32 { return select(-1e30, log(max(x, 1e-38)), x > 0.0); }';

/**
 * WGSL shared by the per-problem log-domain programs: log a and log b in workgroup memory and the entries
 * -C_ij/eps (cost / -eps, as `createLogIterator`), in workgroup memory too when `sharedCost`. Expects
 * bindings `cost`, `marginalA`, `marginalB`, uniforms `batch`, `eps`, and the potentials G in `gS`.
 */
export function logPrelude(layout: KernelLayout, sharedCost: boolean): string {
  const { n, m, workgroup: WG, sharedStride } = layout;
  return `
  var<workgroup> logAS : array<f32, ${n}>;
  var<workgroup> logBS : array<f32, ${m}>;
  ${sharedCost ? `var<workgroup> cS : array<f32, ${n * sharedStride}>;` : ''}
  ${SAFE_LOG}
  fn negCost(p : i32, i : i32, j : i32) -> f32 {
    ${sharedCost ? `return cS[i * ${sharedStride} + j];` : `return cost[(p * ${n} + i) * ${m} + j] / -uniforms.eps;`}
  }
  /** Log-marginals (and -C/eps when shared) into workgroup memory; call in uniform control flow. */
  fn loadLogMarginals(p : i32, t : i32, live : bool) {
    if (live) {
      for (var i = t; i < ${n}; i += ${WG}) { logAS[i] = safeLog(marginalA[p * ${n} + i]); }
      for (var j = t; j < ${m}; j += ${WG}) { logBS[j] = safeLog(marginalB[p * ${m} + j]); }
      ${sharedCost ? `for (var e = t; e < ${n * m}; e += ${WG}) { cS[(e / ${m}) * ${sharedStride} + e % ${m}] = cost[p * ${n * m} + e] / -uniforms.eps; }` : ''}
    }
    workgroupBarrier();
  }
  /** F'_i = -LSE_j(log b_j + G_j - C_ij/eps) for the potentials G in gS (max first, as tf.logSumExp). */
  fn rowPotential(p : i32, i : i32) -> f32 {
    var top = -3.4e38;
    for (var j = 0; j < ${m}; j++) { top = max(top, negCost(p, i, j) + (logBS[j] + gS[j])); }
    var s = 0.0;
    for (var j = 0; j < ${m}; j++) { s += exp(negCost(p, i, j) + (logBS[j] + gS[j]) - top); }
    return -(top + log(s));
  }`;
}
