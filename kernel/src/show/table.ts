/**
 * `show.table`: a table of results, with a text/html item so it also reads well in front-ends
 * without the alignscope renderer (JupyterLab, GitHub, nbconvert).
 *
 * @example
 *   show.table([{ method: 'global', 'R@1': 0.41 }, { method: 'OT', 'R@1': 0.47 }], { caption: 'retrieval' });
 *   show.table({ columns: ['k', 'hit@1'], rows: [[1, 0.5], [5, 0.8]] });
 */
import { DISPLAY_MIME, type DisplayBundle, type TablePayload, type TableValue } from './display_schema';
import { cellText, escapeHtml, quote, textTable } from './format_text';
import { publish } from './publisher';
import { isTensor, toCell } from './to_plain';

/** A cell as given: numbers (non-finite → empty), strings, booleans, null/undefined, a scalar tensor. */
export type TableCellInput = TableValue | undefined | { dataSync(): ArrayLike<number> };
export type TableInput = readonly Record<string, TableCellInput>[] | { columns: readonly string[]; rows: readonly (readonly TableCellInput[])[] };

export interface TableOptions {
  title?: string;
  caption?: string;
  /** Column order for a list of records (default: keys in order of first appearance). */
  columns?: readonly string[];
}

const OP = 'show.table';

function toValue(v: TableCellInput, where: string): TableValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return toCell(v);
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (isTensor(v)) {
    if (v.size !== 1) throw new Error(`${OP}: ${where}: expected a scalar tensor, got shape [${v.shape.join(', ')}].`);
    return toCell(v.dataSync()[0]);
  }
  throw new Error(`${OP}: ${where}: expected a string, number, boolean, null or scalar tensor, got ${typeof v}.`);
}

function toHtml(p: TablePayload): string {
  const num = (v: TableValue) => (typeof v === 'number' ? ' style="text-align:right"' : '');
  const head = p.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = p.rows.map((r) => `<tr>${r.map((v) => `<td${num(v)}>${escapeHtml(cellText(v))}</td>`).join('')}</tr>`).join('\n');
  const caption = p.caption ?? p.title;
  return `<table>\n${caption !== undefined ? `<caption>${escapeHtml(caption)}</caption>\n` : ''}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** Builds the table bundle (no publishing). */
export function buildTableBundle(table: TableInput, options: TableOptions = {}): DisplayBundle {
  let columns: string[];
  let rows: TableValue[][];
  if (Array.isArray(table)) {
    const records = table as readonly Record<string, TableCellInput>[];
    columns = options.columns ? [...options.columns] : [...new Set(records.flatMap((r) => Object.keys(r)))];
    rows = records.map((r, i) => columns.map((c) => toValue(r[c], `row ${i}, column ${quote(c)}`)));
  } else {
    const t = table as { columns: readonly string[]; rows: readonly (readonly TableCellInput[])[] };
    columns = [...(options.columns ?? t.columns)];
    rows = t.rows.map((r, i) => {
      if (r.length !== columns.length) throw new Error(`${OP}: rows[${i}]: expected ${columns.length} values (one per column), got ${r.length}.`);
      return r.map((v, j) => toValue(v, `rows[${i}][${j}]`));
    });
  }
  const payload: TablePayload = { kind: 'table', version: 1, columns, rows };
  if (options.title !== undefined) payload.title = options.title;
  if (options.caption !== undefined) payload.caption = options.caption;
  const heading = payload.title ?? payload.caption;
  const text = (heading !== undefined ? `${heading}\n` : '') + textTable(columns, rows);
  return { [DISPLAY_MIME]: payload, 'text/plain': text, 'text/html': toHtml(payload) };
}

/** Shows a table. */
export function table(rows: TableInput, options?: TableOptions): void {
  publish(buildTableBundle(rows, options));
}
