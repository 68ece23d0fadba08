/**
 * The self-contained HTML report of an experiment (plotly.js inlined, images as data URLs, no network):
 * summary, findings, results table, loss curves, metric bars with CIs, word × patch heatmaps and per-word
 * overlays on a few test images per method, full metrics and the resolved config. Every label is escaped.
 */
import { readFileSync } from 'node:fs';
import type { MethodSummary } from './aggregate';
import { escapeHtml, jsonForScript } from '../show/format_text';
import { alignmentHeatmapFigure, imageDataUrl, lossCurvesFigure, metricBarsFigure, overlayFigure, type Figure } from './report_figures';
import type { TargetCheck } from './research_target';
import type { RunResult } from './run_one';
import { formatCi, SUMMARY_COLUMNS } from './summary_table';

export interface ReportInput {
  name: string;
  createdAt: string;
  wallSec: number;
  backend: { backend: string; device: string };
  config: unknown;
  summaries: Record<string, MethodSummary>;
  runs: RunResult[];
  targets: TargetCheck[];
  /** Free-text findings paragraphs (escaped on output). */
  findings: string[];
  /** Pixels of the test images shown ([S, S, 3] each), by test index. */
  testImages: Map<number, Uint8Array>;
  imageSize: number;
  grid: number;
}

/** plotly.js source, ready to inline in a <script> element. */
export function plotlySource(): string {
  const src = readFileSync(require.resolve('plotly.js-dist-min/plotly.min.js'), 'utf8');
  return src.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
}

const RETRIEVAL_BARS = [
  ['retrieval.own.i2t.R@1', 'i2t R@1'],
  ['retrieval.own.i2t.R@5', 'i2t R@5'],
  ['retrieval.own.i2t.R@10', 'i2t R@10'],
  ['retrieval.own.t2i.R@1', 't2i R@1'],
  ['retrieval.own.t2i.R@5', 't2i R@5'],
  ['retrieval.own.t2i.R@10', 't2i R@10'],
] as const;
const GROUNDING_BARS = [
  ['grounding.own.hitAt1', 'hit@1 (own column)'],
  ['grounding.own.massInBox', 'mass-in-box (own)'],
  ['grounding.sim.hitAt1', 'hit@1 (similarity)'],
  ['grounding.plan.hitAt1', 'hit@1 (OT plan)'],
  ['grounding.own.colour.hitAt1', 'hit@1 colour words'],
  ['grounding.own.shape.hitAt1', 'hit@1 shape words'],
  ['grounding.own.size.hitAt1', 'hit@1 size words'],
  ['grounding.randomBaseline', 'random pointing'],
] as const;

