import type { BoxXYXY } from './box_iou';
import { checkGrid, patchCentreInBox, type PatchGrid } from './patch_grid';

/**
 * Word grounding against ground-truth boxes: for one content word of a caption, its column over the
 * image patches — a transport-plan column P[:, t] (OT) or a similarity column S[:, t] (global, FILIP)
 * — and the box of the object the word refers to.
 *
 *   pointing hit@1 = [ centre(argmax_i col_i) ∈ box ]                      (pointing game, Zhang et al. 2016)
 *   mass-in-box    = Σ_{i : centre(i) ∈ box} col_i / Σ_i col_i             (needs col_i >= 0)
 *
 * Rule chosen: a patch belongs to the box when its CENTRE lies inside the box (boundary included) —
 * the same rule for both metrics, independent of how much of the patch the box covers. Argmax ties
 * go to the lowest patch index. Mass-in-box is undefined (NaN, skipped in means) for an all-zero
 * column; negative entries are a programmer error (pass softmax(similarities) for similarity columns).
 * Random pointing scores the box's share of patch centres; report that baseline beside the metric.
 *
 * @example
 *   const grid = { imageWidth: 64, imageHeight: 64, rows: 8, cols: 8 };
 *   pointingHit(planColumn, [0, 0, 16, 16], grid);   // true if the heaviest patch is in the top-left 2×2
 */
export function argmax(column: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < column.length; i++) if (column[i] > column[best]) best = i;
  return best;
}

export function pointingHit(column: ArrayLike<number>, box: BoxXYXY, grid: PatchGrid): boolean {
  checkGrid(grid, column.length, 'pointingHit');
  return patchCentreInBox(grid, argmax(column), box);
}

export function massInBox(column: ArrayLike<number>, box: BoxXYXY, grid: PatchGrid): number {
  checkGrid(grid, column.length, 'massInBox');
  let inside = 0;
  let total = 0;
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (!(v >= 0)) throw new Error(`massInBox: column entry ${i} is ${v}; mass must be non-negative (softmax a similarity column first).`);
    total += v;
    if (patchCentreInBox(grid, i, box)) inside += v;
  }
  return total > 0 ? inside / total : NaN;
}

/** Share of patch centres inside the box: the expected hit@1 of uniformly random pointing. */
export function randomPointingBaseline(box: BoxXYXY, grid: PatchGrid): number {
  let inside = 0;
  for (let i = 0; i < grid.rows * grid.cols; i++) if (patchCentreInBox(grid, i, box)) inside++;
  return inside / (grid.rows * grid.cols);
}

export interface GroundingItem {
  /** The word's column over patches, length rows·cols. */
  column: ArrayLike<number>;
  /** Ground-truth box of the word's object, pixels, corner form. */
  box: BoxXYXY;
  /** The word (for the per-word breakdown), e.g. 'red'. */
  word?: string;
  /** Word category, e.g. 'colour' | 'shape' | 'size'. */
  category?: string;
}

export interface GroundingSummary {
  hitAt1: number;
  massInBox: number;
  randomBaseline: number;
  n: number;
  /** Items whose mass-in-box was undefined (all-zero column). */
  nMassUndefined: number;
}

export interface GroundingResult extends GroundingSummary {
  rows: { hit: boolean; massInBox: number; baseline: number; word?: string; category?: string }[];
  byCategory: Record<string, GroundingSummary>;
}

function summarise(rows: GroundingResult['rows']): GroundingSummary {
  const masses = rows.map((r) => r.massInBox).filter((m) => !Number.isNaN(m));
  const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  return {
    hitAt1: mean(rows.map((r) => (r.hit ? 1 : 0))),
    massInBox: mean(masses),
    randomBaseline: mean(rows.map((r) => r.baseline)),
    n: rows.length,
    nMassUndefined: rows.length - masses.length,
  };
}

/** Pointing hit@1 and mass-in-box over many (word, box) items, overall and per category. */
export function groundingScores(items: readonly GroundingItem[], grid: PatchGrid): GroundingResult {
  const rows = items.map((it) => ({
    hit: pointingHit(it.column, it.box, grid),
    massInBox: massInBox(it.column, it.box, grid),
    baseline: randomPointingBaseline(it.box, grid),
    word: it.word,
    category: it.category,
  }));
  const byCategory: Record<string, GroundingSummary> = {};
  for (const cat of new Set(rows.map((r) => r.category).filter((c): c is string => c !== undefined))) {
    byCategory[cat] = summarise(rows.filter((r) => r.category === cat));
  }
  return { ...summarise(rows), rows, byCategory };
}
