import { accumulate } from './coco_accumulate';
import { evaluateImage, type DtItem, type GtItem, type ImageEval } from './coco_match';
import { defaultCocoParams, type CocoDetection, type CocoGroundTruth, type CocoParams } from './coco_params';

/**
 * COCO-style bounding-box mAP, faithful to pycocotools' COCOeval (iouType 'bbox', useCats 1): the
 * same matching (coco_match.ts), accumulation (coco_accumulate.ts) and the 12 summary numbers:
 *
 *   AP      AP@[.50:.05:.95] area all, maxDets 100      AR1     AR@[.50:.95] all, maxDets 1
 *   AP50    AP@.50                                       AR10    maxDets 10
 *   AP75    AP@.75                                       AR100   maxDets 100
 *   APs/m/l AP small (< 32²) / medium / large (> 96²)    ARs/m/l AR per area range, maxDets 100
 *
 * AP of a (threshold, category, area) = mean of the 101-point interpolated precision; a summary is
 * the mean over every entry > −1 (categories without non-ignored gt are −1 and left out); −1 when
 * nothing is defined. No JS port of pycocotools exists; this one was written from its source
 * (cocoapi PythonAPI/pycocotools/cocoeval.py, common/maskApi.c bbIou) and tested on hand-computed
 * cases. Known, deliberate differences: matching bookkeeping uses internal indices (pycocotools
 * treats an annotation id 0 as "unmatched"); means are summed left to right (numpy uses pairwise
 * summation: results can differ in the last bits, ~1e−16).
 *
 * Bad input: a detection on an image not in `imageIds` throws (pycocotools asserts); detections of a
 * category not in `categoryIds` are dropped and counted.
 *
 * @example
 *   const r = cocoMAP({ imageIds: [1], categoryIds: [1], annotations: [{ imageId: 1, categoryId: 1, bbox: [0, 0, 10, 10] }] },
 *                     [{ imageId: 1, categoryId: 1, bbox: [0, 0, 10, 10], score: 0.9 }]);
 *   r.AP; // 1
 */
export const COCO_STAT_NAMES = ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AR1', 'AR10', 'AR100', 'ARs', 'ARm', 'ARl'] as const;
export type CocoStatName = (typeof COCO_STAT_NAMES)[number];

export type CocoMAPResult = Record<CocoStatName, number> & {
  /** The 12 numbers in pycocotools' `stats` order. */
  stats: number[];
  /** AP@[.50:.95] per category id (all areas, maxDets 100), −1 when undefined. */
  perCategoryAP: Record<number, number>;
  /** [T, R, K, A, M] flat row-major, and recall [T, K, A, M]. */
  precision: Float64Array;
  recall: Float64Array;
  shape: [number, number, number, number, number];
  params: CocoParams;
  nDroppedDetections: number;
};

function summarise(
  precision: Float64Array,
  recall: Float64Array,
  shape: [number, number, number, number, number],
  params: CocoParams,
  o: { ap: boolean; iouThr?: number; area?: string; maxDets?: number; category?: number },
): number {
  const [T, R, K, A, M] = shape;
  const ts = o.iouThr === undefined ? [...Array(T).keys()] : [...Array(T).keys()].filter((t) => params.iouThrs[t] === o.iouThr);
  const a = params.areaRngLbl.indexOf(o.area ?? 'all');
  const m = params.maxDets.indexOf(o.maxDets ?? 100);
  if (a < 0 || m < 0) return -1;
  const ks = o.category === undefined ? [...Array(K).keys()] : [o.category];
  let sum = 0;
  let n = 0;
  for (const t of ts) {
    for (const k of ks) {
      if (o.ap) {
        for (let r = 0; r < R; r++) {
          const v = precision[(((t * R + r) * K + k) * A + a) * M + m];
          if (v > -1) (sum += v), n++;
        }
      } else {
        const v = recall[((t * K + k) * A + a) * M + m];
        if (v > -1) (sum += v), n++;
      }
    }
  }
  return n ? sum / n : -1;
}

