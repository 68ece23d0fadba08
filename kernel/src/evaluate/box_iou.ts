/**
 * Box overlap measures, on boxes in corner form [x1, y1, x2, y2] (x1 <= x2, y1 <= y2, continuous
 * coordinates: a box covers [x1, x2] × [y1, y2], area (x2 − x1)(y2 − y1), no "+1" pixel convention).
 *
 *   IoU(A, B)  = |A ∩ B| / |A ∪ B|                                    ∈ [0, 1]
 *   GIoU(A, B) = IoU − |C \ (A ∪ B)| / |C|, C the smallest box enclosing A and B   ∈ (−1, 1]
 *                (Rezatofighi et al., CVPR 2019)
 *
 * Degenerate cases: two zero-area boxes have IoU 1 if identical, else 0 (no 0/0); GIoU uses the
 * same rule when |C| = 0.
 *
 * @example
 *   boxIoU([0, 0, 2, 2], [1, 1, 3, 3]);   // 1/7
 *   boxGIoU([0, 0, 1, 1], [2, 0, 3, 1]);  // 0 − 1/3
 */
export type BoxXYXY = readonly [number, number, number, number];

/** Area of a corner-form box (0 when inverted). */
export function boxArea(b: BoxXYXY): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

/** |A ∩ B|. */
export function intersectionArea(a: BoxXYXY, b: BoxXYXY): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

const same = (a: BoxXYXY, b: BoxXYXY): boolean => a.every((v, i) => v === b[i]);

export function boxIoU(a: BoxXYXY, b: BoxXYXY): number {
  const inter = intersectionArea(a, b);
  const union = boxArea(a) + boxArea(b) - inter;
  if (union <= 0) return same(a, b) ? 1 : 0;
  return inter / union;
}

export function boxGIoU(a: BoxXYXY, b: BoxXYXY): number {
  const inter = intersectionArea(a, b);
  const union = boxArea(a) + boxArea(b) - inter;
  const hull = boxArea([Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])]);
  if (hull <= 0) return same(a, b) ? 1 : 0;
  const iou = union > 0 ? inter / union : 0;
  return iou - (hull - union) / hull;
}

/** Converts COCO [x, y, w, h] to corner form. */
export function xywhToXyxy(b: readonly [number, number, number, number]): BoxXYXY {
  return [b[0], b[1], b[0] + b[2], b[1] + b[3]];
}

/** Converts corner form to COCO [x, y, w, h]. */
export function xyxyToXywh(b: BoxXYXY): [number, number, number, number] {
  return [b[0], b[1], b[2] - b[0], b[3] - b[1]];
}
