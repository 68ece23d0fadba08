/**
 * Text helpers for the `text/plain` and `text/html` items of display bundles.
 */
import type { TableValue } from './display_schema';

/** A short, readable number: 4 significant digits, integers as integers, null as '–'. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** Escapes text (or a value's string form) for HTML element content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON safe inside a <script> element: no `</script>`, no `<!--`, no U+2028/U+2029. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Quotes a label for plain text when it has spaces or is empty. */
export function quote(s: string): string {
  return /^[^\s'"]+$/.test(s) ? s : JSON.stringify(s);
}

export function cellText(v: TableValue): string {
  if (v === null) return '–';
  return typeof v === 'number' ? fmt(v) : String(v);
}

/** A fixed-width text table: numeric columns right-aligned (header included), others left-aligned. */
export function textTable(columns: string[], rows: TableValue[][]): string {
  const cells = rows.map((r) => r.map(cellText));
  const widths = columns.map((c, j) => Math.max(c.length, ...cells.map((r) => r[j].length)));
  const numeric = columns.map((_, j) => rows.some((r) => typeof r[j] === 'number') && rows.every((r) => r[j] === null || typeof r[j] === 'number'));
  const line = (r: string[]) => r.map((s, j) => (numeric[j] ? s.padStart(widths[j]) : s.padEnd(widths[j]))).join('  ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** A compact text rendering of a small matrix (at most `max` rows/cols shown). */
export function textMatrix(m: (number | null)[][], rowLabels?: string[], colLabels?: string[], max = 8): string {
  const rows = m.slice(0, max);
  const cols = Math.min(m[0]?.length ?? 0, max);
  const head = ['', ...(colLabels ?? Array.from({ length: cols }, (_, j) => String(j))).slice(0, cols)];
  const body = rows.map((r, i) => [rowLabels?.[i] ?? String(i), ...r.slice(0, cols).map(fmt)]);
  const widths = head.map((h, j) => Math.max(h.length, ...body.map((b) => b[j].length)));
  const line = (r: string[]) => r.map((s, j) => (j === 0 ? s.padEnd(widths[j]) : s.padStart(widths[j]))).join(' ').trimEnd();
  const more = m.length > max || (m[0]?.length ?? 0) > max ? `\n(showing ${rows.length}×${cols} of ${m.length}×${m[0].length})` : '';
  return [line(head), ...body.map(line)].join('\n') + more;
}
