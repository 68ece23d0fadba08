import { layoutKey, type KernelLayout } from './kernel_layout';
import { columnUpdate, iterationMain } from './problem_wgsl';
import { PerProblemProgram } from '../../backend/webgpu_program';

/**
 * `iterations` balanced kernel-domain Sinkhorn iterations of every problem in ONE dispatch, one
 * workgroup per problem, u and v (and K when it fits) in workgroup memory:
 *
 *   u_i = a_i / sum_j K_ij v_j          (one invocation per row)
 *   v_j = b_j / sum_i u_i K_ij          (R row groups per column, then a sum over the groups; 0 where b_j = 0)
 *
 * with a workgroup barrier after each half-iteration. Inputs: geometry [B, n*m + n + 1], a [B, n],
 * b [B, m], state [B, n + m] (u, v); output: the new state. Uniforms: batch B, iterations, fromStart
 * (1: start from u = a, v = b, ignoring `state` — the first iterate of `createKernelIterator`).
 */
export class IterateProgram extends PerProblemProgram {
  variableNames = ['geometry', 'marginalA', 'marginalB', 'state'];
  uniforms = 'batch : i32, iterations : i32, fromStart : i32,';

  constructor(private readonly layout: KernelLayout) {
    super([layout.B, layout.n + layout.m], layout.workgroup, `alignscopeSinkhornIterate_${layoutKey(layout)}`);
  }

  getUserCode(): string {
    const { n, m, workgroup: WG, sharedKernel, sharedStride, rowGroups: R, geometryWidth } = this.layout;
    const kernelAt = sharedKernel
      ? `fn kernelAt(p : i32, i : i32, j : i32) -> f32 { return kS[i * ${sharedStride} + j]; }`
      : `fn kernelAt(p : i32, i : i32, j : i32) -> f32 { return geometry[p * ${geometryWidth} + i * ${m} + j]; }`;
    const loadKernel = sharedKernel
      ? `if (live) { for (var e = t; e < ${n * m}; e += ${WG}) { kS[(e / ${m}) * ${sharedStride} + e % ${m}] = geometry[p * ${geometryWidth} + e]; } }`
      : '';
    const rowUpdate = `
          var s = 0.0;
          for (var j = 0; j < ${m}; j++) { s += kernelAt(p, i, j) * vS[j]; }
          uS[i] = marginalA[p * ${n} + i] / s;`;
    // v_j = b_j / w, the column sum w over the rows (over the R partial sums in partS when m <= WG).
    const columns = columnUpdate(
      this.layout,
      (first, step) => `
        var w = 0.0;
        for (var i = ${first}; i < ${n}; i += ${step}) { w += uS[i] * kernelAt(p, i, j); }`,
      'partS[t] = w;',
      `
        var w = 0.0;
        for (var r = 0; r < ${R}; r++) { w += partS[r * ${m} + t]; }`,
      (j) => `let bj = marginalB[p * ${m} + ${j}];
          vS[${j}] = select(bj / w, 0.0, bj == 0.0);`,
    );
    const state = { rows: 'uS', columns: 'vS', startRow: `marginalA[p * ${n} + i]`, startColumn: `marginalB[p * ${m} + j]` };
    return `
  ${sharedKernel ? `var<workgroup> kS : array<f32, ${n * sharedStride}>;` : ''}
  var<workgroup> uS : array<f32, ${n}>;
  var<workgroup> vS : array<f32, ${m}>;
  ${m <= WG ? `var<workgroup> partS : array<f32, ${R * m}>;` : ''}
  ${kernelAt}
  ${iterationMain(this.layout, state, `${loadKernel}\n    workgroupBarrier();`, rowUpdate, columns)}`;
  }
}
