import { geometryOffsets, layoutKey, type KernelLayout } from './kernel_layout';
import { PerProblemProgram, problemMain, workgroupReduce } from '../../backend/webgpu_program';

/**
 * One workgroup per problem: cost [B, n, m] -> geometry [B, n*m + n + 1] (see kernel_layout.ts):
 *
 *   r_i = min_j C_ij,   K_ij = exp((C_ij - r_i) / -eps),   range = max_i (max_j C_ij - r_i)
 *
 * in the same arithmetic order as the TF.js kernel form (`cost.sub(rowShift).div(-eps).exp()`).
 * Uniforms: batch B, eps.
 */
export class BuildKernelProgram extends PerProblemProgram {
  variableNames = ['cost'];
  uniforms = 'batch : i32, eps : f32,';

  constructor(private readonly layout: KernelLayout) {
    super([layout.B, layout.geometryWidth], layout.workgroup, `alignscopeSinkhornBuildKernel_${layoutKey(layout)}`);
  }

  getUserCode(): string {
    const { n, m, workgroup, geometryWidth } = this.layout;
    const at = geometryOffsets(n, m);
    return `
  ${workgroupReduce('widest', 'max', 'f32', workgroup)}
  var<workgroup> rowMin : array<f32, ${n}>;
  ${problemMain(`
    var widestRow = 0.0;
    if (live) {
      for (var i = t; i < ${n}; i += ${workgroup}) {
        let row = (p * ${n} + i) * ${m};
        var lo = cost[row];
        var hi = lo;
        for (var j = 1; j < ${m}; j++) {
          lo = min(lo, cost[row + j]);
          hi = max(hi, cost[row + j]);
        }
        rowMin[i] = lo;
        result[p * ${geometryWidth} + ${at.shift} + i] = lo;
        widestRow = max(widestRow, hi - lo);
      }
    }
    let problemRange = widest(t, widestRow);
    if (live) {
      if (t == 0) { result[p * ${geometryWidth} + ${at.range}] = problemRange; }
      for (var e = t; e < ${n * m}; e += ${workgroup}) {
        result[p * ${geometryWidth} + e] = exp((cost[p * ${n * m} + e] - rowMin[e / ${m}]) / -uniforms.eps);
      }
    }`)}`;
  }
}

/** Max over problems of the cost range: geometry [B, width] -> [1], one workgroup of 256. Uniforms: batch B. */
export class CostRangeProgram extends PerProblemProgram {
  variableNames = ['geometry'];
  uniforms = 'batch : i32,';

  constructor(private readonly layout: KernelLayout) {
    super([1], 256, `alignscopeSinkhornCostRange_${layoutKey(layout)}`);
  }

  getUserCode(): string {
    const { n, m, geometryWidth } = this.layout;
    return `
  ${workgroupReduce('widest', 'max', 'f32', 256)}
  fn main(index : i32) {
    let t = i32(localIndex);
    var widestRow = 0.0;
    for (var p = t; p < uniforms.batch; p += 256) {
      widestRow = max(widestRow, geometry[p * ${geometryWidth} + ${geometryOffsets(n, m).range}]);
    }
    let total = widest(t, widestRow);
    if (t == 0) { result[0] = total; }
  }`;
  }
}
