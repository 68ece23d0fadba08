/**
 * Packed rows (stage 1, `stage1.examplesPerImage` > 1): several examples of the same scene share one
 * batch row, so the image is encoded once for all of them (LLaVA/Shikra-style multi-turn data, with
 * the turns kept independent):
 *
 *   row b = [image prefix] seg₀ seg₁ … ,   seg_j = the inputs of example j: [BOS] prompt [SEP] target (last id dropped)
 *
 * Each segment's positions count from 0 and its attention sees the prefix and its own earlier tokens
 * only (CausalLM.forward with a PackingLayout), so every segment is computed exactly as if it were
 * alone in a row — training matches single-example evaluation. Labels and weights follow
 * sequence_batch.ts per segment; padding (weight 0) continues the last segment.
 */
import type { WordTokenizer } from '../data/word_tokenizer';
import type { PackingLayout } from './causal_lm';
import { exampleSequence, type TokenRows } from './sequence_batch';
import type { SeqExample } from './task_templates';

export interface PackedRows extends TokenRows {
  packing: PackingLayout;
}

/** Row b holds the examples rows[b] in order (each row at least one example). */
export function packedExampleRows(rows: readonly (readonly SeqExample[])[], tok: WordTokenizer): PackedRows {
  if (rows.some((r) => r.length === 0)) throw new Error('packedExampleRows: every row needs at least one example.');
  const seqs = rows.map((r) => r.map((e) => exampleSequence(e, tok)));
  const B = rows.length;
  const T = Math.max(...seqs.map((r) => r.reduce((n, s) => n + s.ids.length - 1, 0)));
  const ids = new Int32Array(B * T);
  const labels = new Int32Array(B * T);
  const weights = new Float32Array(B * T);
  const positions = new Int32Array(B * T);
  const segments = new Int32Array(B * T);
  seqs.forEach((r, b) => {
    let t = b * T;
    r.forEach((s, j) => {
      for (let k = 0; k < s.ids.length - 1; k++, t++) {
        ids[t] = s.ids[k]!;
        labels[t] = s.ids[k + 1]!;
        const target = k + 1 - s.first;
        weights[t] = target >= 0 ? s.w[target]! : 0;
        positions[t] = k;
        segments[t] = j;
      }
    });
    segments.fill(r.length - 1, t, (b + 1) * T); // padding: after every real token, so none of them sees it (position 0)
  });
  return { batch: B, length: T, ids, labels, weights, packing: { positions, segments } };
}

/** Inputs of one example in a packed row: its length without the last id. */
export function packedLength(e: SeqExample): number {
  return e.prompt.length + 2 + e.target.length - 1; // [BOS] prompt [SEP] target, minus the last id
}
