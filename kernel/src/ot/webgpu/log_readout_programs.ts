import { layoutKey, type KernelLayout } from './kernel_layout';
import { logPrelude, SAFE_LOG } from './log_prelude';
import { copyStateIn, problemReduction } from './problem_wgsl';
import { ElementwiseProgram, PerProblemProgram } from '../../backend/webgpu_program';

/**
 * The log-domain read-outs of a state (F, G) — plan, potentials, row error, objective — one dispatch
 * each, formulas and arithmetic order as in `createLogIterator` and `regularisedObjective`:
 *
 *   P_ij = exp(-C_ij/eps + (log a_i + F_i) + (log b_j + G_j)),   f = eps F,   g = eps G   (0 off the support)
 *
 * Shapes: cost [B, n, m], a [B, n], b [B, m], state [B, n + m].
 */

/** plan [B, n, m], one invocation per entry. Uniforms: eps. */
export class LogPlanProgram extends ElementwiseProgram {
  variableNames = ['cost', 'marginalA', 'marginalB', 'state'];
  uniforms = 'eps : f32,';

  constructor(private readonly layout: KernelLayout) {
    super([layout.B, layout.n, layout.m], `alignscopeSinkhornLogPlan_${layoutKey(layout)}`);
  }

  getUserCode(): string {
    const { n, m } = this.layout;
    return `
  ${SAFE_LOG}
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    let p = index / ${n * m};
    let i = (index % ${n * m}) / ${m};
    let j = index % ${m};
    let s = p * ${n + m};
    let rowTerm = safeLog(marginalA[p * ${n} + i]) + state[s + i];
    let columnTerm = safeLog(marginalB[p * ${m} + j]) + state[s + ${n} + j];
    result[index] = exp(cost[index] / -uniforms.eps + rowTerm + columnTerm);
  }`;
  }
}

/** Potentials in cost units: rows f [B, n] = eps F on a > 0, columns g [B, m] = eps G on b > 0. Uniforms: eps. */
export class LogPotentialProgram extends ElementwiseProgram {
  variableNames = ['marginal', 'state'];
  uniforms = 'eps : f32,';

  constructor(
    private readonly layout: KernelLayout,
    private readonly side: 'rows' | 'columns',
  ) {
    super([layout.B, side === 'rows' ? layout.n : layout.m], `alignscopeSinkhornLogPotential_${side}_${layoutKey(layout)}`);
  }

  getUserCode(): string {
    const { n, m } = this.layout;
    const len = this.side === 'rows' ? n : m;
    const offset = this.side === 'rows' ? 0 : n;
    return `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    let potential = state[(index / ${len}) * ${n + m} + ${offset} + index % ${len}];
    result[index] = select(0.0, potential * uniforms.eps, marginal[index] > 0.0);
  }`;
  }
}

/** One workgroup per problem with F, G, log a, log b in workgroup memory. */
abstract class LogPerProblemProgram extends PerProblemProgram {
  variableNames = ['cost', 'marginalA', 'marginalB', 'state'];
  uniforms = 'batch : i32, eps : f32,';

  constructor(
    protected readonly layout: KernelLayout,
    shaderKey: string,
  ) {
    super([layout.B], layout.workgroup, shaderKey);
  }

  /** The WGSL before main: state and marginals in workgroup memory, the plan's entries. */
  protected prelude(): string {
    const { n, m } = this.layout;
    return `
  var<workgroup> fS : array<f32, ${n}>;
  var<workgroup> gS : array<f32, ${m}>;
  ${logPrelude(this.layout, false)}
  fn loadState(p : i32, t : i32, live : bool) {
    if (live) {
      ${copyStateIn(this.layout, 'fS', 'gS')}
    }
    loadLogMarginals(p, t, live);
  }
  fn planAt(p : i32, i : i32, j : i32) -> f32 {
    return exp(negCost(p, i, j) + (logAS[i] + fS[i]) + (logBS[j] + gS[j]));
  }`;
  }
}

/** error [B] = sum_i |a_i exp(F_i - F'_i) - a_i|, F' the next row update (the plan's row error). Uniforms: batch, eps. */
export class LogRowErrorProgram extends LogPerProblemProgram {
  constructor(layout: KernelLayout) {
    super(layout, `alignscopeSinkhornLogRowError_${layoutKey(layout)}`);
  }

  getUserCode(): string {
    const { n, workgroup: WG } = this.layout;
    return problemReduction(
      this.layout,
      this.prelude(),
      'f32',
      `
      for (var i = t; i < ${n}; i += ${WG}) {
        let ai = marginalA[p * ${n} + i];
        acc += abs(ai * exp(fS[i] - rowPotential(p, i)) - ai);
      }`,
      'sums',
    );
  }
}

/**
 * The regularised objective [B] (see `regularisedObjective`) with P 1 and P^T 1 summed from the plan:
 *   <P 1, f> + <P^T 1, g> - eps (sum P - sum a * sum b).   Uniforms: batch, eps.
 */
export class LogObjectiveProgram extends LogPerProblemProgram {
  constructor(layout: KernelLayout) {
    super(layout, `alignscopeSinkhornLogObjective_${layoutKey(layout)}`);
  }

  getUserCode(): string {
    const { n, m, workgroup: WG } = this.layout;
    // acc = (<P 1, f> + <P^T 1, g>, sum P, sum a, sum b)
    return problemReduction(
      this.layout,
      this.prelude(),
      'vec4<f32>',
      `
      for (var i = t; i < ${n}; i += ${WG}) {
        var rows = 0.0;
        for (var j = 0; j < ${m}; j++) { rows += planAt(p, i, j); }
        let ai = marginalA[p * ${n} + i];
        acc += vec4<f32>(rows * select(0.0, fS[i] * uniforms.eps, ai > 0.0), rows, ai, 0.0);
      }
      for (var j = t; j < ${m}; j += ${WG}) {
        var cols = 0.0;
        for (var i = 0; i < ${n}; i++) { cols += planAt(p, i, j); }
        let bj = marginalB[p * ${m} + j];
        acc += vec4<f32>(cols * select(0.0, gS[j] * uniforms.eps, bj > 0.0), 0.0, 0.0, bj);
      }`,
      'sums.x - (sums.y - sums.z * sums.w) * uniforms.eps',
    );
  }
}
