import { layoutKey, type KernelLayout } from './kernel_layout';
import { logPrelude } from './log_prelude';
import { columnUpdate, iterationMain } from './problem_wgsl';
import { PerProblemProgram } from '../../backend/webgpu_program';

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
export class LogIterateProgram extends PerProblemProgram {
  variableNames = ['cost', 'marginalA', 'marginalB', 'state'];
  uniforms = 'batch : i32, eps : f32, iterations : i32, fromStart : i32,';

  constructor(private readonly layout: KernelLayout) {
    super([layout.B, layout.n + layout.m], layout.workgroup, `alignscopeSinkhornLogIterate_${layoutKey(layout)}`);
  }

  getUserCode(): string {
    const { n, m, workgroup: WG, rowGroups: R, sharedKernel } = this.layout;
    // G_j = -(top + log s), s = sum_i exp(log a_i + F_i - C_ij/eps - top) (merged over the R groups' top and s when m <= WG).
    const columns = columnUpdate(
      this.layout,
      (first, step) => `
          var top = -3.4e38;
          for (var i = ${first}; i < ${n}; i += ${step}) { top = max(top, negCost(p, i, j) + (logAS[i] + fS[i])); }
          var s = 0.0;
          for (var i = ${first}; i < ${n}; i += ${step}) { s += exp(negCost(p, i, j) + (logAS[i] + fS[i]) - top); }`,
      'partMax[t] = top; partSum[t] = s;',
      `
        var top = -3.4e38;
        for (var r = 0; r < ${R}; r++) { top = max(top, partMax[r * ${m} + t]); }
        var s = 0.0;
        for (var r = 0; r < ${R}; r++) { s += partSum[r * ${m} + t] * exp(partMax[r * ${m} + t] - top); }`,
      (j) => `gS[${j}] = -(top + log(s));`,
    );
    const state = { rows: 'fS', columns: 'gS', startRow: '0.0', startColumn: '0.0' };
    return `
  var<workgroup> fS : array<f32, ${n}>;
  var<workgroup> gS : array<f32, ${m}>;
  ${m <= WG ? `var<workgroup> partMax : array<f32, ${R * m}>;\n  var<workgroup> partSum : array<f32, ${R * m}>;` : ''}
  ${logPrelude(this.layout, sharedKernel)}
  ${iterationMain(this.layout, state, 'loadLogMarginals(p, t, live);', `
          fS[i] = rowPotential(p, i);`, columns)}`;
  }
}
