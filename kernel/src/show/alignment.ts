/**
 * `show.alignment`: a word × patch alignment (similarity, attention or transport mass of each token
 * to each image patch) with the image and a per-token overlay.
 *
 * @example
 *   show.alignment({ tokens: ['a', 'red', 'ball'], matrix: sim, image: img, grid: 4 });
 *   // sim: [m, n] = [3, 16] tokens × patches; img: [H, W, 3] in [0, 1]; a 4×4 patch grid
 *   show.alignment({ tokens, matrix: plan, layout: 'patch-token' });   // an OT plan [n, m]
 */
import { DISPLAY_MIME, type AlignmentPayload, type Cell, type DisplayBundle } from './display_schema';
import { fmt, quote } from './format_text';
import { toDisplayImage, type ImageEncoding, type ImageInput } from './image_input';
import { publish } from './publisher';
import { toMatrix, transpose, type MatrixInput } from './to_plain';

export interface AlignmentInput {
  /** m token labels. */
  tokens: readonly string[];
  /** [m, n] tokens × patches (or [n, m] with layout 'patch-token'). */
  matrix: MatrixInput;
  /** 'patch-token' when the matrix is [n, m], like an OT plan between patches and tokens. */
  layout?: 'token-patch' | 'patch-token';
  /** The patch grid: { rows, cols }, or one number for a square grid. Default: √n square. */
  grid?: { rows: number; cols: number } | number;
  /** The image the patches tile ([H, W, 3] in [0, 1], raw RGB, or a PNG data URL). */
  image?: ImageInput;
  /** [m, n] per-token overlays (same layout as matrix); default: the matrix rows. */
  overlays?: MatrixInput;
  title?: string;
  valueLabel?: string;
  /** Token shown first on the image. */
  selected?: number;
  imageEncoding?: ImageEncoding;
}

const OP = 'show.alignment';

function resolveGrid(grid: AlignmentInput['grid'], n: number): { rows: number; cols: number } {
  if (grid === undefined) {
    const side = Math.round(Math.sqrt(n));
    if (side * side !== n) throw new Error(`${OP}: grid: ${n} patches do not form a square grid; pass grid: { rows, cols }.`);
    return { rows: side, cols: side };
  }
  const g = typeof grid === 'number' ? { rows: grid, cols: grid } : grid;
  if (!Number.isInteger(g.rows) || !Number.isInteger(g.cols) || g.rows < 1 || g.cols < 1 || g.rows * g.cols !== n) {
    throw new Error(`${OP}: grid: expected rows × cols = ${n} patches, got ${g.rows} × ${g.cols}.`);
  }
  return { rows: g.rows, cols: g.cols };
}

function tokensByPatches(x: MatrixInput, what: string, m: number, layout: AlignmentInput['layout']): Cell[][] {
  const raw = toMatrix(x, `${OP}: ${what}`);
  const mat = layout === 'patch-token' ? transpose(raw) : raw;
  if (mat.length !== m) {
    const hint = layout !== 'patch-token' && raw[0]?.length === m ? " (it looks [n, m]: pass layout: 'patch-token')" : '';
    throw new Error(`${OP}: ${what}: expected ${m} token rows (one per token), got shape [${raw.length}, ${raw[0]?.length ?? 0}]${hint}.`);
  }
  return mat;
}

function argmax(row: Cell[]): number {
  let best = -1;
  row.forEach((v, j) => {
    if (v !== null && (best < 0 || v > (row[best] as number))) best = j;
  });
  return best;
}

function summary(p: AlignmentPayload): string {
  const n = p.grid.rows * p.grid.cols;
  const head =
    `alignment${p.title ? ` ${quote(p.title)}` : ''}: ${p.tokens.length} tokens × ${n} patches (grid ${p.grid.rows}×${p.grid.cols})` +
    (p.image ? `, image ${p.image.width}×${p.image.height}` : '') +
    (p.valueLabel ? `, values: ${p.valueLabel}` : '');
  const width = Math.max(...p.tokens.map((t) => quote(t).length), 0);
  const lines = p.tokens.slice(0, 24).map((t, i) => {
    const j = argmax(p.matrix[i]);
    if (j < 0) return `  ${quote(t).padEnd(width)}  (no finite value)`;
    const where = `patch ${j} (row ${Math.floor(j / p.grid.cols)}, col ${j % p.grid.cols})`;
    return `  ${quote(t).padEnd(width)}  → ${where}  ${fmt(p.matrix[i][j])}`;
  });
  if (p.tokens.length > 24) lines.push(`  … ${p.tokens.length - 24} more tokens`);
  return [head, ...lines].join('\n');
}

/** Builds the alignment bundle (no publishing); throws naming the argument on a shape mismatch. */
export function buildAlignmentBundle(input: AlignmentInput): DisplayBundle {
  const tokens = [...input.tokens];
  tokens.forEach((t, i) => {
    if (typeof t !== 'string') throw new Error(`${OP}: tokens[${i}]: expected a string, got ${typeof t}.`);
  });
  const matrix = tokensByPatches(input.matrix, 'matrix', tokens.length, input.layout);
  const n = matrix[0]?.length ?? 0;
  const payload: AlignmentPayload = {
    kind: 'alignment',
    version: 1,
    ...(input.title !== undefined && { title: input.title }),
    tokens,
    matrix,
    grid: resolveGrid(input.grid, n),
  };
  if (input.image !== undefined) payload.image = toDisplayImage(input.image, `${OP}: image`, input.imageEncoding);
  if (input.overlays !== undefined) {
    payload.overlays = tokensByPatches(input.overlays, 'overlays', tokens.length, input.layout);
    if (payload.overlays[0].length !== n) throw new Error(`${OP}: overlays: expected ${n} patches per token, got ${payload.overlays[0].length}.`);
  }
  if (input.valueLabel !== undefined) payload.valueLabel = input.valueLabel;
  if (input.selected !== undefined) {
    if (!Number.isInteger(input.selected) || input.selected < 0 || input.selected >= tokens.length) {
      throw new Error(`${OP}: selected: expected a token index in [0, ${tokens.length}), got ${input.selected}.`);
    }
    payload.selected = input.selected;
  }
  return { [DISPLAY_MIME]: payload, 'text/plain': summary(payload) };
}

/** Shows a word × patch alignment in the notebook. */
export function alignment(input: AlignmentInput): void {
  publish(buildAlignmentBundle(input));
}
