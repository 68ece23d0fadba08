/** `table`: an HTML table built with DOM APIs (text only), numbers right-aligned. */
import type { TablePayload, TableValue } from '../../kernel/src/show/display_schema';
import { el } from './dom';
import { fmt } from './plot_text';

function cellText(v: TableValue): string {
  if (v === null) return '–';
  return typeof v === 'number' ? fmt(v) : String(v);
}

export function drawTable(root: HTMLElement, p: TablePayload): void {
  const table = el('table', 'alignscope-table');
  const caption = p.caption ?? p.title;
  if (caption !== undefined) table.append(el('caption', undefined, caption));
  const head = el('thead');
  const hr = el('tr');
  p.columns.forEach((c) => hr.append(el('th', undefined, c)));
  head.append(hr);
  const body = el('tbody');
  p.rows.forEach((r) => {
    const tr = el('tr');
    r.forEach((v) => tr.append(el('td', typeof v === 'number' ? 'alignscope-num' : undefined, cellText(v))));
    body.append(tr);
  });
  table.append(head, body);
  root.append(table);
}
