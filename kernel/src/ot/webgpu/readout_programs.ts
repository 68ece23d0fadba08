import { geometryOffsets, layoutKey, type KernelLayout } from './kernel_layout';
import { PROBLEM_INDEX, workgroupReduce, type WebGPUProgramLike } from './webgpu_program';

/**
 * What the solver reads from a state (u, v): the plan, the potentials, the row error of `error()` and
 * the objective value — one dispatch each, formulas and arithmetic order as in `createKernelIterator`
 * and `regularisedObjective`. Shapes: geometry [B, n*m + n + 1], a [B, n], b [B, m], state [B, n + m].
 */

/** Element-wise programs: one invocation per output entry (64 per workgroup). */
abstract class ElementwiseProgram implements WebGPUProgramLike {
  abstract variableNames: string[];
  uniforms = 'eps : f32,';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true; // adds uniforms.size, the number of output entries

  constructor(
    readonly outputShape: number[],
    public shaderKey: string,
  ) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    const entries = outputShape.reduce((x, y) => x * y, 1);
    this.dispatch = [Math.ceil(entries / 64), 1, 1];
  }

  abstract getUserCode(): string;
}

/** plan [B, n, m]: P_ij = u_i K_ij v_j. */
export class PlanProgram extends ElementwiseProgram {
  variableNames = ['geometry', 'state'];
  override uniforms = '';

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

/** Shared parts of the per-problem read-outs: u and v in workgroup memory, (K v)_i and (u^T K)_j. */
function perProblemPrelude(layout: KernelLayout, reduction: string): string {
  const { n, m, workgroup: WG, geometryWidth } = layout;
  return `
  ${PROBLEM_INDEX}
  ${reduction}
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
      for (var i = t; i < ${n}; i += ${WG}) { uS[i] = state[p * ${n + m} + i]; }
      for (var j = t; j < ${m}; j += ${WG}) { vS[j] = state[p * ${n + m} + ${n} + j]; }
    }
    workgroupBarrier();
  }`;
}

abstract class PerProblemProgram implements WebGPUProgramLike {
  abstract variableNames: string[];
  abstract uniforms: string;
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

  abstract getUserCode(): string;
}

/** error [B] = sum_i |u_i (K v)_i - a_i| (the row error; the columns are exact after a column update). Uniforms: batch. */
export class RowErrorProgram extends PerProblemProgram {
  variableNames = ['geometry', 'marginalA', 'state'];
  uniforms = 'batch : i32,';

  constructor(layout: KernelLayout) {
    super(layout, `alignscopeSinkhornRowError_${layoutKey(layout)}`);
  }

  getUserCode(): string {
    const { n, workgroup: WG } = this.layout;
    return `
  ${perProblemPrelude(this.layout, workgroupReduce('total', 'add', 'f32', WG))}
  fn main(index : i32) {
    let p = problemIndex();
    let t = i32(localIndex);
    let live = p < uniforms.batch;
    loadState(p, t, live);
    var e = 0.0;
    if (live) {
      for (var i = t; i < ${n}; i += ${WG}) { e += abs(uS[i] * rowSum(p, i) - marginalA[p * ${n} + i]); }
    }
    let sum = total(t, e);
    if (live && t == 0) { result[p] = sum; }
  }`;
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

  constructor(layout: KernelLayout) {
    super(layout, `alignscopeSinkhornObjective_${layoutKey(layout)}`);
  }

  getUserCode(): string {
    const { n, m, workgroup: WG, geometryWidth } = this.layout;
    const shift = geometryOffsets(n, m).shift;
    return `
  ${perProblemPrelude(this.layout, workgroupReduce('total', 'add', 'vec4<f32>', WG))}
  fn main(index : i32) {
    let p = problemIndex();
    let t = i32(localIndex);
    let live = p < uniforms.batch;
    loadState(p, t, live);
    // (<P 1, f> + <P^T 1, g>, sum P, sum a, sum b)
    var acc = vec4<f32>(0.0);
    if (live) {
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
      }
    }
    let sums = total(t, acc);
    if (live && t == 0) { result[p] = sums.x - (sums.y - sums.z * sums.w) * uniforms.eps; }
  }`;
  }
}
