/**
 * The headline metrics as a table (terminal text and HTML rows): one row per method, each cell
 * "mean ± 95% CI" in percent over the seeds.
 */
import type { MethodSummary } from './aggregate';
import type { MeanCi } from './confidence_interval';

/** Headline columns: [metric key, short header]. */
export const SUMMARY_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['retrieval.own.i2t.R@1', 'i2t R@1'],
  ['retrieval.own.t2i.R@1', 't2i R@1'],
  ['retrieval.own.i2t.R@5', 'i2t R@5'],
  ['retrieval.own.t2i.R@5', 't2i R@5'],
  ['retrieval.global.i2t.R@1', 'glob i2t R@1'],
  ['retrieval.otRerank.i2t.R@1', 'OTrr i2t R@1'],
  ['grounding.own.hitAt1', 'hit@1 (own)'],
  ['grounding.own.massInBox', 'mass-in-box'],
  ['grounding.sim.hitAt1', 'hit@1 sim'],
  ['grounding.plan.hitAt1', 'hit@1 plan'],
];

/** The headline columns for these runs: a 'REC acc' column when any run measured zero-shot REC (dataset records with referring expressions). */
export function summaryColumns(runs: ReadonlyArray<{ metrics: Record<string, number> }>): ReadonlyArray<readonly [string, string]> {
  return runs.some((r) => 'rec.own.accuracy' in r.metrics) ? [...SUMMARY_COLUMNS, ['rec.own.accuracy', 'REC acc'] as const] : SUMMARY_COLUMNS;
}

export function formatCi(m: MeanCi | undefined, percent = true): string {
  if (!m || Number.isNaN(m.mean)) return 'n/a';
  const f = percent ? 100 : 1;
  const digits = percent ? 1 : 3;
  const hw = Number.isNaN(m.halfWidth) ? '' : ` ± ${(m.halfWidth * f).toFixed(digits)}`;
  return `${(m.mean * f).toFixed(digits)}${hw}`;
}

/** Plain-text table for the terminal. */
export function summaryTable(summaries: Record<string, MethodSummary>, columns = SUMMARY_COLUMNS): string {
  const header = ['method', ...columns.map(([, h]) => h)];
  const rows = Object.entries(summaries).map(([method, s]) => [method, ...columns.map(([k]) => formatCi(s[k]))]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const fmt = (r: string[]): string => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}
