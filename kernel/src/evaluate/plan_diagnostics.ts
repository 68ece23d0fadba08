/**
 * Diagnostics of one transport plan P [n, m] (n patches × m tokens, flat row-major), with optional
 * target marginals a [n], b [m] and masks (1 = real, 0 = padding):
 *
 *   mass            = Σ_ij P_ij
 *   entropy         = −Σ_ij p_ij log p_ij,  p = P / mass  (nats; 0 log 0 = 0)
 *   normEntropy     = entropy / log(#real cells)   ∈ [0, 1]: 1 = uniform plan (no alignment), 0 = a single cell
 *   rowError        = Σ_i |(P 1)_i − a_i| ;  colError = Σ_j |(Pᵀ 1)_j − b_j|   (L1, as Sinkhorn's stopping test)
 *   massOnPadding   = Σ_{ij : row i or column j masked} P_ij / mass
 *   columnEntropy   = mean over real columns j of the entropy of P[:, j] / Σ_i P_ij  (how sharply each word points)
 *
 * Defaults match ot.sinkhorn: a uniform over real rows, b uniform over real columns (each summing to
 * 1), padding given zero target mass. Undefined values (a zero plan) are NaN.
 *
 * @example
 *   planDiagnostics([0.5, 0, 0, 0.5], 2, 2).normEntropy;   // log 2 / log 4 = 0.5
 */
export interface PlanDiagnosticsOptions {
  a?: ArrayLike<number>;
  b?: ArrayLike<number>;
  rowMask?: ArrayLike<number>;
  colMask?: ArrayLike<number>;
}

export interface PlanDiagnostics {
  mass: number;
  entropy: number;
  normEntropy: number;
  rowError: number;
  colError: number;
  marginalError: number;
  massOnPadding: number;
  columnEntropy: number;
}

const xlogx = (x: number): number => (x > 0 ? x * Math.log(x) : 0);

export function planDiagnostics(plan: ArrayLike<number>, n: number, m: number, o: PlanDiagnosticsOptions = {}): PlanDiagnostics {
  if (plan.length !== n * m) throw new Error(`planDiagnostics: plan has ${plan.length} entries, expected n·m = ${n}·${m} = ${n * m}.`);
  const check = (x: ArrayLike<number> | undefined, len: number, name: string) => {
    if (x !== undefined && x.length !== len) throw new Error(`planDiagnostics: option '${name}' has length ${x.length}, expected ${len}.`);
  };
  check(o.a, n, 'a');
  check(o.b, m, 'b');
  check(o.rowMask, n, 'rowMask');
  check(o.colMask, m, 'colMask');
  const rowReal = (i: number): boolean => (o.rowMask ? o.rowMask[i] !== 0 : true);
  const colReal = (j: number): boolean => (o.colMask ? o.colMask[j] !== 0 : true);
  let nReal = 0;
  let mReal = 0;
  for (let i = 0; i < n; i++) if (rowReal(i)) nReal++;
  for (let j = 0; j < m; j++) if (colReal(j)) mReal++;
  const a = (i: number): number => (o.a ? o.a[i] : rowReal(i) ? 1 / nReal : 0);
  const b = (j: number): number => (o.b ? o.b[j] : colReal(j) ? 1 / mReal : 0);

  const rowSum = new Float64Array(n);
  const colSum = new Float64Array(m);
  let mass = 0;
  let padding = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const v = plan[i * m + j];
      rowSum[i] += v;
      colSum[j] += v;
      mass += v;
      if (!rowReal(i) || !colReal(j)) padding += v;
    }
  }
  let plogp = 0;
  for (let k = 0; k < n * m; k++) plogp += xlogx(plan[k] / mass);
  let rowError = 0;
  let colError = 0;
  for (let i = 0; i < n; i++) rowError += Math.abs(rowSum[i] - a(i));
  for (let j = 0; j < m; j++) colError += Math.abs(colSum[j] - b(j));
  let colEntropySum = 0;
  let colCount = 0;
  for (let j = 0; j < m; j++) {
    if (!colReal(j) || !(colSum[j] > 0)) continue;
    let h = 0;
    for (let i = 0; i < n; i++) h -= xlogx(plan[i * m + j] / colSum[j]);
    colEntropySum += h;
    colCount++;
  }
  const entropy = mass > 0 ? -plogp : NaN;
  const cells = nReal * mReal;
  return {
    mass,
    entropy,
    normEntropy: cells > 1 ? entropy / Math.log(cells) : NaN,
    rowError,
    colError,
    marginalError: rowError + colError,
    massOnPadding: mass > 0 ? padding / mass : NaN,
    columnEntropy: colCount ? colEntropySum / colCount : NaN,
  };
}
