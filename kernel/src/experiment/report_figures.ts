/**
 * Plotly figure specs (data + layout, plain JSON) of the experiment report. Every label that comes
 * from data (words, method names) is HTML-escaped: plotly parses labels as pseudo-HTML.
 */
import { encodePng } from '../data/png_encode';
import type { MethodSummary } from './aggregate';
import type { AlignmentSample } from './evaluate_model';
import { escapeHtml } from '../show/format_text';
import type { RunResult } from './run_one';

export interface Figure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

const COLOURS: Record<string, string> = { global: '#1f77b4', filip: '#2ca02c', ot: '#d62728', 'global+ot': '#9467bd' };
const colour = (m: string): string => COLOURS[m] ?? '#7f7f7f';

/** Loss per step of every run (one line per seed, one colour per method), at most ~300 points each. */
export function lossCurvesFigure(runs: readonly RunResult[]): Figure {
  const data = runs.map((r) => {
    const stride = Math.max(1, Math.ceil(r.lossCurve.length / 300));
    const pts = r.lossCurve.filter((_, i) => i % stride === 0 || i === r.lossCurve.length - 1);
    return {
      type: 'scatter',
      mode: 'lines',
      name: escapeHtml(`${r.method} seed ${r.seed}`),
      legendgroup: escapeHtml(r.method),
      line: { color: colour(r.method), width: 1.5 },
      x: pts.map((p) => p.step),
      y: pts.map((p) => Number(p.loss.toPrecision(5))),
    };
  });
  return { data, layout: { title: { text: 'Training loss (total) per step' }, xaxis: { title: { text: 'step' } }, yaxis: { title: { text: 'loss' } }, height: 380 } };
}

/** Grouped bars: one group per metric, one bar per method, error bars = 95% CI half-width (percent). */
export function metricBarsFigure(title: string, summaries: Record<string, MethodSummary>, metrics: ReadonlyArray<readonly [string, string]>): Figure {
  const data = Object.entries(summaries).map(([method, s]) => ({
    type: 'bar',
    name: escapeHtml(method),
    marker: { color: colour(method) },
    x: metrics.map(([, label]) => escapeHtml(label)),
    y: metrics.map(([k]) => (s[k] ? Number((100 * s[k]!.mean).toFixed(2)) : null)),
    error_y: { type: 'data', visible: true, array: metrics.map(([k]) => (s[k] && !Number.isNaN(s[k]!.halfWidth) ? Number((100 * s[k]!.halfWidth).toFixed(2)) : 0)) },
  }));
  return { data, layout: { title: { text: escapeHtml(title) }, barmode: 'group', yaxis: { title: { text: '% (mean ± 95% CI over seeds)' } }, height: 380 } };
}

const tokenLabels = (s: AlignmentSample): string[] => s.words.map((w, t) => escapeHtml(`${t}:${w}`));

/** Word × patch heatmap of one test image: rows = caption tokens, columns = patches (row-major grid). */
export function alignmentHeatmapFigure(method: string, s: AlignmentSample): Figure {
  const n = s.matrix.length;
  const z = s.words.map((_, t) => s.matrix.map((row) => row[t]!)); // [tokens][patches]
  return {
    data: [{ type: 'heatmap', z, x: Array.from({ length: n }, (_, p) => p), y: tokenLabels(s), colorscale: 'Viridis', colorbar: { thickness: 10 } }],
    layout: {
      title: { text: escapeHtml(`${method} — test image ${s.index}: ${s.kind === 'plan' ? 'transport plan' : 'softmax similarity'} (token × patch)`) },
      xaxis: { title: { text: 'patch (row-major)' } },
      yaxis: { autorange: 'reversed', type: 'category', dtick: 1, automargin: true },
      height: 140 + 22 * s.words.length,
      margin: { l: 110 },
    },
  };
}

/** Nearest-neighbour upscaled PNG data URL of an RGB image [S, S, 3]. */
export function imageDataUrl(pixels: Uint8Array, size: number, scale = 8): string {
  const W = size * scale;
  const out = new Uint8Array(W * W * 3);
  for (let y = 0; y < W; y++) {
    for (let x = 0; x < W; x++) {
      const src = (Math.floor(y / scale) * size + Math.floor(x / scale)) * 3;
      out.set(pixels.subarray(src, src + 3), (y * W + x) * 3);
    }
  }
  return `data:image/png;base64,${Buffer.from(encodePng(out, W, W)).toString('base64')}`;
}

/**
 * Per-word overlay: the test image with one token's column drawn as a translucent heat map over the patch
 * grid; buttons switch between the caption's content words.
 */
export function overlayFigure(method: string, s: AlignmentSample, imageUrl: string, grid: number): Figure {
  const tokens = s.words.map((w, t) => ({ w, t })).filter(({ t }) => s.content[t]);
  const zFor = (t: number): number[][] => Array.from({ length: grid }, (_, r) => Array.from({ length: grid }, (_, c) => s.matrix[r * grid + c]![t]!));
  const first = tokens[0]?.t ?? 0;
  const label = (w: string, t: number): string => escapeHtml(`${t}:${w}`);
  return {
    data: [
      {
        type: 'heatmap',
        z: zFor(first),
        x0: 0.5,
        dx: 1,
        y0: 0.5,
        dy: 1,
        opacity: 0.55,
        colorscale: 'Hot',
        showscale: false,
        hovertemplate: 'patch (%{x}, %{y}): %{z:.4f}<extra></extra>',
      },
    ],
    layout: {
      title: { text: escapeHtml(`${method} — test image ${s.index}, word: ${tokens[0] ? `${first}:${tokens[0].w}` : 'none'}`) },
      images: [{ source: imageUrl, xref: 'x', yref: 'y', x: 0, y: 0, sizex: grid, sizey: grid, sizing: 'stretch', layer: 'below' }],
      xaxis: { range: [0, grid], showgrid: false, zeroline: false, constrain: 'domain' },
      yaxis: { range: [grid, 0], showgrid: false, zeroline: false, scaleanchor: 'x' },
      width: 360,
      height: 400,
      margin: { l: 30, r: 10, t: 60, b: 60 },
      updatemenus: [
        {
          type: 'buttons',
          direction: 'right',
          x: 0,
          y: -0.08,
          xanchor: 'left',
          yanchor: 'top',
          showactive: true,
          buttons: tokens.map(({ w, t }) => ({
            label: label(w, t),
            method: 'update',
            args: [{ z: [zFor(t)] }, { title: { text: escapeHtml(`${method} — test image ${s.index}, word: ${t}:${w}`) } }],
          })),
        },
      ],
    },
  };
}
