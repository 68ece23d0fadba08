import * as tf from '@tensorflow/tfjs-core';
import type { SinkhornOptions } from './sinkhorn_types';

/** Stand-in for log(0) on masked rows/columns: exp() of it is exactly 0 and it never makes NaN in a logsumexp. */
export const LOG_ZERO = -1e30;

/**
 * A validated, batched Sinkhorn problem. Every tensor is owned by the problem (dispose with
 * `disposeProblem`); shapes use the glossary B batch, n rows, m columns.
 */
export interface SinkhornProblem {
  /** Cost [B, n, m] (a reference to the caller's tensor, or a reshape of it — never disposed by us). */
  cost: tf.Tensor3D;
  /** Row marginals [B, n], zero on masked rows. */
  a: tf.Tensor2D;
  /** Column marginals [B, m], zero on masked columns. */
  b: tf.Tensor2D;
  /** log a [B, n] with LOG_ZERO where a = 0 (made on first use, like the supports). */
  readonly logA: tf.Tensor2D;
  /** log b [B, m] with LOG_ZERO where b = 0. */
  readonly logB: tf.Tensor2D;
  /** 1 where a > 0, [B, n]. */
  readonly rowSupport: tf.Tensor2D;
  /** 1 where b > 0, [B, m]. */
  readonly colSupport: tf.Tensor2D;
  batched: boolean;
  /** Whether `cost` is our own reshape of a rank-2 input (and so ours to dispose). */
  ownsCost: boolean;
  B: number;
  n: number;
  m: number;
  eps: number;
  /** Unbalanced marginal weight tau (POT's reg_m), or undefined for balanced OT. */
  tau: number | undefined;
}

function fail(argument: string, expected: string, seen: string): never {
  throw new Error(`ot.sinkhorn: argument \`${argument}\` ${expected}; got ${seen}.`);
}

function shapeString(t: tf.Tensor): string {
  return `shape [${t.shape.join(', ')}]`;
}

/** Brings a per-row/column vector option ([len] or [B, len]) to [B, len] float32. */
function toBatchedVector(name: string, value: tf.Tensor, B: number, len: number, axisName: string): tf.Tensor2D {
  if (value.dtype !== 'float32' && value.dtype !== 'int32' && value.dtype !== 'bool') {
    fail(name, 'must be a numeric tensor', `dtype ${value.dtype}`);
  }
  const v = value.toFloat();
  if (v.rank === 1 && v.shape[0] === len) return tf.broadcastTo(v.reshape([1, len]), [B, len]) as tf.Tensor2D;
  if (v.rank === 2 && v.shape[0] === B && v.shape[1] === len) return v as tf.Tensor2D;
  return fail(name, `expected shape [${axisName}] = [${len}] or [B, ${axisName}] = [${B}, ${len}]`, shapeString(value));
}

/**
 * Validates the arguments of `ot.sinkhorn` and builds the batched problem. Throws for programmer errors
 * (wrong rank or shapes, eps <= 0, negative or non-finite costs/marginals, unequal balanced masses, a
 * problem whose rows or columns are all masked). `checkValues: false` skips the checks that read data.
 */
export function buildProblem(cost: tf.Tensor, options: SinkhornOptions, checkValues: boolean): SinkhornProblem {
  if (!(cost instanceof tf.Tensor)) fail('cost', 'must be a tf.Tensor of shape [n, m] or [B, n, m]', typeof cost);
  if (cost.rank !== 2 && cost.rank !== 3) fail('cost', 'must have rank 2 [n, m] or rank 3 [B, n, m]', shapeString(cost));
  if (cost.dtype !== 'float32') fail('cost', 'must be float32', `dtype ${cost.dtype}`);
  const batched = cost.rank === 3;
  const [B, n, m] = batched ? (cost.shape as [number, number, number]) : [1, cost.shape[0]!, cost.shape[1]!];
  if (n === 0 || m === 0 || B === 0) fail('cost', 'must have non-empty dimensions', shapeString(cost));

  const eps = options.eps ?? 0.05;
  if (!(typeof eps === 'number' && Number.isFinite(eps) && eps > 0)) fail('eps', 'must be a finite number > 0', String(eps));
  let tau: number | undefined;
  if (options.unbalanced !== undefined) {
    tau = options.unbalanced.tau;
    if (!(typeof tau === 'number' && tau > 0)) fail('unbalanced.tau', 'must be a number > 0 (use Infinity-free balanced OT by omitting `unbalanced`)', String(tau));
  }
  const [cost3, a, b] = tf.tidy(() => {
    const cost3 = (batched ? cost : cost.reshape([1, n, m])) as tf.Tensor3D;
    /** The given marginal times the mask; by default uniform over the mask (1/len without one: a single fill). */
    const marginal = (name: 'a' | 'b', maskName: 'rowMask' | 'colMask', len: number, axis: string): tf.Tensor2D => {
      const given = options[name];
      const maskOption = options[maskName];
      if (!given && !maskOption) return tf.fill([B, len], 1 / len) as tf.Tensor2D;
      const mask = maskOption ? toBatchedVector(maskName, maskOption, B, len, axis) : tf.ones([B, len]);
      if (given) return toBatchedVector(name, given, B, len, axis).mul(mask) as tf.Tensor2D;
      return mask.div(mask.sum(1, true).maximum(1e-30)) as tf.Tensor2D;
    };
    const a = marginal('a', 'rowMask', n, 'n');
    const b = marginal('b', 'colMask', m, 'm');
    if (checkValues) checkValuesOnce(cost, options.a, options.b, a, b, tau === undefined);
    return [cost3, a, b];
  }) as [tf.Tensor3D, tf.Tensor2D, tf.Tensor2D];

  // The supports and logs are made on first use: the fused kernels need none of them (each is a device op).
  const made: tf.Tensor2D[] = [];
  const once = (make: () => tf.Tensor2D) => {
    let value: tf.Tensor2D | undefined;
    return () => {
      if (value === undefined) {
        value = tf.keep(tf.tidy(make)); // kept: an enclosing tf.tidy of the first user must not dispose it
        made.push(value);
      }
      return value;
    };
  };
  const rowSupport = once(() => a.greater(0).toFloat() as tf.Tensor2D);
  const colSupport = once(() => b.greater(0).toFloat() as tf.Tensor2D);
  const safeLog = (x: tf.Tensor2D, support: tf.Tensor2D) =>
    tf.where(support.cast('bool'), x.maximum(1e-38).log(), tf.fill(x.shape, LOG_ZERO)) as tf.Tensor2D;
  const logA = once(() => safeLog(a, rowSupport()));
  const logB = once(() => safeLog(b, colSupport()));
  const problem: SinkhornProblem = {
    cost: cost3,
    a,
    b,
    get logA() {
      return logA();
    },
    get logB() {
      return logB();
    },
    get rowSupport() {
      return rowSupport();
    },
    get colSupport() {
      return colSupport();
    },
    batched,
    ownsCost: !batched,
    B,
    n,
    m,
    eps,
    tau,
  };
  derivedTensors.set(problem, made);
  return problem;
}

