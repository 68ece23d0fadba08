/**
 * The MIME bundle of a cell's last value (execute_result). Always `text/plain`; richer types from
 * registered formatters. Built in, in this order:
 *   1. a value with a `[Symbol.for('alignscope.mimeBundle')]()` method returns its own bundle;
 *   2. a tf.Tensor: dtype, shape, min/max/mean and a value preview;
 *   3. anything else: util.inspect.
 * Formatters registered with `registerValueFormatter` run before the built-ins, latest first: the
 * renderer adds the 2-D tensor heatmap that way. The registry lives on globalThis (Symbol.for).
 */
import { inspect } from 'node:util';
import type { MimeBundle } from './display_bridge';

/** Returns a bundle for values it knows, undefined otherwise. */
export type ValueFormatter = (value: unknown) => MimeBundle | undefined;

export const MIME_BUNDLE_METHOD = Symbol.for('alignscope.mimeBundle');
const REGISTRY = Symbol.for('alignscope.kernel.valueFormatters');

function registry(): ValueFormatter[] {
  const g = globalThis as unknown as Record<symbol, ValueFormatter[] | undefined>;
  return (g[REGISTRY] ??= []);
}

/** Adds a formatter tried before the others; returns a function that removes it. */
export function registerValueFormatter(formatter: ValueFormatter): () => void {
  registry().unshift(formatter);
  return () => {
    const list = registry();
    const i = list.indexOf(formatter);
    if (i >= 0) list.splice(i, 1);
  };
}

interface TensorLike {
  shape: number[];
  dtype: string;
  size: number;
  isDisposed: boolean;
  dataSync(): ArrayLike<number> | string[];
  toString(verbose?: boolean): string;
}

export function isTensorLike(value: unknown): value is TensorLike {
  if (value === null || typeof value !== 'object') return false;
  const t = value as Partial<TensorLike> & { rank?: unknown };
  return Array.isArray(t.shape) && typeof t.dtype === 'string' && typeof t.rank === 'number' && typeof t.dataSync === 'function';
}

function round(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}

/** "Tensor float32 [2, 3]" + statistics + TF.js's own value preview. */
export function tensorSummary(t: TensorLike): string {
  const head = `Tensor ${t.dtype} [${t.shape.join(', ')}]`;
  if (t.isDisposed) return `${head} (disposed)`;
  const lines = [`${head} · ${t.size} value${t.size === 1 ? '' : 's'}`];
  if (t.dtype !== 'string' && t.dtype !== 'complex64' && t.size > 0) {
    const data = t.dataSync() as ArrayLike<number>;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let nonFinite = 0;
    for (let i = 0; i < data.length; i++) {
      const v = Number(data[i]);
      if (!Number.isFinite(v)) {
        nonFinite++;
        continue;
      }
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    const finite = data.length - nonFinite;
    if (finite > 0) lines.push(`min ${round(min)} · max ${round(max)} · mean ${round(sum / finite)}${nonFinite ? ` · ${nonFinite} non-finite` : ''}`);
    else lines.push(`all ${nonFinite} values non-finite`);
  }
  // TF.js abbreviates large tensors with "..." itself.
  const preview = t
    .toString()
    .replace(/^Tensor\n?/, '')
    .split('\n')
    .map((line) => line.replace(/^ {4}/, ''))
    .join('\n')
    .trimEnd();
  if (preview) lines.push(preview);
  return lines.join('\n');
}

const builtins: ValueFormatter[] = [
  (value) => {
    const method = value !== null && typeof value === 'object' ? (value as Record<symbol, unknown>)[MIME_BUNDLE_METHOD] : undefined;
    return typeof method === 'function' ? (method.call(value) as MimeBundle) : undefined;
  },
  (value) => (isTensorLike(value) ? { 'text/plain': tensorSummary(value) } : undefined),
];

/** The bundle for `value`: the first formatter that answers, with text/plain filled in if missing. */
export function formatValue(value: unknown): MimeBundle {
  for (const formatter of [...registry(), ...builtins]) {
    let bundle: MimeBundle | undefined;
    try {
      bundle = formatter(value);
    } catch (e) {
      bundle = { 'text/plain': `${inspect(value, { depth: 2 })}\n(formatter failed: ${(e as Error)?.message ?? String(e)})` };
    }
    if (bundle && typeof bundle === 'object') {
      return 'text/plain' in bundle ? bundle : { ...bundle, 'text/plain': inspect(value, { depth: 2 }) };
    }
  }
  return { 'text/plain': inspect(value, { depth: 4, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 100 }) };
}