function table(header: string[], rows: string[][]): string {
  const th = header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th>${escapeHtml(c)}</th>` : `<td>${escapeHtml(c)}</td>`)).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

export function buildReportHtml(input: ReportInput, plotly = plotlySource()): string {
  const figures: { id: string; fig: Figure }[] = [];
  const add = (fig: Figure): string => {
    const id = `fig${figures.length}`;
    figures.push({ id, fig });
    return `<div class="fig" id="${id}"></div>`;
  };
  const methods = Object.keys(input.summaries);
  const summaryRows = methods.map((m) => [m, ...SUMMARY_COLUMNS.map(([k]) => formatCi(input.summaries[m]![k]))]);
  const allKeys = [...new Set(methods.flatMap((m) => Object.keys(input.summaries[m]!)))].filter((k) => !k.startsWith('words.')).sort();
  const wordKeys = [...new Set(methods.flatMap((m) => Object.keys(input.summaries[m]!)))].filter((k) => k.startsWith('words.own.')).sort();
  const percentish = (k: string): boolean => /R@|hitAt1|massInBox|randomBaseline/.test(k);
  const fullRows = allKeys.map((k) => [k, ...methods.map((m) => formatCi(input.summaries[m]![k], percentish(k)))]);
  const wordRows = wordKeys.map((k) => [k.slice('words.own.'.length), ...methods.map((m) => formatCi(input.summaries[m]![k]))]);

  const alignmentSections = methods
    .map((m) => {
      const run = input.runs.find((r) => r.method === m);
      if (!run || run.samples.length === 0) return '';
      const blocks = run.samples
        .map((s) => {
          const pixels = input.testImages.get(s.index);
          const overlay = pixels ? add(overlayFigure(m, s, imageDataUrl(pixels, input.imageSize), input.grid)) : '';
          return `<div class="pair">${overlay}${add(alignmentHeatmapFigure(m, s))}</div>`;
        })
        .join('\n');
      return `<h3>${escapeHtml(m)} <small>(seed ${escapeHtml(run.seed)})</small></h3>\n${blocks}`;
    })
    .join('\n');

  const body = `
<h1>alignscope experiment <code>${escapeHtml(input.name)}</code></h1>
<p>Local-feature vision–language alignment on the embedded grounded scenes: ${escapeHtml(methods.join(', '))}, trained with the
same budget over ${escapeHtml(input.runs.length / Math.max(1, methods.length))} seeds each, evaluated on the test split.
Created ${escapeHtml(input.createdAt)}; wall time ${escapeHtml(input.wallSec.toFixed(0))} s; backend ${escapeHtml(input.backend.backend)}
(${escapeHtml(input.backend.device)}).</p>

<h2>Findings</h2>
<ul>${input.targets.map((t) => `<li><b>${t.met ? 'target met' : 'target not met'}</b> — ${escapeHtml(t.text)}</li>`).join('\n')}</ul>
${input.findings.map((f) => `<p>${escapeHtml(f)}</p>`).join('\n')}

<h2>Results (mean ± 95% CI over seeds, percent)</h2>
${table(['method', ...SUMMARY_COLUMNS.map(([, h]) => h)], summaryRows)}
<p class="note"><b>own</b> = the method's own score/column: retrieval by pooled-feature cosine for global and FILIP, by OT re-ranking
of the pooled top-k for ot and global+ot; grounding by the softmax (over patches) of the similarity column for global and FILIP, by the
transport plan's column for ot and global+ot. <b>sim</b>/<b>plan</b> columns evaluate every model both ways (a control: does the gain come
from training or from reading the plan?). hit@1 = the argmax patch's centre lies in the word's object box; mass-in-box = share of the
column's mass on patches whose centre lies in the box; random pointing = the box's share of patch centres.</p>

<h2>Training</h2>
${add(lossCurvesFigure(input.runs))}

<h2>Metrics with 95% confidence intervals</h2>
${add(metricBarsFigure('Retrieval (own score)', input.summaries, RETRIEVAL_BARS))}
${add(metricBarsFigure('Grounding (content words)', input.summaries, GROUNDING_BARS))}

<h2>Alignments on test images</h2>
<p class="note">Left: the image with one word's column over the patch grid (buttons choose the word). Right: every token × every patch.</p>
${alignmentSections}

<h2>All metrics</h2>
<details><summary>every metric (mean ± 95% CI)</summary>${table(['metric', ...methods], fullRows)}</details>
<details><summary>grounding hit@1 per content word (own column)</summary>${table(['word', ...methods], wordRows)}</details>

<h2>Configuration</h2>
<pre>${escapeHtml(JSON.stringify(input.config, null, 2))}</pre>
`;

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>alignscope — ${escapeHtml(input.name)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; font-size: 13px; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: right; } thead th { background: #f3f3f3; } tbody th { text-align: left; }
.note { color: #555; font-size: 13px; } .pair { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.pair .fig:last-child { flex: 1; min-width: 480px; } pre { background: #f7f7f7; padding: 1em; font-size: 12px; overflow: auto; }
</style>
<script>${plotly}</script>
</head><body>
${body}
<script>
(function () {
  var figures = ${jsonForScript(figures)};
  figures.forEach(function (f) { Plotly.newPlot(f.id, f.fig.data, f.fig.layout, { responsive: true, displaylogo: false }); });
})();
</script>
</body></html>
`;
}
