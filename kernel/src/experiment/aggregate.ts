/**
 * Per-method aggregation of the runs' metrics over seeds: every metric key → mean ± 95% CI.
 */
import { meanCi, type MeanCi } from './confidence_interval';

export type MethodSummary = Record<string, MeanCi>;

/** methods in `order` → metric → mean ± CI over that method's runs. */
export function aggregateRuns(
  runs: ReadonlyArray<{ method: string; metrics: Readonly<Record<string, number | undefined>> }>,
  order: readonly string[],
): Record<string, MethodSummary> {
  const out: Record<string, MethodSummary> = {};
  for (const method of order) {
    const mine = runs.filter((r) => r.method === method);
    const keys = [...new Set(mine.flatMap((r) => Object.keys(r.metrics)))].sort();
    const summary: MethodSummary = {};
    for (const key of keys) summary[key] = meanCi(mine.map((r) => r.metrics[key] ?? NaN));
    out[method] = summary;
  }
  return out;
}
