/**
 * Text safety and theme for plotly figures.
 *
 * plotly.js parses a small HTML subset in every string it draws (titles, tick labels, hover text,
 * legend names, annotations: `<b>`, `<br>`, `<a href>`…). Labels come from user data (tokens,
 * captions), so every label passes through `plotText`, which turns `& < >` into entities: plotly
 * decodes them and inserts the result as an SVG text node, so `<img src=x onerror=…>` shows
 * literally and nothing is parsed. DOM parts of the renderer use `textContent` only.
 */
export function plotText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A short number for labels: 4 significant digits, '–' for missing. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** Colours and font from the VS Code theme (CSS variables in the webview), with light fallbacks. */
export function theme(el: HTMLElement): { fg: string; grid: string; font: string } {
  const css = getComputedStyle(el);
  const v = (name: string) => css.getPropertyValue(name).trim();
  return {
    fg: v('--vscode-editor-foreground') || v('--vscode-foreground') || '#333',
    grid: v('--vscode-editorWidget-border') || 'rgba(128,128,128,0.25)',
    font: v('--vscode-font-family') || 'system-ui, sans-serif',
  };
}

/** The layout every figure starts from: transparent background, theme colours, tight margins. */
export function baseLayout(el: HTMLElement, title: string | undefined): Record<string, unknown> {
  const t = theme(el);
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    font: { color: t.fg, family: t.font, size: 12 },
    margin: { l: 60, r: 20, t: title ? 40 : 16, b: 48 },
    ...(title ? { title: { text: plotText(title), font: { size: 14 } } } : {}),
  };
}

/** A numeric axis whose ticks show labels (safe for duplicates such as two 'the' tokens). */
export function labelledAxis(labels: string[] | undefined, count: number, title?: string): Record<string, unknown> {
  const axis: Record<string, unknown> = { showgrid: false, zeroline: false };
  if (labels) {
    axis.tickmode = 'array';
    axis.tickvals = labels.map((_, i) => i);
    axis.ticktext = labels.map(plotText);
    axis.automargin = true;
  }
  if (title) axis.title = { text: plotText(title) };
  axis.range = [-0.5, count - 0.5];
  return axis;
}
