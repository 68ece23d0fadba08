/**
 * A 2-D tf.Tensor shown as a heatmap when it is a cell's last value. The kernel registers it as a
 * value formatter (jupyter/format_value.ts):
 *
 *   registerValueFormatter(show.tensorHeatmapBundle);
 *
 * Returns undefined (→ the kernel's plain tensor summary) for anything that is not a live numeric
 * rank-2 tensor, or one too big to ship to the notebook (more than MAX_CELLS values).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { DisplayBundle } from './display_schema';
import { fmt } from './format_text';
import { buildPlanBundle } from './plan';
import { isTensor } from './to_plain';

/** 512 × 512: beyond that a heatmap is unreadable and the output heavy. */
export const MAX_CELLS = 512 * 512;

export function tensorHeatmapBundle(value: unknown): DisplayBundle | undefined {
  if (!isTensor(value)) return undefined;
  const t = value as tf.Tensor;
  if (t.isDisposed || t.rank !== 2 || t.size === 0 || t.size > MAX_CELLS) return undefined;
  if (t.dtype !== 'float32' && t.dtype !== 'int32' && t.dtype !== 'bool') return undefined;
  const [rows, cols] = t.shape as [number, number];
  const title = `Tensor ${t.dtype} [${rows}, ${cols}]`;
  const bundle = buildPlanBundle(t, { title, rowTitle: 'row', colTitle: 'column' });
  const values = bundle['application/vnd.alignscope.v1+json'];
  const flat = (values.kind === 'plan' ? values.matrix.flat() : []).filter((v): v is number => v !== null);
  const mean = flat.reduce((a, b) => a + b, 0) / Math.max(1, flat.length);
  const stats = flat.length ? `min ${fmt(Math.min(...flat))} · max ${fmt(Math.max(...flat))} · mean ${fmt(mean)}` : 'no finite values';
  // text/plain keeps the tensor look (the builder's "plan …" heading would be misleading here).
  const preview = bundle['text/plain'].split('\n').slice(1).join('\n');
  return { ...bundle, 'text/plain': `${title} · ${stats}\n${preview}` };
}
