import { geometryOffsets, layoutKey, type KernelLayout } from './kernel_layout';
import { copyStateIn, problemReduction } from './problem_wgsl';
import { ElementwiseProgram, PerProblemProgram } from '../../backend/webgpu_program';

/**
 * What the solver reads from a state (u, v): the plan, the potentials, the row error of `error()` and
 * the objective value — one dispatch each, formulas and arithmetic order as in `createKernelIterator`
 * and `regularisedObjective`. Shapes: geometry [B, n*m + n + 1], a [B, n], b [B, m], state [B, n + m].
 */

/** plan [B, n, m]: P_ij = u_i K_ij v_j. */
export class PlanProgram extends ElementwiseProgram {
  variableNames = ['geometry', 'state'];
  uniforms = '';

  constructor(private readonly layout: KernelLayout) {
    super([layout.B, layout.n, layout.m], `alignscopeSinkhornPlan_${layoutKey(layout)}`);
  }

  getUserCode(): string {
    const { n, m, geometryWidth } = this.layout;
    return `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    let p = index / ${n * m};
    let e = index % ${n * m};
    let s = p * ${n + m};
    result[index] = state[s + e / ${m}] * geometry[p * ${geometryWidth} + e] * state[s + ${n} + e % ${m}];
  }`;
  }
}

/**
 * Potentials in cost units, 0 off the support: rows f [B, n] = eps log(u / a) + r on a > 0 (inputs
 * geometry, a, state); columns g [B, m] = eps log(v / b) on b > 0 (inputs b, state). Uniforms: eps.
 */
export class PotentialProgram extends ElementwiseProgram {
  // Pipelines are laid out from the bindings the WGSL uses: columns need no geometry (no shift), so they do not bind it.
  variableNames: string[];
  uniforms = 'eps : f32,';

  constructor(
    private readonly layout: KernelLayout,
    private readonly side: 'rows' | 'columns',
  ) {
    super([layout.B, side === 'rows' ? layout.n : layout.m], `alignscopeSinkhornPotential_${side}_${layoutKey(layout)}`);
    this.variableNames = side === 'rows' ? ['geometry', 'marginal', 'state'] : ['marginal', 'state'];
  }

  getUserCode(): string {
    const { n, m, geometryWidth } = this.layout;
    const len = this.side === 'rows' ? n : m;
    const scaling = this.side === 'rows' ? `state[p * ${n + m} + k]` : `state[p * ${n + m} + ${n} + k]`;
    const shift = this.side === 'rows' ? ` + geometry[p * ${geometryWidth} + ${geometryOffsets(n, m).shift} + k]` : '';
    return `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    let p = index / ${len};
    let k = index % ${len};
    let mass = marginal[index];
    result[index] = select(0.0, log(${scaling} / mass) * uniforms.eps${shift}, mass > 0.0);
  }`;
  }
}

/** The WGSL before main of the per-problem read-outs: u and v in workgroup memory, (K v)_i and (u^T K)_j. */
function perProblemPrelude(layout: KernelLayout): string {
  const { n, m, geometryWidth } = layout;
  return `
  var<workgroup> uS : array<f32, ${n}>;
  var<workgroup> vS : array<f32, ${m}>;
  fn rowSum(p : i32, i : i32) -> f32 {
    var s = 0.0;
    for (var j = 0; j < ${m}; j++) { s += geometry[p * ${geometryWidth} + i * ${m} + j] * vS[j]; }
    return s;
  }
  fn columnSum(p : i32, j : i32) -> f32 {
    var w = 0.0;
    for (var i = 0; i < ${n}; i++) { w += uS[i] * geometry[p * ${geometryWidth} + i * ${m} + j]; }
    return w;
  }
  fn loadState(p : i32, t : i32, live : bool) {
    if (live) {
      ${copyStateIn(layout, 'uS', 'vS')}
    }
    workgroupBarrier();
  }`;
}

/** error [B] = sum_i |u_i (K v)_i - a_i| (the row error; the columns are exact after a column update). Uniforms: batch. */
export class RowErrorProgram extends PerProblemProgram {
  variableNames = ['geometry', 'marginalA', 'state'];
  uniforms = 'batch : i32,';

  constructor(private readonly layout: KernelLayout) {
    super([layout.B], layout.workgroup, `alignscopeSinkhornRowError_${layoutKey(layout)}`);
  }

  getUserCode(): string {
    const { n, workgroup: WG } = this.layout;
    return problemReduction(
      this.layout,
      perProblemPrelude(this.layout),
      'f32',
      `
      for (var i = t; i < ${n}; i += ${WG}) { acc += abs(uS[i] * rowSum(p, i) - marginalA[p * ${n} + i]); }`,
      'sums',
    );
  }
}

/**
 * The regularised objective [B] at the plan P = diag(u) K diag(v) (see `regularisedObjective`):
 *   <P 1, f> + <P^T 1, g> - eps (sum P - sum a * sum b),   P 1 = u ⊙ K v,   P^T 1 = v ⊙ K^T u.
 * Uniforms: batch, eps.
 */
export class ObjectiveProgram extends PerProblemProgram {
  variableNames = ['geometry', 'marginalA', 'marginalB', 'state'];
  uniforms = 'batch : i32, eps : f32,';

  constructor(private readonly layout: KernelLayout) {
    super([layout.B], layout.workgroup, `alignscopeSinkhornObjective_${layoutKey(layout)}`);
  }

  getUserCode(): string {
    const { n, m, workgroup: WG, geometryWidth } = this.layout;
    const shift = geometryOffsets(n, m).shift;
    // acc = (<P 1, f> + <P^T 1, g>, sum P, sum a, sum b)
    return problemReduction(
      this.layout,
      perProblemPrelude(this.layout),
      'vec4<f32>',
      `
      for (var i = t; i < ${n}; i += ${WG}) {
        let rows = uS[i] * rowSum(p, i);
        let ai = marginalA[p * ${n} + i];
        let f = select(0.0, log(uS[i] / ai) * uniforms.eps + geometry[p * ${geometryWidth} + ${shift} + i], ai > 0.0);
        acc += vec4<f32>(rows * f, rows, ai, 0.0);
      }
      for (var j = t; j < ${m}; j += ${WG}) {
        let cols = vS[j] * columnSum(p, j);
        let bj = marginalB[p * ${m} + j];
        let g = select(0.0, log(vS[j] / bj) * uniforms.eps, bj > 0.0);
        acc += vec4<f32>(cols * g, 0.0, 0.0, bj);
      }`,
      'sums.x - (sums.y - sums.z * sums.w) * uniforms.eps',
    );
  }
}
