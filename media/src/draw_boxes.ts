/**
 * `boxes`: the image with ground-truth boxes (dashed yellow) and predicted boxes (green = hit,
 * red = miss, cyan = not judged), labels as annotations, and a text legend underneath.
 */
import type { BoxesPayload, DisplayBox, PredictedBox } from '../../kernel/src/show/display_schema';
import { el } from './dom';
import { imageAxes, imageTrace } from './image_source';
import { PLOT_CONFIG, type PlotlyApi } from './plotly_api';
import { baseLayout, fmt, plotText } from './plot_text';

export const BOX_COLOURS = { groundTruth: '#ffd400', hit: '#2ecc40', miss: '#ff4136', unjudged: '#39cccc' } as const;

function colourOf(b: PredictedBox): string {
  return b.hit === undefined ? BOX_COLOURS.unjudged : b.hit ? BOX_COLOURS.hit : BOX_COLOURS.miss;
}

function shape(b: DisplayBox, colour: string, dash: string): Record<string, unknown> {
  return { type: 'rect', xref: 'x', yref: 'y', x0: b.x, y0: b.y, x1: b.x + b.w, y1: b.y + b.h, line: { color: colour, width: 2, dash } };
}

function annotation(b: DisplayBox, colour: string, below: boolean): Record<string, unknown> {
  return {
    x: b.x,
    y: below ? b.y + b.h : b.y,
    xref: 'x',
    yref: 'y',
    xanchor: 'left',
    yanchor: below ? 'top' : 'bottom',
    text: plotText(b.label ?? ''),
    showarrow: false,
    font: { color: '#fff', size: 11 },
    bgcolor: colour === BOX_COLOURS.groundTruth ? 'rgba(120,100,0,0.85)' : 'rgba(0,0,0,0.65)',
    bordercolor: colour,
    borderpad: 1,
  };
}

function legendLine(kind: string, b: PredictedBox, colour: string): HTMLElement {
  const line = el('li');
  const swatch = el('span', 'alignscope-swatch');
  swatch.style.borderColor = colour;
  const judged = b.hit === undefined ? '' : ` · ${b.iou !== undefined ? `IoU ${fmt(b.iou)} · ` : ''}${b.hit ? 'hit' : 'miss'}`;
  const score = b.score !== undefined ? ` · score ${fmt(b.score)}` : '';
  line.append(swatch, document.createTextNode(`${kind}${b.label !== undefined ? ` · ${b.label}` : ''}${score}${judged}`));
  return line;
}

export async function drawBoxes(root: HTMLElement, p: BoxesPayload, plotly: PlotlyApi): Promise<void> {
  const div = el('div', 'alignscope-plot alignscope-boxes');
  const legend = el('ul', 'alignscope-legend');
  root.append(div, legend);
  const shapes = [
    ...p.groundTruth.map((b) => shape(b, BOX_COLOURS.groundTruth, 'dash')),
    ...p.predicted.map((b) => shape(b, colourOf(b), 'solid')),
  ];
  const annotations = [
    ...p.groundTruth.filter((b) => b.label).map((b) => annotation(b, BOX_COLOURS.groundTruth, true)),
    ...p.predicted.filter((b) => b.label).map((b) => annotation(b, colourOf(b), false)),
  ];
  p.groundTruth.forEach((b) => legend.append(legendLine('ground truth', b, BOX_COLOURS.groundTruth)));
  p.predicted.forEach((b) => legend.append(legendLine('predicted', b, colourOf(b))));
  const aspect = p.image.height / p.image.width;
  const layout = {
    ...baseLayout(root, p.title),
    ...imageAxes(p.image),
    margin: { l: 8, r: 8, t: p.title ? 40 : 8, b: 8 },
    height: Math.round(Math.min(480, Math.max(200, 360 * aspect))),
    shapes,
    annotations,
  };
  await plotly.newPlot(div, [imageTrace(p.image)], layout, PLOT_CONFIG);
}
