import { layoutKey, type KernelLayout } from './kernel_layout';
import { logPrelude } from './log_iterate_program';
import { workgroupReduce, type WebGPUProgramLike } from './webgpu_program';

/**
 * The log-domain read-outs of a state (F, G) — plan, potentials, row error, objective — one dispatch
 * each, formulas and arithmetic order as in `createLogIterator` and `regularisedObjective`:
 *
 *   P_ij = exp(-C_ij/eps + (log a_i + F_i) + (log b_j + G_j)),   f = eps F,   g = eps G   (0 off the support)
 *
 * Shapes: cost [B, n, m], a [B, n], b [B, m], state [B, n + m].
 */

const SAFE_LOG = 'fn safeLog(x : f32) -> f32 { return select(-1e30, log(max(x, 1e-38)), x > 0.0); }';

/** plan [B, n, m], one invocation per entry. Uniforms: eps. */
export class LogPlanProgram implements WebGPUProgramLike {
  variableNames = ['cost', 'marginalA', 'marginalB', 'state'];
  uniforms = 'eps : f32,';
  size = true;
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0, 1, 2] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];

  constructor(private readonly layout: KernelLayout) {
    this.outputShape = [layout.B, layout.n, layout.m];
    this.dispatch = [Math.ceil((layout.B * layout.n * layout.m) / 64), 1, 1];
    this.shaderKey = `alignscopeSinkhornLogPlan_${layoutKey(layout)}`;
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
export class LogPotentialProgram implements WebGPUProgramLike {
  variableNames = ['marginal', 'state'];
  uniforms = 'eps : f32,';
  size = true;
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];

  constructor(
    private readonly layout: KernelLayout,
    private readonly side: 'rows' | 'columns',
  ) {
    const len = side === 'rows' ? layout.n : layout.m;
    this.outputShape = [layout.B, len];
    this.dispatch = [Math.ceil((layout.B * len) / 64), 1, 1];
    this.shaderKey = `alignscopeSinkhornLogPotential_${side}_${layoutKey(layout)}`;
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
abstract class LogPerProblemProgram implements WebGPUProgramLike {
  variableNames = ['cost', 'marginalA', 'marginalB', 'state'];
  uniforms = 'batch : i32, eps : f32,';
  outputShape: number[];
  dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];

  constructor(
    protected readonly layout: KernelLayout,
    public shaderKey: string,
  ) {
    this.outputShape = [layout.B];
    this.dispatch = [layout.B, 1, 1];
    this.workgroupSize = [layout.workgroup, 1, 1];
  }

  /** The WGSL before main: state and marginals in workgroup memory, the reduction. */
  protected prelude(reduction: string): string {
    const { n, m, workgroup: WG } = this.layout;
    return `
  var<workgroup> fS : array<f32, ${n}>;
  var<workgroup> gS : array<f32, ${m}>;
  ${logPrelude(this.layout, false)}
  ${reduction}
  fn loadState(p : i32, t : i32, live : bool) {
    if (live) {
      for (var i = t; i < ${n}; i += ${WG}) { fS[i] = state[p * ${n + m} + i]; }
      for (var j = t; j < ${m}; j += ${WG}) { gS[j] = state[p * ${n + m} + ${n} + j]; }
    }
    loadLogMarginals(p, t, live);
  }
  fn planAt(p : i32, i : i32, j : i32) -> f32 {
    return exp(negCost(p, i, j) + (logAS[i] + fS[i]) + (logBS[j] + gS[j]));
  }`;
  }

  abstract getUserCode(): string;
}

/** error [B] = sum_i |a_i exp(F_i - F'_i) - a_i|, F' the next row update (the plan's row error). Uniforms: batch, eps. */
export class LogRowErrorProgram extends LogPerProblemProgram {
  constructor(layout: KernelLayout) {
    super(layout, `alignscopeSinkhornLogRowError_${layoutKey(layout)}`);
  }

  getUserCode(): string {
    const { n, workgroup: WG } = this.layout;
    return `
  ${this.prelude(workgroupReduce('total', 'add', 'f32', WG))}
  fn main(index : i32) {
    let p = problemIndex();
    let t = i32(localIndex);
    let live = p < uniforms.batch;
    loadState(p, t, live);
    var e = 0.0;
    if (live) {
      for (var i = t; i < ${n}; i += ${WG}) {
        let ai = marginalA[p * ${n} + i];
        e += abs(ai * exp(fS[i] - rowPotential(p, i)) - ai);
      }
    }
    let sum = total(t, e);
    if (live && t == 0) { result[p] = sum; }
  }`;
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
    return `
  ${this.prelude(workgroupReduce('total', 'add', 'vec4<f32>', WG))}
  fn main(index : i32) {
    let p = problemIndex();
    let t = i32(localIndex);
    let live = p < uniforms.batch;
    loadState(p, t, live);
    // (<P 1, f> + <P^T 1, g>, sum P, sum a, sum b)
    var acc = vec4<f32>(0.0);
    if (live) {
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
      }
    }
    let sums = total(t, acc);
    if (live && t == 0) { result[p] = sums.x - (sums.y - sums.z * sums.w) * uniforms.eps; }
  }`;
  }
}