export function cocoMAP(gt: CocoGroundTruth, detections: readonly CocoDetection[], paramsIn?: Partial<CocoParams>): CocoMAPResult {
  const params: CocoParams = { ...defaultCocoParams(), ...paramsIn };
  params.maxDets = params.maxDets.slice().sort((x, y) => x - y);
  const imageIds = [...new Set(gt.imageIds)].sort((x, y) => x - y);
  const catIds = [...new Set(gt.categoryIds)].sort((x, y) => x - y);
  const imageSet = new Set(imageIds);
  const catSet = new Set(catIds);
  const key = (img: number, cat: number): string => `${img}|${cat}`;
  const gts = new Map<string, GtItem[]>();
  const dts = new Map<string, DtItem[]>();
  gt.annotations.forEach((ann, i) => {
    if (!imageSet.has(ann.imageId)) throw new Error(`cocoMAP: annotation ${i} is on image ${ann.imageId}, which is not in gt.imageIds.`);
    if (!catSet.has(ann.categoryId)) throw new Error(`cocoMAP: annotation ${i} has category ${ann.categoryId}, which is not in gt.categoryIds.`);
    if (!(ann.bbox[2] >= 0 && ann.bbox[3] >= 0)) throw new Error(`cocoMAP: annotation ${i} has a negative width or height: bbox [${ann.bbox}].`);
    const k = key(ann.imageId, ann.categoryId);
    const list = gts.get(k) ?? [];
    list.push({ bbox: ann.bbox, area: ann.area ?? ann.bbox[2] * ann.bbox[3], iscrowd: Boolean(ann.iscrowd) });
    gts.set(k, list);
  });
  let nDroppedDetections = 0;
  detections.forEach((d, i) => {
    if (!imageSet.has(d.imageId)) throw new Error(`cocoMAP: detection ${i} is on image ${d.imageId}, which is not in gt.imageIds (pycocotools: "Results do not correspond to current coco set").`);
    if (!Number.isFinite(d.score)) throw new Error(`cocoMAP: detection ${i} has score ${d.score}; expected a finite number.`);
    if (!catSet.has(d.categoryId)) {
      nDroppedDetections++;
      return;
    }
    const k = key(d.imageId, d.categoryId);
    const list = dts.get(k) ?? [];
    list.push({ bbox: d.bbox, score: d.score });
    dts.set(k, list);
  });

  const maxDet = params.maxDets[params.maxDets.length - 1];
  const evals: (ImageEval | null)[][][] = catIds.map((cat) =>
    params.areaRng.map((rng) => imageIds.map((img) => evaluateImage(gts.get(key(img, cat)) ?? [], dts.get(key(img, cat)) ?? [], rng, maxDet, params))),
  );
  const { precision, recall, shape } = accumulate(evals, params);
  const s = (o: Parameters<typeof summarise>[4]): number => summarise(precision, recall, shape, params, o);
  const md = params.maxDets;
  const stats = [
    s({ ap: true }),
    s({ ap: true, iouThr: 0.5, maxDets: md[2] }),
    s({ ap: true, iouThr: 0.75, maxDets: md[2] }),
    s({ ap: true, area: 'small', maxDets: md[2] }),
    s({ ap: true, area: 'medium', maxDets: md[2] }),
    s({ ap: true, area: 'large', maxDets: md[2] }),
    s({ ap: false, maxDets: md[0] }),
    s({ ap: false, maxDets: md[1] }),
    s({ ap: false, maxDets: md[2] }),
    s({ ap: false, area: 'small', maxDets: md[2] }),
    s({ ap: false, area: 'medium', maxDets: md[2] }),
    s({ ap: false, area: 'large', maxDets: md[2] }),
  ];
  const perCategoryAP: Record<number, number> = {};
  catIds.forEach((c, k) => (perCategoryAP[c] = s({ ap: true, category: k })));
  const named = Object.fromEntries(COCO_STAT_NAMES.map((n, i) => [n, stats[i]])) as Record<CocoStatName, number>;
  return { ...named, stats, perCategoryAP, precision, recall, shape, params, nDroppedDetections };
}
