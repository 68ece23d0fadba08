/**
 * Inputs and parameters of the COCO-style box evaluation (see coco_map.ts for the algorithm).
 * Boxes are COCO [x, y, width, height] in pixels.
 */
export type BoxXYWH = readonly [number, number, number, number];

export interface CocoGtAnnotation {
  imageId: number;
  categoryId: number;
  bbox: BoxXYWH;
  /** Object area for the small/medium/large split. COCO uses the segmentation area; default w·h. */
  area?: number;
  /** A crowd region: never a false negative; detections matching it are ignored (not TP, not FP). */
  iscrowd?: boolean | 0 | 1;
}

export interface CocoGroundTruth {
  /** Every evaluated image, including images without annotations (detections there are false positives). */
  imageIds: readonly number[];
  /** Every category; one without annotations has undefined AP (−1, left out of the means). */
  categoryIds: readonly number[];
  annotations: readonly CocoGtAnnotation[];
}

export interface CocoDetection {
  imageId: number;
  categoryId: number;
  bbox: BoxXYWH;
  score: number;
}

export interface CocoParams {
  /** T IoU thresholds. Default .50:.05:.95 (numpy linspace values, 0.8999999999999999 included). */
  iouThrs: number[];
  /** R recall thresholds. Default 0:.01:1 (101 points). */
  recThrs: number[];
  /** M detection caps per image, ascending. Default [1, 10, 100]. */
  maxDets: number[];
  /** A area ranges [lo, hi] (inclusive). Default all, small, medium, large. */
  areaRng: [number, number][];
  areaRngLbl: string[];
}

/** numpy.linspace(start, stop, num): y[i] = i·((stop − start)/(num − 1)) + start, y[num−1] = stop. */
export function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  const y = Array.from({ length: num }, (_, i) => i * step + start);
  if (num > 1) y[num - 1] = stop;
  return y;
}

/** pycocotools' Params(iouType='bbox') defaults. */
export function defaultCocoParams(): CocoParams {
  return {
    iouThrs: linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1),
    recThrs: linspace(0, 1, Math.round(1 / 0.01) + 1),
    maxDets: [1, 10, 100],
    areaRng: [
      [0, 1e5 ** 2],
      [0, 32 ** 2],
      [32 ** 2, 96 ** 2],
      [96 ** 2, 1e5 ** 2],
    ],
    areaRngLbl: ['all', 'small', 'medium', 'large'],
  };
}