/** The lazily made tensors of each problem, for `disposeProblem`. */
const derivedTensors = new WeakMap<SinkhornProblem, tf.Tensor2D[]>();

/** [min, all finite] of a tensor (device ops, no read). */
function minAndFinite(t: tf.Tensor): tf.Tensor1D {
  const flat = t.reshape([-1]);
  return tf.stack([flat.min(), tf.isFinite(flat).toFloat().min()]) as tf.Tensor1D;
}

/**
 * The value checks, with ONE device read (each read is a round trip on a GPU): the cost and the given
 * marginals must be finite and non-negative, every problem must keep some mass on its rows and columns,
 * and balanced OT needs sum a = sum b per problem (relative tolerance 1e-4 for float32 inputs). Errors
 * come in that order, naming the argument.
 */
function checkValuesOnce(cost: tf.Tensor, givenA: tf.Tensor | undefined, givenB: tf.Tensor | undefined, a: tf.Tensor2D, b: tf.Tensor2D, balanced: boolean): void {
  const B = a.shape[0];
  const parts = [minAndFinite(cost), givenA ? minAndFinite(givenA) : tf.tensor1d([0, 1]), givenB ? minAndFinite(givenB) : tf.tensor1d([0, 1]), a.sum(1), b.sum(1)];
  const all = tf.concat(parts);
  const v = all.dataSync();
  tf.dispose([all, ...parts]);
  const massA = v.subarray(6, 6 + B);
  const massB = v.subarray(6 + B, 6 + 2 * B);
  const checkRange = (name: string, at: number) => {
    if (v[at + 1] !== 1) fail(name, 'must contain only finite values', 'NaN or Infinity');
    if (v[at]! < 0) fail(name, 'must be non-negative', `a minimum of ${v[at]}`);
  };
  const checkMass = (name: string, mass: Float32Array | Int32Array | Uint8Array, maskName: string, what: string) => {
    const empty = Array.from(mass).findIndex((x) => !(x > 0));
    if (empty >= 0) {
      throw new Error(`ot.sinkhorn: problem ${empty} has no mass on its ${what}: every entry of \`${name}\` is zero or masked by \`${maskName}\`.`);
    }
  };
  checkRange('cost', 0);
  if (givenA) checkRange('a', 2);
  checkMass('a', massA, 'rowMask', 'rows');
  if (givenB) checkRange('b', 4);
  checkMass('b', massB, 'colMask', 'columns');
  if (!balanced) return;
  for (let i = 0; i < B; i++) {
    const ma = massA[i]!;
    const mb = massB[i]!;
    if (Math.abs(ma - mb) > 1e-4 * Math.max(ma, mb)) {
      throw new Error(
        `ot.sinkhorn: arguments \`a\` and \`b\` must have equal total mass for balanced OT; problem ${i} has sum(a) = ${ma} and sum(b) = ${mb}. Normalise them, or pass \`unbalanced: { tau }\`.`,
      );
    }
  }
}

export function disposeProblem(problem: SinkhornProblem): void {
  if (problem.ownsCost) problem.cost.dispose();
  tf.dispose([problem.a, problem.b, ...(derivedTensors.get(problem) ?? [])]);
}
