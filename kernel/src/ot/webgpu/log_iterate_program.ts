import { layoutKey, type KernelLayout } from './kernel_layout';
import { PROBLEM_INDEX, type WebGPUProgramLike } from './webgpu_program';

/**
 * WGSL shared by the log-domain programs: log a and log b in workgroup memory (LOG_ZERO = -1e30 off the
 * support, as `buildProblem` makes them) and the entries -C_ij/eps (cost / -eps, as `createLogIterator`).
 * Expects bindings `cost`, `marginalA`, `marginalB` and uniforms `batch`, `eps`.
 */
export function logPrelude(layout: KernelLayout, sharedCost: boolean): string {
  const { n, m, workgroup: WG, sharedStride } = layout;
  return `
  ${PROBLEM_INDEX}
  var<workgroup> logAS : array<f32, ${n}>;
  var<workgroup> logBS : array<f32, ${m}>;
  ${sharedCost ? `var<workgroup> cS : array<f32, ${n * sharedStride}>;` : ''}
  fn safeLog(x : f32) -> f32 { return select(-1e30, log(max(x, 1e-38)), x > 0.0); }
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

/**
 * `iterations` balanced log-domain Sinkhorn iterations (see `createLogIterator`) of every problem in ONE
 * dispatch, one workgroup per problem, F and G (and -C/eps when it fits) in workgroup memory:
 *
 *   F_i = -LSE_j(log b_j + G_j - C_ij/eps)      G_j = -LSE_i(log a_i + F_i - C_ij/eps)
 *
 * The column LSE runs in R row groups, each with its own max, merged as sum_r s_r exp(max_r - max).
 * Inputs: cost [B, n, m], a [B, n], b [B, m], state [B, n + m] (F, G); output: the new state.
 * Uniforms: batch B, eps, iterations, fromStart (1: start from F = G = 0, ignoring `state`).
 */
export class LogIterateProgram implements WebGPUProgramLike {
  variableNames = ['cost', 'marginalA', 'marginalB', 'state'];
  uniforms = 'batch : i32, eps : f32, iterations : i32, fromStart : i32,';
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];

  constructor(private readonly layout: KernelLayout) {
    this.outputShape = [layout.B, layout.n + layout.m];
    this.dispatch = [layout.B, 1, 1];
    this.workgroupSize = [layout.workgroup, 1, 1];
    this.shaderKey = `alignscopeSinkhornLogIterate_${layoutKey(layout)}`;
  }

  getUserCode(): string {
    const { n, m, workgroup: WG, rowGroups: R, sharedKernel } = this.layout;
    const columnLse = (j: string, first: string, step: string, out: string) => `
          var top = -3.4e38;
          for (var i = ${first}; i < ${n}; i += ${step}) { top = max(top, negCost(p, i, ${j}) + (logAS[i] + fS[i])); }
          var s = 0.0;
          for (var i = ${first}; i < ${n}; i += ${step}) { s += exp(negCost(p, i, ${j}) + (logAS[i] + fS[i]) - top); }
          ${out}`;
    const columns =
      m <= WG
        ? `
      if (live && t < ${R * m}) {
        let j = t % ${m};
        ${columnLse('j', `t / ${m}`, `${R}`, 'partMax[t] = top; partSum[t] = s;')}
      }
      workgroupBarrier();
      if (live && t < ${m}) {
        var top = -3.4e38;
        for (var r = 0; r < ${R}; r++) { top = max(top, partMax[r * ${m} + t]); }
        var s = 0.0;
        for (var r = 0; r < ${R}; r++) { s += partSum[r * ${m} + t] * exp(partMax[r * ${m} + t] - top); }
        gS[t] = -(top + log(s));
      }
      workgroupBarrier();`
        : `
      if (live) {
        for (var j = t; j < ${m}; j += ${WG}) {
          ${columnLse('j', '0', '1', 'gS[j] = -(top + log(s));')}
        }
      }
      workgroupBarrier();`;
    return `
  var<workgroup> fS : array<f32, ${n}>;
  var<workgroup> gS : array<f32, ${m}>;
  ${m <= WG ? `var<workgroup> partMax : array<f32, ${R * m}>;\n  var<workgroup> partSum : array<f32, ${R * m}>;` : ''}
  ${logPrelude(this.layout, sharedKernel)}

  fn main(index : i32) {
    let p = problemIndex();
    let t = i32(localIndex);
    let live = p < uniforms.batch;
    let start = uniforms.fromStart != 0;
    if (live) {
      for (var i = t; i < ${n}; i += ${WG}) { fS[i] = 0.0; }
      for (var j = t; j < ${m}; j += ${WG}) { gS[j] = 0.0; }
      if (!start) {
        for (var i = t; i < ${n}; i += ${WG}) { fS[i] = state[p * ${n + m} + i]; }
        for (var j = t; j < ${m}; j += ${WG}) { gS[j] = state[p * ${n + m} + ${n} + j]; }
      }
    }
    loadLogMarginals(p, t, live);
    for (var it = 0; it < uniforms.iterations; it++) {
      if (live) {
        for (var i = t; i < ${n}; i += ${WG}) { fS[i] = rowPotential(p, i); }
      }
      workgroupBarrier();
      ${columns}
    }
    if (live) {
      for (var i = t; i < ${n}; i += ${WG}) { result[p * ${n + m} + i] = fS[i]; }
      for (var j = t; j < ${m}; j += ${WG}) { result[p * ${n + m} + ${n} + j] = gS[j]; }
    }
  }`;
  }
}
