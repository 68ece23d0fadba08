import { layoutKey, type KernelLayout } from './kernel_layout';
import { PROBLEM_INDEX, type WebGPUProgramLike } from './webgpu_program';

/**
 * `iterations` balanced kernel-domain Sinkhorn iterations of every problem in ONE dispatch, one
 * workgroup per problem, u and v (and K when it fits) in workgroup memory:
 *
 *   u_i = a_i / sum_j K_ij v_j          (one invocation per row)
 *   v_j = b_j / sum_i u_i K_ij          (R row groups per column, then a sum over the groups; 0 where b_j = 0)
 *
 * with a workgroup barrier after each half-iteration. Inputs: geometry [B, n*m + n + 1], a [B, n],
 * b [B, m], state [B, n + m] (u, v); output: the new state. Uniforms: batch B, iterations, fromStart
 * (1: start from v = b, ignoring `state` — the first iterate of `createKernelIterator`).
 */
export class IterateProgram implements WebGPUProgramLike {
  variableNames = ['geometry', 'marginalA', 'marginalB', 'state'];
  uniforms = 'batch : i32, iterations : i32, fromStart : i32,';
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0, 1] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];

  constructor(private readonly layout: KernelLayout) {
    this.outputShape = [layout.B, layout.n + layout.m];
    this.dispatch = [layout.B, 1, 1];
    this.workgroupSize = [layout.workgroup, 1, 1];
    this.shaderKey = `alignscopeSinkhornIterate_${layoutKey(layout)}`;
  }

  getUserCode(): string {
    const { n, m, workgroup: WG, sharedKernel, sharedStride, rowGroups: R, geometryWidth } = this.layout;
    const kernelAt = sharedKernel
      ? `fn kernelAt(p : i32, i : i32, j : i32) -> f32 { return kS[i * ${sharedStride} + j]; }`
      : `fn kernelAt(p : i32, i : i32, j : i32) -> f32 { return geometry[p * ${geometryWidth} + i * ${m} + j]; }`;
    const loadKernel = sharedKernel
      ? `for (var e = t; e < ${n * m}; e += ${WG}) { kS[(e / ${m}) * ${sharedStride} + e % ${m}] = geometry[p * ${geometryWidth} + e]; }`
      : '';
    const scaleColumn = (j: string, w: string) => `
        let bj = marginalB[p * ${m} + ${j}];
        vS[${j}] = select(bj / ${w}, 0.0, bj == 0.0);`;
    // Column update: R groups of m invocations when m <= WG (then a sum over the R partials), else one invocation per column.
    const columns =
      m <= WG
        ? `
      if (live && t < ${R * m}) {
        let j = t % ${m};
        var w = 0.0;
        for (var i = t / ${m}; i < ${n}; i += ${R}) { w += uS[i] * kernelAt(p, i, j); }
        partS[t] = w;
      }
      workgroupBarrier();
      if (live && t < ${m}) {
        var w = 0.0;
        for (var r = 0; r < ${R}; r++) { w += partS[r * ${m} + t]; }
        ${scaleColumn('t', 'w')}
      }
      workgroupBarrier();`
        : `
      if (live) {
        for (var j = t; j < ${m}; j += ${WG}) {
          var w = 0.0;
          for (var i = 0; i < ${n}; i++) { w += uS[i] * kernelAt(p, i, j); }
          ${scaleColumn('j', 'w')}
        }
      }
      workgroupBarrier();`;
    return `
  ${PROBLEM_INDEX}
  ${sharedKernel ? `var<workgroup> kS : array<f32, ${n * sharedStride}>;` : ''}
  var<workgroup> uS : array<f32, ${n}>;
  var<workgroup> vS : array<f32, ${m}>;
  ${m <= WG ? `var<workgroup> partS : array<f32, ${R * m}>;` : ''}
  ${kernelAt}

  fn main(index : i32) {
    let p = problemIndex();
    let t = i32(localIndex);
    let live = p < uniforms.batch;
    let start = uniforms.fromStart != 0;
    if (live) {
      ${loadKernel}
      if (start) {
        for (var i = t; i < ${n}; i += ${WG}) { uS[i] = marginalA[p * ${n} + i]; }
        for (var j = t; j < ${m}; j += ${WG}) { vS[j] = marginalB[p * ${m} + j]; }
      } else {
        for (var i = t; i < ${n}; i += ${WG}) { uS[i] = state[p * ${n + m} + i]; }
        for (var j = t; j < ${m}; j += ${WG}) { vS[j] = state[p * ${n + m} + ${n} + j]; }
      }
    }
    workgroupBarrier();
    for (var it = 0; it < uniforms.iterations; it++) {
      if (live) {
        for (var i = t; i < ${n}; i += ${WG}) {
          var s = 0.0;
          for (var j = 0; j < ${m}; j++) { s += kernelAt(p, i, j) * vS[j]; }
          uS[i] = marginalA[p * ${n} + i] / s;
        }
      }
      workgroupBarrier();
      ${columns}
    }
    if (live) {
      for (var i = t; i < ${n}; i += ${WG}) { result[p * ${n + m} + i] = uS[i]; }
      for (var j = t; j < ${m}; j += ${WG}) { result[p * ${n + m} + ${n} + j] = vS[j]; }
    }
  }`;
  }
}
