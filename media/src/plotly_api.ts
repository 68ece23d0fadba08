/**
 * The part of plotly.js the renderer uses, and its lazy loader.
 *
 * plotly.js is bundled into the renderer file (one self-contained ES module: the robust choice in a
 * VS Code webview, where chunk URLs are not guaranteed to resolve), but it is only *evaluated* on
 * the first output that needs it: esbuild turns this dynamic import into a lazily-run module.
 */
export type PlotData = Record<string, unknown>;
export type PlotLayout = Record<string, unknown>;

export interface PlotlyEventPoint {
  x: number;
  y: number;
  pointIndex?: number | number[];
  curveNumber: number;
}

export interface PlotlyElement extends HTMLElement {
  on(event: 'plotly_click', handler: (event: { points: PlotlyEventPoint[] }) => void): void;
}

export interface PlotlyApi {
  newPlot(el: HTMLElement, data: PlotData[], layout?: PlotLayout, config?: Record<string, unknown>): Promise<PlotlyElement>;
  react(el: HTMLElement, data: PlotData[], layout?: PlotLayout, config?: Record<string, unknown>): Promise<PlotlyElement>;
  restyle(el: HTMLElement, update: Record<string, unknown>, traces?: number[]): Promise<PlotlyElement>;
  relayout(el: HTMLElement, update: Record<string, unknown>): Promise<PlotlyElement>;
  purge(el: HTMLElement): void;
}

let loading: Promise<PlotlyApi> | undefined;

/** Loads plotly.js once. */
export function loadPlotly(): Promise<PlotlyApi> {
  loading ??= import('plotly.js-dist-min').then((m) => {
    const mod = m as unknown as { default?: PlotlyApi } & PlotlyApi;
    return (mod.default ?? mod) as PlotlyApi;
  });
  return loading;
}

/** Plotly config shared by every figure. */
export const PLOT_CONFIG = { responsive: true, displaylogo: false, displayModeBar: 'hover' } as const;
