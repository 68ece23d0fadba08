/**
 * Runtime check of a display payload against the schema in display_schema.ts.
 *
 * Used by the renderer (its error box shows `reason`) and by the tests. Like the schema, this file
 * depends on nothing at runtime (type imports only), so the renderer bundle can include it without
 * pulling in any kernel code. A reason names the bad field as a path, the expectation and the value:
 *   `alignment.matrix[2]: expected 16 cells (grid 4×4), got 15`.
 */
import type { DisplayPayload, ValidationResult } from './display_schema';

const KINDS = ['alignment', 'plan', 'curves', 'boxes', 'table', 'progress'];
const PROGRESS_STATUS = ['running', 'done', 'interrupted', 'error'];

class Invalid extends Error {}

type Obj = Record<string, unknown>;

function seen(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

function fail(path: string, expected: string, v: unknown): never {
  throw new Invalid(`${path}: expected ${expected}, got ${seen(v)}`);
}

function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'an object', v);
  return v as Obj;
}

function arr(v: unknown, path: string, length?: number, what = 'items'): unknown[] {
  if (!Array.isArray(v)) fail(path, length === undefined ? 'an array' : `an array of ${length} ${what}`, v);
  if (length !== undefined && v.length !== length) {
    throw new Invalid(`${path}: expected ${length} ${what}, got ${v.length}`);
  }
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, 'a string', v);
  return v;
}

function num(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, 'a finite number', v);
  return v;
}

function count(v: unknown, path: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail(path, `an integer ≥ ${min}`, v);
  return v;
}

function optional<T>(o: Obj, key: string, path: string, check: (v: unknown, p: string) => T): void {
  if (o[key] !== undefined) check(o[key], `${path}.${key}`);
}

function cell(v: unknown, path: string): void {
  if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) fail(path, 'a finite number or null', v);
}

function matrix(v: unknown, path: string, rows?: number, cols?: number, colsWhy = ''): number {
  const m = arr(v, path, rows, 'rows');
  if (m.length === 0) throw new Invalid(`${path}: expected at least one row, got 0`);
  const width = cols ?? (Array.isArray(m[0]) ? m[0].length : -1);
  m.forEach((row, i) => {
    const r = arr(row, `${path}[${i}]`, width, `cells${colsWhy}`);
    r.forEach((c, j) => cell(c, `${path}[${i}][${j}]`));
  });
  return width;
}

function labels(v: unknown, path: string, length: number): void {
  arr(v, path, length, 'labels').forEach((s, i) => str(s, `${path}[${i}]`));
}

function image(v: unknown, path: string): void {
  const o = obj(v, path);
  const width = count(o.width, `${path}.width`, 1);
  const height = count(o.height, `${path}.height`, 1);
  if (o.encoding === 'png') {
    const url = str(o.dataUrl, `${path}.dataUrl`);
    if (!url.startsWith('data:image/png;base64,')) fail(`${path}.dataUrl`, "a 'data:image/png;base64,' URL", url);
  } else if (o.encoding === 'rgb') {
    const data = arr(o.data, `${path}.data`, width * height * 3, `values (${width}×${height}×3)`);
    data.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 255) fail(`${path}.data[${i}]`, 'an integer in 0..255', x);
    });
  } else {
    fail(`${path}.encoding`, "'png' or 'rgb'", o.encoding);
  }
}

function box(v: unknown, path: string): void {
  const o = obj(v, path);
  for (const k of ['x', 'y']) num(o[k], `${path}.${k}`);
  for (const k of ['w', 'h']) {
    if (num(o[k], `${path}.${k}`) < 0) fail(`${path}.${k}`, 'a size ≥ 0', o[k]);
  }
  optional(o, 'label', path, str);
  optional(o, 'score', path, num);
  optional(o, 'iou', path, num);
  optional(o, 'hit', path, (b, p) => (typeof b === 'boolean' ? b : fail(p, 'a boolean', b)));
}

function checkAlignment(o: Obj, p: string): void {
  const tokens = arr(o.tokens, `${p}.tokens`);
  tokens.forEach((t, i) => str(t, `${p}.tokens[${i}]`));
  const grid = obj(o.grid, `${p}.grid`);
  const rows = count(grid.rows, `${p}.grid.rows`, 1);
  const cols = count(grid.cols, `${p}.grid.cols`, 1);
  const why = ` (grid ${rows}×${cols})`;
  matrix(o.matrix, `${p}.matrix`, tokens.length, rows * cols, why);
  if (o.overlays !== undefined) matrix(o.overlays, `${p}.overlays`, tokens.length, rows * cols, why);
  if (o.image !== undefined) image(o.image, `${p}.image`);
  optional(o, 'valueLabel', p, str);
  if (o.selected !== undefined) {
    const s = count(o.selected, `${p}.selected`);
    if (s >= tokens.length) fail(`${p}.selected`, `a token index < ${tokens.length}`, s);
  }
}

