import * as tf from '@tensorflow/tfjs-core';

/**
 * Running our own WGSL on the TF.js webgpu backend, through its public extension point
 * `WebGPUBackend.runWebGPUProgram(program, inputs, outputDtype, programDefinedUniform)`.
 *
 * TF.js wraps `getUserCode()` in a generated header: `result` (the output, read_write storage), one
 * read-only storage array per name of `variableNames` (f32 here), a `uniforms` struct (NAN, INFINITY, the
 * shapes and strides of every binding, then the fields of `uniforms`, filled from `programDefinedUniform`
 * in order), the private `localIndex`, `workgroupId`, `numWorkgroups`, and an entry point that calls
 * `main(index)` with a flat global index. A dispatch larger than 65535 workgroups is reshaped by TF.js
 * into 2-D or 3-D; `problemMain` undoes that for programs that run one workgroup per problem.
 *
 * Types mirror @tensorflow/tfjs-backend-webgpu/dist/webgpu_program.d.ts (an optional dependency, so not
 * imported here).
 */
export interface WebGPUProgramLike {
  variableNames: string[];
  outputShape: number[];
  /** Identifies the compiled pipeline; TF.js appends the input ranks and dtypes. Must include every constant baked into the WGSL. */
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  /** WGSL struct fields appended to TF.js's uniforms, e.g. 'batch : i32, eps : f32,'. */
  uniforms?: string;
  size?: boolean;
  getUserCode(): string;
}

export interface ProgramUniform {
  type: 'int32' | 'float32';
  data: number[];
}

interface WebGPUBackendLike {
  runWebGPUProgram(program: WebGPUProgramLike, inputs: tf.TensorInfo[], outputDtype: 'float32', uniforms?: ProgramUniform[]): tf.TensorInfo;
  device: { limits: { maxComputeWorkgroupStorageSize: number; maxComputeInvocationsPerWorkgroup: number } };
}

/** The active backend when it is TF.js webgpu with the custom-program entry point; null otherwise. */
export function webgpuBackend(): WebGPUBackendLike | null {
  if (tf.getBackend() !== 'webgpu') return null;
  const backend = tf.backend() as unknown as Partial<WebGPUBackendLike>;
  return typeof backend.runWebGPUProgram === 'function' && backend.device?.limits ? (backend as WebGPUBackendLike) : null;
}

/**
 * Records `program` (one compute dispatch; the pipeline is compiled once per shaderKey) and returns its
 * float32 output as a tensor owned by the caller (tracked by the enclosing tf.tidy, if any).
 */
export function runProgram(program: WebGPUProgramLike, inputs: tf.Tensor[], uniforms: ProgramUniform[]): tf.Tensor {
  const backend = webgpuBackend();
  if (!backend) throw new Error(`runProgram: ${program.shaderKey} needs the webgpu backend; the active one is '${tf.getBackend()}'.`);
  const info = backend.runWebGPUProgram(program, inputs, 'float32', uniforms);
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** A program of ours: the dispatch fields set from the output shape; each output axis is a dispatch axis. */
abstract class CustomProgram implements WebGPUProgramLike {
  abstract variableNames: string[];
  abstract uniforms: string;
  dispatchLayout: { x: number[] };

  constructor(
    public outputShape: number[],
    public shaderKey: string,
    public dispatch: [number, number, number],
    public workgroupSize: [number, number, number],
  ) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
  }

  abstract getUserCode(): string;
}

/**
 * Programs that run one workgroup of `workgroup` invocations per problem: output [B, ...] (B problems,
 * or [1] for one workgroup over the whole batch), dispatch [B, 1, 1]. Per-problem WGSL writes its `main`
 * with `problemMain`.
 */
export abstract class PerProblemProgram extends CustomProgram {
  constructor(outputShape: number[], workgroup: number, shaderKey: string) {
    super(outputShape, shaderKey, [outputShape[0]!, 1, 1], [workgroup, 1, 1]);
  }
}

/** Element-wise programs: one invocation per output entry (64 per workgroup). */
export abstract class ElementwiseProgram extends CustomProgram {
  size = true; // adds uniforms.size, the number of output entries

  constructor(outputShape: number[], shaderKey: string) {
    super(outputShape, shaderKey, [Math.ceil(outputShape.reduce((x, y) => x * y, 1) / 64), 1, 1], [64, 1, 1]);
  }
}

/** WGSL: the flat workgroup index (one workgroup per problem), undoing TF.js's reshape of large dispatches. */
const PROBLEM_INDEX = `
  fn problemIndex() -> i32 {
    return i32((workgroupId.z * numWorkgroups.y + workgroupId.y) * numWorkgroups.x + workgroupId.x);
  }`;

/**
 * WGSL: the `main` of a per-problem program (and `problemIndex()`), with p (the problem), t (the
 * invocation) and live (whether p is a problem: p < uniforms.batch, false in the padding of a reshaped
 * dispatch) defined before `body`.
 */
export function problemMain(body: string): string {
  return `
  ${PROBLEM_INDEX}
  fn main(index : i32) {
    let p = problemIndex();
    let t = i32(localIndex);
    let live = p < uniforms.batch;${body}
  }`;
}

/**
 * WGSL: sums (or maxes) `red[0..size)` into `red[0]` across the workgroup (size a power of two). Every
 * invocation must reach it (it contains barriers): call it in uniform control flow only.
 */
export function workgroupReduce(fn: string, op: 'add' | 'max', type: 'f32' | 'vec4<f32>', size: number): string {
  const combine = op === 'add' ? 'red[t] + red[t + s]' : 'max(red[t], red[t + s])';
  return `
  var<workgroup> red : array<${type}, ${size}>;
  fn ${fn}(t : i32, value : ${type}) -> ${type} {
    red[t] = value;
    workgroupBarrier();
    for (var s = ${size / 2}; s > 0; s = s >> 1u) {
      if (t < s) { red[t] = ${combine}; }
      workgroupBarrier();
    }
    let total = red[0];
    workgroupBarrier();
    return total;
  }`;
}
