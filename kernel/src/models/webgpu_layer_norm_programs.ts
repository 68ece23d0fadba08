import * as tf from '@tensorflow/tfjs-core';
import { ElementwiseProgram, PerProblemProgram, problemMain, runProgram, workgroupReduce, type ProgramUniform } from '../backend/webgpu_program';

/**
 * Layer normalisation over rows of x [N, d] on the webgpu backend in 2 dispatches forward and 3 backward,
 * instead of ~9 + ~11 TF.js ops (each a dispatch, ~100 µs of host time on an H200). Same formulas as
 * layer_norm.ts (x̂ = (x − μ)·r, r = 1/√(σ² + ε), σ² the mean of the centred squares; g = dy·γ):
 *
 *   stats [N, 2] = (μ, r) per row        one workgroup per row (two workgroup reductions)
 *   y = x̂ γ + β                          element-wise
 *   dx = r (g − mean(g) − x̂ mean(g x̂))   one workgroup per row
 *   dγ = Σ_rows dy x̂,  dβ = Σ_rows dy     one workgroup per column each
 */
const WORKGROUP = 64;

const reduce = workgroupReduce('sumAll', 'add', 'f32', WORKGROUP);

/** (μ, r) of each row. Inputs x; uniforms batch (= N), eps. */
class StatsProgram extends PerProblemProgram {
  variableNames = ['x'];
  uniforms = 'batch : i32, eps : f32,';

  constructor(rows: number, private readonly d: number) {
    super([rows, 2], WORKGROUP, `alignscopeLayerNormStats_${d}`);
  }

  getUserCode(): string {
    const d = this.d;
    return `
  ${reduce}
  ${problemMain(`
    var s = 0.0;
    if (live) { for (var j = t; j < ${d}; j += ${WORKGROUP}) { s += x[p * ${d} + j]; } }
    let mean = sumAll(t, s) / f32(${d});
    var q = 0.0;
    if (live) { for (var j = t; j < ${d}; j += ${WORKGROUP}) { let c = x[p * ${d} + j] - mean; q += c * c; } }
    let variance = sumAll(t, q) / f32(${d});
    if (live && t == 0) {
      result[p * 2] = mean;
      result[p * 2 + 1] = inverseSqrt(variance + uniforms.eps);
    }`)}`;
  }
}

/** y = x̂ γ + β. Inputs x, stats, gain, bias. */
class ApplyProgram extends ElementwiseProgram {
  variableNames = ['x', 'stats', 'gain', 'bias'];
  uniforms = '';

  constructor(rows: number, private readonly d: number) {
    super([rows, d], `alignscopeLayerNormApply_${d}`);
  }

  getUserCode(): string {
    const d = this.d;
    return `
  fn main(index : i32) {
    if (index >= uniforms.size) { return; }
    let r = index / ${d};
    let j = index % ${d};
    result[index] = ((x[index] - stats[r * 2]) * stats[r * 2 + 1]) * gain[j] + bias[j];
  }`;
  }
}

/** dx, one workgroup per row. Inputs x, stats, dy, gain; uniforms batch (= N). */
class InputGradProgram extends PerProblemProgram {
  variableNames = ['x', 'stats', 'dy', 'gain'];
  uniforms = 'batch : i32,';

  constructor(rows: number, private readonly d: number) {
    super([rows, d], WORKGROUP, `alignscopeLayerNormInputGrad_${d}`);
  }

  getUserCode(): string {
    const d = this.d;
    return `
  ${reduce}
  ${problemMain(`
    var mean = 0.0;
    var r = 0.0;
    if (live) { mean = stats[p * 2]; r = stats[p * 2 + 1]; }
    var sg = 0.0;
    var sgx = 0.0;
    if (live) {
      for (var j = t; j < ${d}; j += ${WORKGROUP}) {
        let g = dy[p * ${d} + j] * gain[j];
        sg += g;
        sgx += g * ((x[p * ${d} + j] - mean) * r);
      }
    }
    let meanG = sumAll(t, sg) / f32(${d});
    let meanGX = sumAll(t, sgx) / f32(${d});
    if (live) {
      for (var j = t; j < ${d}; j += ${WORKGROUP}) {
        let g = dy[p * ${d} + j] * gain[j];
        let xhat = (x[p * ${d} + j] - mean) * r;
        result[p * ${d} + j] = r * ((g - meanG) - xhat * meanGX);
      }
    }`)}`;
  }
}

/**
 * dγ (Σ_rows dy x̂; inputs x, stats, dy) or dβ (Σ_rows dy; input dy), one workgroup per column; uniforms
 * batch (= d), rows. (A pipeline's layout lists only the bindings its WGSL reads, so dβ binds dy alone.)
 */
class ParamGradProgram extends PerProblemProgram {
  variableNames: string[];
  uniforms = 'batch : i32, rows : i32,';

  constructor(private readonly d: number, private readonly which: 'gain' | 'bias') {
    super([d], WORKGROUP, `alignscopeLayerNormParamGrad_${which}_${d}`);
    this.variableNames = which === 'gain' ? ['x', 'stats', 'dy'] : ['dy'];
  }

  getUserCode(): string {
    const d = this.d;
    const term = this.which === 'gain' ? `dy[r * ${d} + p] * ((x[r * ${d} + p] - stats[r * 2]) * stats[r * 2 + 1])` : `dy[r * ${d} + p]`;
    return `
  ${reduce}
  ${problemMain(`
    var s = 0.0;
    if (live) { for (var r = t; r < uniforms.rows; r += ${WORKGROUP}) { s += ${term}; } }
    let total = sumAll(t, s);
    if (live && t == 0) { result[p] = total; }`)}`;
  }
}

const int = (v: number): ProgramUniform => ({ type: 'int32', data: [v] });

/** Forward: y [N, d] and the row statistics [N, 2] the backward pass reads. */
export function layerNormForwardWebGPU(x: tf.Tensor2D, gain: tf.Tensor1D, bias: tf.Tensor1D, eps: number): { y: tf.Tensor2D; stats: tf.Tensor2D } {
  const [N, d] = x.shape;
  const stats = runProgram(new StatsProgram(N, d), [x], [int(N), { type: 'float32', data: [eps] }]) as tf.Tensor2D;
  const y = runProgram(new ApplyProgram(N, d), [x, stats, gain, bias], []) as tf.Tensor2D;
  return { y, stats };
}

/** Backward: dx [N, d], dγ [d], dβ [d]. */
export function layerNormBackwardWebGPU(x: tf.Tensor2D, stats: tf.Tensor2D, gain: tf.Tensor1D, dy: tf.Tensor2D): [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D] {
  const [N, d] = x.shape;
  const dx = runProgram(new InputGradProgram(N, d), [x, stats, dy, gain], [int(N)]) as tf.Tensor2D;
  const dGain = runProgram(new ParamGradProgram(d, 'gain'), [x, stats, dy], [int(d), int(N)]) as tf.Tensor1D;
  const dBias = runProgram(new ParamGradProgram(d, 'bias'), [dy], [int(d), int(N)]) as tf.Tensor1D;
  return [dx, dGain, dBias];
}
