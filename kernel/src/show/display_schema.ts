/**
 * The display schema: what the kernel sends and the notebook renderer draws.
 *
 * Every rich output is a MIME bundle whose `application/vnd.alignscope.v1+json` item is one of the
 * JSON objects below, discriminated by `kind`, with `version: 1`. This file is the single source of
 * truth shared by the kernel (`kernel/src/show/`) and the renderer (`media/src/`): it has no imports
 * and no runtime code besides constants, so the renderer can `import type` from it.
 *
 * Conventions
 * - Matrices are row-major `number[][]`; a cell is `null` where the value was not finite
 *   (JSON has no NaN/Infinity), and the renderer shows a gap there.
 * - Image coordinates are pixels, origin top-left, x to the right, y down.
 * - Every string is a *label*: the renderer inserts it as text, never as HTML.
 * - Glossary: m tokens, n patches (n = grid.rows × grid.cols, row-major).
 */

export const DISPLAY_MIME = 'application/vnd.alignscope.v1+json';
export const DISPLAY_SCHEMA_VERSION = 1;

export const DISPLAY_KINDS = ['alignment', 'plan', 'curves', 'boxes', 'table', 'progress'] as const;
export type DisplayKind = (typeof DISPLAY_KINDS)[number];

/** A matrix cell: a finite number, or null for NaN/±Infinity. */
export type Cell = number | null;

/** An image: a PNG data URL (compact, the default) or raw 8-bit RGB (row-major, length width*height*3). */
export type DisplayImage =
  | { encoding: 'png'; width: number; height: number; dataUrl: string }
  | { encoding: 'rgb'; width: number; height: number; data: number[] };

interface PayloadBase<K extends DisplayKind> {
  kind: K;
  version: 1;
  /** Shown above the figure. */
  title?: string;
}

/**
 * Word × patch alignment of one image–caption pair: similarity, attention or transport mass of each
 * token to each image patch, with the image and a per-token overlay drawn on it.
 */
export interface AlignmentPayload extends PayloadBase<'alignment'> {
  /** m token labels, in caption order (duplicates allowed). */
  tokens: string[];
  /** [m][n] values, row i = token i, column j = patch j (row-major over the grid). */
  matrix: Cell[][];
  /** How the n patches tile the image: n = rows × cols. */
  grid: { rows: number; cols: number };
  /** The image the patches come from (optional: without it, only the heatmap is drawn). */
  image?: DisplayImage;
  /** [m][n] per-token overlays on the image; when absent, the matrix rows are used. */
  overlays?: Cell[][];
  /** What a value means ('cosine similarity', 'plan mass'…), for the colour bar and hover. */
  valueLabel?: string;
  /** Token whose overlay is shown first (default: 0). */
  selected?: number;
}

/** Any labelled matrix: a transport plan, a cost matrix, a confusion matrix. */
export interface PlanPayload extends PayloadBase<'plan'> {
  /** [rows][cols] values. */
  matrix: Cell[][];
  rowLabels?: string[];
  colLabels?: string[];
  /** Axis titles, e.g. 'patch' and 'token'. */
  rowTitle?: string;
  colTitle?: string;
  valueLabel?: string;
}

export interface CurveSeries {
  name: string;
  /** Same length as y. */
  x: number[];
  /** null where the value was not finite (a gap in the line). */
  y: Cell[];
}

/** Named series (loss, learning rate, metrics), redrawn in place on live updates. */
export interface CurvesPayload extends PayloadBase<'curves'> {
  series: CurveSeries[];
  xTitle?: string;
  yTitle?: string;
  /** Logarithmic y axis. */
  logY?: boolean;
}

/** An axis-aligned box in image pixels: top-left corner, width, height. */
export interface DisplayBox {
  x: number;
  y: number;
  w: number;
  h: number;
  label?: string;
  /** Detector or grounding score, if any. */
  score?: number;
}

/** A predicted box with its match against the ground truth. */
export interface PredictedBox extends DisplayBox {
  /** IoU with the matched ground-truth box, when matching was done. */
  iou?: number;
  /** true = hit (IoU ≥ threshold), false = miss, absent = not judged. */
  hit?: boolean;
}

/** An image with ground-truth and predicted boxes (REC, grounding, detection). */
export interface BoxesPayload extends PayloadBase<'boxes'> {
  image: DisplayImage;
  groundTruth: DisplayBox[];
  predicted: PredictedBox[];
  /** The IoU threshold the hits were judged with. */
  iouThreshold?: number;
}

export type TableValue = string | number | boolean | null;

/** A table of results (metrics, configs). */
export interface TablePayload extends PayloadBase<'table'> {
  columns: string[];
  /** Each row has columns.length values. */
  rows: TableValue[][];
  caption?: string;
}

export type ProgressStatus = 'running' | 'done' | 'interrupted' | 'error';

/** A progress bar (training, evaluation), usually updated live. */
export interface ProgressPayload extends PayloadBase<'progress'> {
  /** Steps completed so far, 0 ≤ step (≤ total when total is known). */
  step: number;
  /** Total steps, or null when unknown. */
  total: number | null;
  message?: string;
  /** Estimated seconds to finish, or null when unknown. */
  etaSeconds?: number | null;
  elapsedSeconds?: number;
  status?: ProgressStatus;
}

export type DisplayPayload =
  | AlignmentPayload
  | PlanPayload
  | CurvesPayload
  | BoxesPayload
  | TablePayload
  | ProgressPayload;

/** A Jupyter MIME bundle as the `show.*` builders produce it. */
export interface DisplayBundle {
  [DISPLAY_MIME]: DisplayPayload;
  'text/plain': string;
  'text/html'?: string;
}

export type ValidationResult = { ok: true; payload: DisplayPayload } | { ok: false; reason: string };