function checkPlan(o: Obj, p: string): void {
  const cols = matrix(o.matrix, `${p}.matrix`);
  const rows = (o.matrix as unknown[]).length;
  if (o.rowLabels !== undefined) labels(o.rowLabels, `${p}.rowLabels`, rows);
  if (o.colLabels !== undefined) labels(o.colLabels, `${p}.colLabels`, cols);
  for (const k of ['rowTitle', 'colTitle', 'valueLabel']) optional(o, k, p, str);
}

function checkCurves(o: Obj, p: string): void {
  arr(o.series, `${p}.series`).forEach((s, i) => {
    const sp = `${p}.series[${i}]`;
    const so = obj(s, sp);
    str(so.name, `${sp}.name`);
    const x = arr(so.x, `${sp}.x`);
    x.forEach((v, j) => num(v, `${sp}.x[${j}]`));
    arr(so.y, `${sp}.y`, x.length, 'values (as many as x)').forEach((v, j) => cell(v, `${sp}.y[${j}]`));
  });
  for (const k of ['xTitle', 'yTitle']) optional(o, k, p, str);
  optional(o, 'logY', p, (b, q) => (typeof b === 'boolean' ? b : fail(q, 'a boolean', b)));
}

function checkBoxes(o: Obj, p: string): void {
  image(o.image, `${p}.image`);
  arr(o.groundTruth, `${p}.groundTruth`).forEach((b, i) => box(b, `${p}.groundTruth[${i}]`));
  arr(o.predicted, `${p}.predicted`).forEach((b, i) => box(b, `${p}.predicted[${i}]`));
  optional(o, 'iouThreshold', p, num);
}

function checkTable(o: Obj, p: string): void {
  const columns = arr(o.columns, `${p}.columns`);
  columns.forEach((c, i) => str(c, `${p}.columns[${i}]`));
  arr(o.rows, `${p}.rows`).forEach((row, i) => {
    arr(row, `${p}.rows[${i}]`, columns.length, 'values (one per column)').forEach((v, j) => {
      const ok = v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
      if (!ok) fail(`${p}.rows[${i}][${j}]`, 'a string, finite number, boolean or null', v);
    });
  });
  optional(o, 'caption', p, str);
}

function checkProgress(o: Obj, p: string): void {
  const step = num(o.step, `${p}.step`);
  if (step < 0) fail(`${p}.step`, 'a number ≥ 0', step);
  if (o.total !== null) {
    const total = num(o.total, `${p}.total`);
    if (total < 0) fail(`${p}.total`, 'a number ≥ 0 or null', total);
  }
  optional(o, 'message', p, str);
  if (o.etaSeconds !== undefined && o.etaSeconds !== null) num(o.etaSeconds, `${p}.etaSeconds`);
  optional(o, 'elapsedSeconds', p, num);
  optional(o, 'status', p, (s, q) => (PROGRESS_STATUS.includes(s as string) ? s : fail(q, PROGRESS_STATUS.join(' | '), s)));
}

const CHECKS: Record<string, (o: Obj, path: string) => void> = {
  alignment: checkAlignment,
  plan: checkPlan,
  curves: checkCurves,
  boxes: checkBoxes,
  table: checkTable,
  progress: checkProgress,
};

/**
 * Checks that `value` is a version-1 display payload (an object, or a JSON string of one).
 * Returns the payload (parsed if it was a string) or the reason it is malformed.
 */
export function validateDisplayPayload(value: unknown): ValidationResult {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch (e) {
      return { ok: false, reason: `payload: expected a JSON object, got a string that is not JSON (${(e as Error).message})` };
    }
  }
  try {
    const o = obj(v, 'payload');
    if (typeof o.kind !== 'string' || !KINDS.includes(o.kind)) fail('payload.kind', KINDS.join(' | '), o.kind);
    if (o.version !== 1) fail(`${o.kind}.version`, '1 (this renderer reads schema version 1)', o.version);
    optional(o, 'title', o.kind, str);
    CHECKS[o.kind](o, o.kind);
    return { ok: true, payload: o as unknown as DisplayPayload };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, reason: e.message };
    throw e;
  }
}
