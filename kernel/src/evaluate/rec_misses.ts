import { boxGIoU, boxIoU, type BoxXYXY } from './box_iou';
import type { RecOptions } from './rec_accuracy';

/**
 * Why REC answers miss: each expression the model got wrong (under the same criterion as recAccuracy)
 * is put in one of three bins,
 *
 *   wrongObject  the predicted box would be correct for another object of the image (overlap ≥ τ with
 *                one of `others`): the model localises objects but picks the wrong referent
 *   imprecise    a box that meets the criterion for no object: localisation itself failed
 *   parseFailure no box could be parsed
 *
 * so a report can say whether a model needs better grounding of the words or better boxes.
 *
 * @example
 *   recMisses([{ predicted: [0, 0, 10, 10], truth: [20, 20, 30, 30], others: [[0, 0, 10, 11]] }]);
 *   // { n: 1, misses: 1, wrongObject: 1, imprecise: 0, parseFailure: 0 }
 */
export interface RecMissRow {
  predicted: BoxXYXY | null;
  truth: BoxXYXY;
  /** The boxes of the image's other objects. */
  others: readonly BoxXYXY[];
}

export interface RecMisses {
  n: number;
  misses: number;
  wrongObject: number;
  imprecise: number;
  parseFailure: number;
}

/** Whether a predicted box `a` counts as a hit on box `b` under REC's criterion (recAccuracy's options). */
export function recCriterion(options: RecOptions = {}): (a: BoxXYXY, b: BoxXYXY) => boolean {
  const { threshold = 0.5, strict = false, measure = 'iou' } = options;
  const overlap = measure === 'giou' ? boxGIoU : boxIoU;
  return (a, b) => (strict ? overlap(a, b) > threshold : overlap(a, b) >= threshold);
}

export function recMisses(rows: readonly RecMissRow[], options: RecOptions = {}): RecMisses {
  const meets = recCriterion(options);
  const out: RecMisses = { n: rows.length, misses: 0, wrongObject: 0, imprecise: 0, parseFailure: 0 };
  for (const r of rows) {
    if (r.predicted && meets(r.predicted, r.truth)) continue;
    out.misses += 1;
    if (!r.predicted) out.parseFailure += 1;
    else if (r.others.some((o) => meets(r.predicted!, o))) out.wrongObject += 1;
    else out.imprecise += 1;
  }
  return out;
}
