/**
 * `alignment`: the tokens × patches heatmap (hover: token, patch row/col, value) and, when the
 * payload has an image, the image with the selected token's overlay on its patch grid. Clicking a
 * token button or a heatmap row selects the token.
 */
import type { AlignmentPayload, Cell } from '../../kernel/src/show/display_schema';
import { el } from './dom';
import { imageAxes, imageTrace } from './image_source';
import { PLOT_CONFIG, type PlotlyApi } from './plotly_api';
import { baseLayout, labelledAxis, plotText } from './plot_text';

/** Row-major patch values [n] → grid [rows][cols]. */
function toGrid(values: Cell[], rows: number, cols: number): Cell[][] {
  return Array.from({ length: rows }, (_, r) => values.slice(r * cols, (r + 1) * cols));
}

function rowShape(i: number, n: number): Record<string, unknown> {
  return { type: 'rect', xref: 'x', yref: 'y', x0: -0.5, x1: n - 0.5, y0: i - 0.5, y1: i + 0.5, line: { color: '#ff4136', width: 2 } };
}

export async function drawAlignment(root: HTMLElement, p: AlignmentPayload, plotly: PlotlyApi): Promise<void> {
  const { rows, cols } = p.grid;
  const n = rows * cols;
  const m = p.tokens.length;
  const valueLabel = p.valueLabel ?? 'value';
  let selected = p.selected ?? 0;

  const chips = el('div', 'alignscope-tokens');
  chips.setAttribute('role', 'toolbar');
  const buttons = p.tokens.map((t, i) => {
    const b = el('button', 'alignscope-token', t);
    b.type = 'button';
    b.dataset.token = String(i);
    chips.append(b);
    return b;
  });
  const figures = el('div', 'alignscope-row');
  const heatDiv = el('div', 'alignscope-plot alignscope-heatmap');
  figures.append(heatDiv);
  const overlayDiv = p.image ? el('div', 'alignscope-plot alignscope-overlay') : undefined;
  if (overlayDiv) figures.append(overlayDiv);
  root.append(chips, figures);

  const customdata = p.tokens.map((t, i) => Array.from({ length: n }, (_, j) => [plotText(t), Math.floor(j / cols), j % cols, i]));
  const heat = {
    type: 'heatmap',
    z: p.matrix,
    x: Array.from({ length: n }, (_, j) => j),
    y: p.tokens.map((_, i) => i),
    customdata,
    colorscale: 'Viridis',
    colorbar: { title: { text: plotText(valueLabel), side: 'right' }, thickness: 12 },
    hovertemplate: `token %{customdata[0]}<br>patch %{x} (row %{customdata[1]}, col %{customdata[2]})<br>${plotText(valueLabel)} %{z:.4g}<extra></extra>`,
  };
  const heatLayout = {
    ...baseLayout(root, p.title),
    height: Math.max(220, 22 * m + 110),
    xaxis: { ...labelledAxis(undefined, n, `patch (row-major, ${rows}×${cols} grid)`) },
    yaxis: { ...labelledAxis(p.tokens, m), autorange: false, range: [m - 0.5, -0.5] },
    shapes: p.image ? [rowShape(selected, n)] : [],
  };
  const draws: Promise<unknown>[] = [plotly.newPlot(heatDiv, [heat], heatLayout, PLOT_CONFIG)];

  const overlayOf = (i: number) => toGrid((p.overlays ?? p.matrix)[i], rows, cols);
  // The overlay is a spotlight: patches where the token is strong stay clear, the rest is dimmed.
  const overlayFigure = (i: number): [Record<string, unknown>[], Record<string, unknown>] => {
    const image = p.image as NonNullable<AlignmentPayload['image']>;
    const { width: w, height: h } = image;
    const overlay = {
      type: 'heatmap',
      z: overlayOf(i),
      x0: w / cols / 2,
      dx: w / cols,
      y0: h / rows / 2,
      dy: h / rows,
      colorscale: [
        [0, 'rgba(0,0,0,0.78)'],
        [1, 'rgba(0,0,0,0)'],
      ],
      showscale: false,
      zsmooth: false,
      // x/y are the pixel centres of the cells; customdata carries the patch indices for the hover.
      customdata: Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => [r * cols + c, r, c])),
      hovertemplate: `${plotText(p.tokens[i])}<br>patch %{customdata[0]} (row %{customdata[1]}, col %{customdata[2]})<br>${plotText(valueLabel)} %{z:.4g}<extra></extra>`,
    };
    const layout = {
      ...baseLayout(root, undefined),
      ...imageAxes(image),
      title: { text: plotText(p.tokens[i]), font: { size: 13 } },
      margin: { l: 8, r: 8, t: 36, b: 8 },
      height: Math.max(220, Math.min(360, 22 * m + 110)),
    };
    return [[imageTrace(image), overlay], layout];
  };
  if (overlayDiv) draws.push(plotly.newPlot(overlayDiv, ...overlayFigure(selected), PLOT_CONFIG));
  await Promise.all(draws);

  // Selection redraws with Plotly.react (restyle + relayout of an image trace can lose its size).
  const select = (i: number): void => {
    if (!Number.isInteger(i) || i < 0 || i >= m) return;
    selected = i;
    buttons.forEach((b, k) => b.setAttribute('aria-pressed', String(k === i)));
    if (overlayDiv) {
      void plotly.react(overlayDiv, ...overlayFigure(i), PLOT_CONFIG);
      void plotly.react(heatDiv, [heat], { ...heatLayout, shapes: [rowShape(i, n)] }, PLOT_CONFIG);
    }
  };
  buttons.forEach((b, i) => b.addEventListener('click', () => select(i)));
  (heatDiv as unknown as { on?: (e: string, f: (ev: { points: { y: number }[] }) => void) => void }).on?.('plotly_click', (ev) => {
    const y = ev.points[0]?.y;
    if (typeof y === 'number') select(y);
  });
  buttons.forEach((b, k) => b.setAttribute('aria-pressed', String(k === selected)));
}
