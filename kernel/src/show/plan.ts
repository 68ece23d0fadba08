/**
 * `show.plan`: any labelled matrix — a transport plan, a cost matrix, a confusion matrix — as a
 * heatmap.
 *
 * @example
 *   const { plan } = ot.sinkhorn(cost, { eps: 0.05 });
 *   show.plan(plan, { title: 'plan, eps = 0.05', rowTitle: 'patch', colTitle: 'token', colLabels: tokens });
 */
import { DISPLAY_MIME, type DisplayBundle, type PlanPayload } from './display_schema';
import { fmt, quote, textMatrix } from './format_text';
import { publish } from './publisher';
import { toMatrix, type MatrixInput } from './to_plain';

export interface PlanOptions {
  title?: string;
  rowLabels?: readonly string[];
  colLabels?: readonly string[];
  rowTitle?: string;
  colTitle?: string;
  valueLabel?: string;
}

const OP = 'show.plan';

function checkLabels(labels: readonly string[] | undefined, n: number, what: string): string[] | undefined {
  if (labels === undefined) return undefined;
  if (labels.length !== n) throw new Error(`${OP}: ${what}: expected ${n} labels (one per ${what.startsWith('row') ? 'row' : 'column'}), got ${labels.length}.`);
  return labels.map(String);
}

function summary(p: PlanPayload): string {
  const values = p.matrix.flat().filter((v): v is number => v !== null);
  const rows = p.matrix.length;
  const cols = p.matrix[0].length;
  const axes = p.rowTitle || p.colTitle ? ` (${p.rowTitle ?? 'rows'} × ${p.colTitle ?? 'columns'})` : '';
  const stats = values.length
    ? `sum ${fmt(values.reduce((a, b) => a + b, 0))}, min ${fmt(Math.min(...values))}, max ${fmt(Math.max(...values))}`
    : 'no finite values';
  const missing = values.length < rows * cols ? `, ${rows * cols - values.length} non-finite` : '';
  const head = `plan${p.title ? ` ${quote(p.title)}` : ''}: ${rows}×${cols}${axes}, ${stats}${missing}`;
  return `${head}\n${textMatrix(p.matrix, p.rowLabels, p.colLabels)}`;
}

/** Builds the plan bundle (no publishing). `matrix`: [rows, cols], a rank-2 tensor or nested arrays. */
export function buildPlanBundle(matrix: MatrixInput, options: PlanOptions = {}): DisplayBundle {
  const m = toMatrix(matrix, `${OP}: matrix`);
  const payload: PlanPayload = { kind: 'plan', version: 1, matrix: m };
  if (options.title !== undefined) payload.title = options.title;
  const rowLabels = checkLabels(options.rowLabels, m.length, 'rowLabels');
  const colLabels = checkLabels(options.colLabels, m[0].length, 'colLabels');
  if (rowLabels) payload.rowLabels = rowLabels;
  if (colLabels) payload.colLabels = colLabels;
  if (options.rowTitle !== undefined) payload.rowTitle = options.rowTitle;
  if (options.colTitle !== undefined) payload.colTitle = options.colTitle;
  if (options.valueLabel !== undefined) payload.valueLabel = options.valueLabel;
  return { [DISPLAY_MIME]: payload, 'text/plain': summary(payload) };
}

/** Shows a labelled matrix (transport plan, cost) as a heatmap. */
export function plan(matrix: MatrixInput, options?: PlanOptions): void {
  publish(buildPlanBundle(matrix, options));
}
