/**
 * `curves`: named line series. Live updates call this again on the same element: Plotly.react
 * redraws in place and `uirevision` keeps the user's zoom and hidden series across updates.
 */
import type { CurvesPayload } from '../../kernel/src/show/display_schema';
import { el } from './dom';
import { PLOT_CONFIG, type PlotlyApi } from './plotly_api';
import { baseLayout, plotText } from './plot_text';

export async function drawCurves(root: HTMLElement, p: CurvesPayload, plotly: PlotlyApi): Promise<void> {
  let div = root.querySelector<HTMLElement>(':scope > .alignscope-curves');
  if (!div) {
    div = el('div', 'alignscope-plot alignscope-curves');
    root.append(div);
  }
  const traces = p.series.map((s) => ({
    type: 'scatter',
    mode: s.x.length <= 1 ? 'markers' : 'lines',
    name: plotText(s.name),
    x: s.x,
    y: s.y,
    hovertemplate: `${plotText(s.name)}<br>x %{x}<br>y %{y:.4g}<extra></extra>`,
  }));
  const layout = {
    ...baseLayout(root, p.title),
    height: 320,
    uirevision: 'keep',
    showlegend: p.series.length > 1,
    legend: { orientation: 'h', y: -0.22 },
    xaxis: { title: { text: plotText(p.xTitle ?? '') }, zeroline: false },
    yaxis: { title: { text: plotText(p.yTitle ?? '') }, type: p.logY ? 'log' : 'linear', zeroline: false },
  };
  await plotly.react(div, traces, layout, PLOT_CONFIG);
}
