/**
 * A self-contained HTML report of an executed notebook: markdown as text, code, and outputs. alignscope
 * figures (`application/vnd.alignscope.v1+json`: curves, plan, alignment, boxes) become live plotly
 * charts — plotly.js is inlined when the package `plotly.js-dist-min` can be found — tables become HTML
 * tables, everything else falls back to text/html, image/png or text/plain.
 * Every label from a payload is inserted as text (escaped), never as HTML.
 */
import * as fs from 'node:fs';
import type { DisplayPayload } from '../../show/display_schema';
import { escapeHtml, jsonForScript } from '../../show/format_text';
import { sourceText, type Notebook, type Output } from './notebook';

const ALIGNSCOPE_MIME = 'application/vnd.alignscope.v1+json';

interface Figure {
  data: unknown[];
  layout: Record<string, unknown>;
}

/** A plotly figure for a payload kind that plots; undefined for the others. */
export function plotlyFigure(p: DisplayPayload): Figure | undefined {
  const title = p.title ? { text: p.title } : undefined;
  switch (p.kind) {
    case 'curves':
      return {
        data: p.series.map((s) => ({ type: 'scatter', mode: 'lines', name: s.name, x: s.x, y: s.y })),
        layout: { title, xaxis: { title: { text: p.xTitle ?? '' } }, yaxis: { title: { text: p.yTitle ?? '' }, type: p.logY ? 'log' : 'linear' } },
      };
    case 'plan':
      return {
        data: [{ type: 'heatmap', z: p.matrix, x: p.colLabels, y: p.rowLabels, colorscale: 'Viridis', colorbar: { title: { text: p.valueLabel ?? '' } } }],
        layout: { title, xaxis: { title: { text: p.colTitle ?? '' } }, yaxis: { title: { text: p.rowTitle ?? '' }, autorange: 'reversed' } },
      };
    case 'alignment':
      return {
        data: [{ type: 'heatmap', z: p.matrix, y: p.tokens.map((t, i) => `${i}: ${t}`), colorscale: 'Viridis', colorbar: { title: { text: p.valueLabel ?? '' } } }],
        layout: { title, xaxis: { title: { text: `patch (${p.grid.rows}×${p.grid.cols})` } }, yaxis: { autorange: 'reversed' } },
      };
    case 'boxes': {
      const shapes = [
        ...p.groundTruth.map((b) => ({ type: 'rect', x0: b.x, y0: b.y, x1: b.x + b.w, y1: b.y + b.h, line: { color: '#2ca02c', width: 2 } })),
        ...p.predicted.map((b) => ({ type: 'rect', x0: b.x, y0: b.y, x1: b.x + b.w, y1: b.y + b.h, line: { color: b.hit === false ? '#d62728' : '#1f77b4', width: 2, dash: 'dash' } })),
      ];
      const images = p.image.encoding === 'png'
        ? [{ source: p.image.dataUrl, xref: 'x', yref: 'y', x: 0, y: 0, sizex: p.image.width, sizey: p.image.height, sizing: 'stretch', layer: 'below' }]
        : [];
      return {
        data: [{ type: 'scatter', mode: 'markers', x: [0, p.image.width], y: [0, p.image.height], marker: { opacity: 0 }, hoverinfo: 'skip', showlegend: false }],
        layout: { title, shapes, images, xaxis: { range: [0, p.image.width], showgrid: false }, yaxis: { range: [p.image.height, 0], scaleanchor: 'x', showgrid: false } },
      };
    }
    default:
      return undefined;
  }
}

function tableHtml(columns: string[], rows: unknown[][], caption?: string): string {
  const head = columns.map((c) => `<th>${escapeHtml(String(c))}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((v) => `<td>${escapeHtml(v === null ? '' : String(v))}</td>`).join('')}</tr>`).join('');
  return `<table>${caption ? `<caption>${escapeHtml(caption)}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function textOf(v: unknown): string {
  return Array.isArray(v) ? v.join('') : String(v ?? '');
}

function renderOutput(out: Output, figures: Figure[]): string {
  if (out.output_type === 'stream') return `<pre class="stream ${out.name}">${escapeHtml(textOf(out.text))}</pre>`;
  if (out.output_type === 'error') return `<pre class="error">${escapeHtml(out.traceback.join('\n').replace(/\x1b\[[0-9;]*m/g, ''))}</pre>`;
  const data = out.data;
  const payload = data[ALIGNSCOPE_MIME] as DisplayPayload | undefined;
  if (payload && typeof payload === 'object') {
    const fig = plotlyFigure(payload);
    if (fig) {
      figures.push(fig);
      return `<div class="figure" data-figure="${figures.length - 1}"></div>`;
    }
    if (payload.kind === 'table') return tableHtml(payload.columns, payload.rows, payload.caption ?? payload.title);
  }
  if (typeof data['text/html'] === 'string' || Array.isArray(data['text/html'])) return `<div class="html">${textOf(data['text/html'])}</div>`;
  if (typeof data['image/png'] === 'string') return `<img alt="output" src="data:image/png;base64,${escapeHtml(textOf(data['image/png']).trim())}">`;
  if (data['image/svg+xml']) return `<div class="svg">${textOf(data['image/svg+xml'])}</div>`;
  return `<pre>${escapeHtml(textOf(data['text/plain']))}</pre>`;
}

function plotlySource(): string | undefined {
  try {
    return fs.readFileSync(require.resolve('plotly.js-dist-min'), 'utf8');
  } catch {
    return undefined;
  }
}

export function renderHtmlReport(nb: Notebook, title: string): string {
  const figures: Figure[] = [];
  const cells = nb.cells
    .map((cell) => {
      const src = sourceText(cell.source);
      if (cell.cell_type === 'markdown') return `<section class="markdown"><pre>${escapeHtml(src)}</pre></section>`;
      if (cell.cell_type !== 'code') return '';
      const count = cell.execution_count ?? ' ';
      const outputs = cell.outputs.map((o) => renderOutput(o, figures)).join('\n');
      return `<section class="code"><div class="prompt">[${count}]</div><pre class="source">${escapeHtml(src)}</pre>${outputs}</section>`;
    })
    .join('\n');
  const plotly = figures.length > 0 ? plotlySource() : undefined;
  const figureScript = figures.length === 0
    ? ''
    : `<script type="application/json" id="figures">${jsonForScript(figures)}</script>
${plotly ? `<script>${plotly.replace(/<\/script/gi, '<\\/script')}</script>` : ''}
<script>
(function () {
  var figures = JSON.parse(document.getElementById('figures').textContent);
  document.querySelectorAll('[data-figure]').forEach(function (el) {
    var f = figures[Number(el.getAttribute('data-figure'))];
    if (window.Plotly) Plotly.newPlot(el, f.data, Object.assign({ height: 360, margin: { t: 40 } }, f.layout), { responsive: true });
    else { var pre = document.createElement('pre'); pre.textContent = JSON.stringify(f.layout.title || 'figure (plotly.js not available)'); el.appendChild(pre); }
  });
})();
</script>`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1000px; margin: 2em auto; color: #222; }
section { margin: 1em 0; } .prompt { color: #888; font-size: 0.8em; }
pre { background: #f6f8fa; padding: 0.6em; overflow-x: auto; white-space: pre-wrap; }
pre.source { border-left: 3px solid #4c8bf5; } pre.stderr { background: #fff5e5; } pre.error { background: #fdecea; color: #a00; }
section.markdown pre { background: none; font-family: inherit; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 0.2em 0.6em; }
</style></head>
<body><h1>${escapeHtml(title)}</h1>
${cells}
${figureScript}
</body></html>
`;
}
