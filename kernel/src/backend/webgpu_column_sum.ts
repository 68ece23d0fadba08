import * as tf from '@tensorflow/tfjs-core';
import { PerProblemProgram, problemMain, runProgram, workgroupReduce } from './webgpu_program';

const WORKGROUP = 64;

/**
 * Column sums of a row-major matrix x [N, m] → [m] in one WebGPU dispatch: one workgroup per column, its 64
 * invocations stride the rows and add their partial sums in workgroup memory. TF.js's `tf.sum(x, 0)` takes two
 * dispatches on webgpu (a transpose, then a reduction over the inner axis); bias and layer-norm gradients need
 * one per layer.
 */
class ColumnSumProgram extends PerProblemProgram {
  variableNames = ['x'];
  uniforms = 'batch : i32, rows : i32,';

  constructor(private readonly columns: number) {
    super([columns], WORKGROUP, `alignscopeColumnSum_${columns}`);
  }

  getUserCode(): string {
    const m = this.columns;
    return `
  ${workgroupReduce('sumAll', 'add', 'f32', WORKGROUP)}
  ${problemMain(`
    var s = 0.0;
    if (live) {
      for (var r = t; r < uniforms.rows; r += ${WORKGROUP}) { s += x[r * ${m} + p]; }
    }
    let total = sumAll(t, s);
    if (live && t == 0) { result[p] = total; }`)}`;
  }
}

/** Σ_rows x for x [N, m] (float32) on the webgpu backend. */
export function columnSumWebGPU(x: tf.Tensor2D): tf.Tensor1D {
  const [N, m] = x.shape;
  const input = x.dtype === 'float32' ? x : tf.cast(x, 'float32');
  return runProgram(new ColumnSumProgram(m), [input], [
    { type: 'int32', data: [m] },
    { type: 'int32', data: [N] },
  ]) as tf.Tensor1D;
}
