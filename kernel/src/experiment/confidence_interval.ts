/**
 * Mean ± 95% confidence interval over seeds with the Student t distribution:
 *
 *   mean = Σ x / n,   s = sqrt(Σ (x − mean)² / (n − 1)),   half-width = t_{0.975, n−1} · s / √n
 *
 * t quantiles: the usual two-sided 95% table for df ≤ 30 (4 decimals, e.g. any statistics textbook or
 * scipy.stats.t.ppf(0.975, df)); above 30 the Cornish–Fisher expansion in 1/df (error < 1e-4).
 * With one value the interval is undefined (NaN half-width); NaN values are skipped.
 *
 * @example
 *   meanCi([0.5, 0.6, 0.7]);   // { mean: 0.6, halfWidth: 4.3027 · 0.1 / √3 = 0.2484, n: 3, ... }
 */
const T975 = [
  NaN, 12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281, 2.201, 2.1788, 2.1604, 2.1448, 2.1314,
  2.1199, 2.1098, 2.1009, 2.093, 2.086, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
];

/** The 0.975 quantile of Student's t with `df` degrees of freedom (two-sided 95%). */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new Error(`tQuantile975: df must be a positive integer, got ${df}`);
  if (df < T975.length) return T975[df]!;
  const z = 1.959963985;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3);
}

export interface MeanCi {
  mean: number;
  /** Half-width of the 95% interval: the interval is [mean − halfWidth, mean + halfWidth]. */
  halfWidth: number;
  lower: number;
  upper: number;
  /** Sample standard deviation (n − 1). */
  std: number;
  n: number;
  values: number[];
}

export function meanCi(values: readonly number[]): MeanCi {
  const xs = values.filter((v) => !Number.isNaN(v));
  const n = xs.length;
  const mean = n ? xs.reduce((a, b) => a + b, 0) / n : NaN;
  const std = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : NaN;
  const halfWidth = n > 1 ? (tQuantile975(n - 1) * std) / Math.sqrt(n) : NaN;
  return { mean, halfWidth, lower: mean - halfWidth, upper: mean + halfWidth, std, n, values: [...values] };
}

/** Whether two intervals are disjoint (an undefined interval never is). */
export function intervalsDisjoint(a: MeanCi, b: MeanCi): boolean {
  if (Number.isNaN(a.halfWidth) || Number.isNaN(b.halfWidth)) return false;
  return a.lower > b.upper || b.lower > a.upper;
}
