import * as tf from '@tensorflow/tfjs-core';
import type { SinkhornIterator } from '../sinkhorn_iterator';
import type { SinkhornProblem } from '../sinkhorn_problem';
import { fusedRuntime, type FusedRuntime } from './fused_runtime';


/** Where the fused kernels can run: balanced problems, no gradient tape through the iterations, a CPU backend. */
export function canUseFusedKernel(problem: SinkhornProblem, grad: 'envelope' | 'unrolled' | 'detach'): boolean {
  if (problem.tau !== undefined || grad === 'unrolled') return false;
  const backend = tf.getBackend();
  if (backend !== 'wasm' && backend !== 'cpu') return false;
  const runtime = fusedRuntime();
  return runtime !== null && !runtime.busy;
}

/**
 * Kernel-domain Sinkhorn (same iterates as `createKernelIterator`: v starts at b, K has row-shifted costs)
 * run by the fused WebAssembly kernels of sinkhorn_fused.wat: one pass over each kernel row per
 * iteration, all iterations of a problem while its kernel is in cache, problems split across threads.
 * The state lives in the runtime's shared memory; results are copied into TF.js tensors.
 */
export interface FusedKernelIterator extends SinkhornIterator {
  steps(k: number): void;
  /** max over problems and rows of (max_j C_ij - min_j C_ij): the quantity `auto` compares with eps. */
  costRange: number;
}

export function createFusedKernelIterator(problem: SinkhornProblem): FusedKernelIterator {
  const runtime = fusedRuntime() as FusedRuntime;
  runtime.busy = true;
  const { B, n, m, eps } = problem;
  const mPad = Math.ceil(m / 4) * 4;
  // Byte layout in the shared memory.
  const sizes = { K: B * n * mPad, out: B * n * mPad, a: B * n, u: B * n, s: B * n, shift: B * n, range: B * n, b: B * mPad, v: B * mPad, w: B * mPad, err: B };
  const at: Record<keyof typeof sizes, number> = {} as never;
  let offset = 0;
  for (const [name, length] of Object.entries(sizes) as Array<[keyof typeof sizes, number]>) {
    at[name] = offset;
    offset += Math.ceil((length * 4) / 16) * 16;
  }
  runtime.ensureBytes(offset);
  const view = (name: keyof typeof sizes) => runtime.f32(at[name], sizes[name]);

  /**
   * Copies a tensor into the shared memory; `padColumns` pads its last axis from m to mPad: marginals
   * with 0, costs with copies of their first column (so row minima and ranges are unchanged; b = 0 there).
   */
  const write = (name: keyof typeof sizes, t: tf.Tensor, padColumns: boolean) => {
    if (!padColumns || mPad === m) {
      view(name).set(t.dataSync() as Float32Array);
      return;
    }
    const p = tf.tidy(() =>
      t.rank === 3
        ? tf.concat([t, tf.tile(t.slice([0, 0, 0], [B, n, 1]), [1, 1, mPad - m])], 2)
        : tf.pad(t, [[0, 0], [0, mPad - m]], 0),
    );
    view(name).set(p.dataSync() as Float32Array);
    p.dispose();
  };
  write('K', problem.cost, true);
  write('a', problem.a, false);
  write('b', problem.b, true);
  view('u').set(view('a'));
  view('v').set(view('b'));
  runtime.parallel('build_kernel', [at.K, at.shift, at.range, 0, B * n, mPad, -1 / eps], 3);
  let costRange = 0;
  for (const r of view('range')) if (r > costRange) costRange = r;

  let previous = { u: view('u').slice(), v: view('v').slice() };
  let good = { u: view('u').slice(), v: view('v').slice() };
  /** After a restore, w (= K^T u of the last iteration) no longer matches u: column sums come from the plan. */
  let columnSumsStale = false;
  const iterate = (k: number) =>
    runtime.parallel(mPad === 16 ? 'iterate16' : 'iterate', [at.K, at.a, at.b, at.u, at.v, at.w, 0, B, n, mPad, k], 6);
  const rowSums = () => runtime.parallel('row_sums', [at.K, at.a, at.u, at.v, at.s, at.err, 0, B, n, mPad], 6);

  return {
    costRange,
    step: () => iterate(1),
    steps: (k: number) => iterate(k),
    markPrevious() {
      previous = { u: view('u').slice(), v: view('v').slice() };
    },
    error() {
      rowSums();
      return tf.tensor1d(view('err').slice());
    },
    saveGood() {
      good = { u: view('u').slice(), v: view('v').slice() };
    },
    restoreGood() {
      view('u').set(good.u);
      view('v').set(good.v);
      columnSumsStale = true;
    },
    result() {
      runtime.parallel('plan', [at.K, at.u, at.v, at.out, 0, B, n, mPad], 4);
      rowSums();
      return tf.tidy(() => {
        const planPadded = tf.tensor3d(view('out').slice(), [B, n, mPad]);
        const plan = (mPad === m ? planPadded : planPadded.slice([0, 0, 0], [B, n, m])) as tf.Tensor3D; // [B, n, m]
        const u = tf.tensor2d(view('u').slice(), [B, n]);
        const v = tf.tensor2d(view('v').slice(), [B, mPad]).slice([0, 0], [B, m]) as tf.Tensor2D;
        const shift = tf.tensor2d(view('shift').slice(), [B, n]);
        // f = eps log(u / a) + r, g = eps log(v / b) on the support (substituted before the log), 0 elsewhere.
        const logRatio = (x: tf.Tensor2D, y: tf.Tensor2D, support: tf.Tensor2D) => {
          const on = support.cast('bool');
          return tf.where(on, x, tf.onesLike(x)).div(tf.where(on, y, tf.onesLike(y))).log();
        };
        const f = logRatio(u, problem.a, problem.rowSupport).mul(eps).add(shift).mul(problem.rowSupport) as tf.Tensor2D;
        const g = logRatio(v, problem.b, problem.colSupport).mul(eps).mul(problem.colSupport) as tf.Tensor2D;
        const rows = u.mul(tf.tensor2d(view('s').slice(), [B, n])) as tf.Tensor2D; // P 1 = u ⊙ K v
        const w = tf.tensor2d(view('w').slice(), [B, mPad]).slice([0, 0], [B, m]);
        const cols = v.mul(w) as tf.Tensor2D; // P^T 1 = v ⊙ K^T u (w is from the last iteration, i.e. the current u)
        return columnSumsStale ? { plan, f, g } : { plan, f, g, rows, cols };
      });
    },
    dispose() {
      runtime.busy = false;
    },
  };
}
