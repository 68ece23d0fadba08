/** `plan`: any labelled matrix (transport plan, cost) as a heatmap with row/column labels. */
import type { PlanPayload } from '../../kernel/src/show/display_schema';
import { el } from './dom';
import { PLOT_CONFIG, type PlotlyApi } from './plotly_api';
import { baseLayout, labelledAxis, plotText } from './plot_text';

export async function drawPlan(root: HTMLElement, p: PlanPayload, plotly: PlotlyApi): Promise<void> {
  const rows = p.matrix.length;
  const cols = p.matrix[0].length;
  const div = el('div', 'alignscope-plot alignscope-plan');
  root.append(div);
  const rl = p.rowLabels?.map(plotText) ?? Array.from({ length: rows }, (_, i) => String(i));
  const cl = p.colLabels?.map(plotText) ?? Array.from({ length: cols }, (_, j) => String(j));
  const valueLabel = plotText(p.valueLabel ?? 'value');
  const rowTitle = plotText(p.rowTitle ?? 'row');
  const colTitle = plotText(p.colTitle ?? 'column');
  const trace = {
    type: 'heatmap',
    z: p.matrix,
    x: Array.from({ length: cols }, (_, j) => j),
    y: Array.from({ length: rows }, (_, i) => i),
    customdata: rl.map((r) => cl.map((c) => [r, c])),
    colorscale: 'Viridis',
    colorbar: { title: { text: valueLabel, side: 'right' }, thickness: 12 },
    hovertemplate: `${rowTitle} %{customdata[0]}<br>${colTitle} %{customdata[1]}<br>${valueLabel} %{z:.4g}<extra></extra>`,
  };
  const layout = {
    ...baseLayout(root, p.title),
    height: Math.max(240, Math.min(640, 20 * rows + 120)),
    xaxis: { ...labelledAxis(p.colLabels, cols, p.colTitle), side: 'bottom' },
    yaxis: { ...labelledAxis(p.rowLabels, rows, p.rowTitle), autorange: false, range: [rows - 0.5, -0.5] },
  };
  await plotly.newPlot(div, [trace], layout, PLOT_CONFIG);
}
