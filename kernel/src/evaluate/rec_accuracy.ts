import { boxGIoU, boxIoU, type BoxXYXY } from './box_iou';

/**
 * Referring Expression Comprehension accuracy (Acc@0.5, as in RefCOCO papers, OFA, Shikra,
 * Kosmos-2): one row per expression; a row is correct when the overlap of its predicted box with the
 * ground-truth box reaches the threshold.
 *
 *   Acc@τ = (1 / N) Σ_rows [ overlap(pred_r, gt_r) ≥ τ ]     (or > τ with `strict`)
 *
 * N counts every row, including rows with no prediction (a parse failure: `predicted: null`), which
 * are misses. `overlap` is IoU (the standard) or GIoU (stricter for disjoint boxes; identical to IoU
 * as a criterion only when boxes overlap tightly). The common convention is IoU ≥ 0.5 (MDETR,
 * OFA); some code bases use > 0.5 — the switch makes the choice explicit and reportable.
 *
 * @example
 *   recAccuracy([{ id: 'e1', predicted: [0, 0, 10, 10], truth: [0, 0, 10, 20] }]);
 *   // IoU = 0.5 → correct with '>=' (default), wrong with strict: true
 */
export interface RecRow {
  id?: string | number;
  /** Predicted box, or null when the model's output could not be parsed into a box. */
  predicted: BoxXYXY | null;
  truth: BoxXYXY;
}

export interface RecOptions {
  /** Default 0.5. */
  threshold?: number;
  /** true: overlap > threshold; false (default): overlap >= threshold. */
  strict?: boolean;
  /** Default 'iou'. */
  measure?: 'iou' | 'giou';
}

export interface RecResult {
  accuracy: number;
  n: number;
  correct: number;
  parseFailures: number;
  /** Per row: its overlap (null on a parse failure) and whether it counts as correct. */
  rows: { id: string | number; overlap: number | null; correct: boolean }[];
  options: Required<RecOptions>;
}

export function recAccuracy(rows: readonly RecRow[], options: RecOptions = {}): RecResult {
  const opts: Required<RecOptions> = { threshold: 0.5, strict: false, measure: 'iou', ...options };
  const overlap = opts.measure === 'giou' ? boxGIoU : boxIoU;
  let correct = 0;
  let parseFailures = 0;
  const out = rows.map((r, i) => {
    const id = r.id ?? i;
    if (r.predicted === null) {
      parseFailures += 1;
      return { id, overlap: null, correct: false };
    }
    const o = overlap(r.predicted, r.truth);
    const ok = opts.strict ? o > opts.threshold : o >= opts.threshold;
    if (ok) correct += 1;
    return { id, overlap: o, correct: ok };
  });
  return { accuracy: rows.length ? correct / rows.length : NaN, n: rows.length, correct, parseFailures, rows: out, options: opts };
}
