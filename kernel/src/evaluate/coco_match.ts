import type { BoxXYWH, CocoParams } from './coco_params';

/**
 * Per-image, per-category greedy matching of pycocotools' COCOeval.evaluateImg (bbox), reimplemented
 * from its documented algorithm:
 *
 * 1. gt ignore flag: _ignore = iscrowd OR area < lo OR area > hi (area range [lo, hi]).
 *    pycocotools sets ignore := iscrowd (an explicit 'ignore' field is overwritten), so do we.
 * 2. gts sorted with non-ignored first (stable); dts sorted by score descending (stable), first maxDet kept.
 * 3. IoU as maskApi.c bbIou: on [x, y, w, h], intersection from min(x + w) − max(x); union
 *    = area_d + area_g − inter, except for a crowd gt where the union is the DETECTION's area
 *    (inter / area_d: "how much of the detection lies in the crowd").
 * 4. For each threshold t and each dt in score order: best = min(t, 1 − 1e−10); scan gts in order,
 *    skip a gt already matched unless crowd; stop at the first ignored gt once a non-ignored gt is
 *    matched; take the gt if IoU >= best (best := IoU). A matched dt inherits the gt's ignore flag.
 * 5. An unmatched dt whose area (w·h) is outside the range is ignored.
 */
export interface GtItem {
  bbox: BoxXYWH;
  area: number;
  iscrowd: boolean;
}

export interface DtItem {
  bbox: BoxXYWH;
  score: number;
}

export interface ImageEval {
  /** Scores of the kept detections, descending. */
  dtScores: number[];
  /** [T][D]: matched (non-zero) or not. */
  dtMatched: Uint8Array[];
  /** [T][D]: ignored. */
  dtIgnore: Uint8Array[];
  /** [G] (after the ignore-last sort). */
  gtIgnore: Uint8Array;
}

/** maskApi.c bbIou: [D][G]. */
export function cocoBoxIoU(dts: readonly BoxXYWH[], gts: readonly BoxXYWH[], iscrowd: readonly boolean[]): number[][] {
  return dts.map((D) => {
    const da = D[2] * D[3];
    return gts.map((G, g) => {
      const ga = G[2] * G[3];
      const w = Math.min(D[2] + D[0], G[2] + G[0]) - Math.max(D[0], G[0]);
      if (w <= 0) return 0;
      const h = Math.min(D[3] + D[1], G[3] + G[1]) - Math.max(D[1], G[1]);
      if (h <= 0) return 0;
      const i = w * h;
      return i / (iscrowd[g] ? da : da + ga - i);
    });
  });
}

/** Stable sort of indices by a key. */
function stableOrder(n: number, key: (i: number) => number): number[] {
  return Array.from({ length: n }, (_, i) => i).sort((a, b) => key(a) - key(b) || a - b);
}

export function evaluateImage(
  gtIn: readonly GtItem[],
  dtIn: readonly DtItem[],
  areaRng: readonly [number, number],
  maxDet: number,
  params: Pick<CocoParams, 'iouThrs'>,
): ImageEval | null {
  if (gtIn.length === 0 && dtIn.length === 0) return null;
  const [lo, hi] = areaRng;
  const ignoreOf = (g: GtItem): number => (g.iscrowd || g.area < lo || g.area > hi ? 1 : 0);
  const gtOrder = stableOrder(gtIn.length, (i) => ignoreOf(gtIn[i]));
  const gt = gtOrder.map((i) => gtIn[i]);
  const dt = stableOrder(dtIn.length, (i) => -dtIn[i].score)
    .slice(0, maxDet)
    .map((i) => dtIn[i]);
  const gtIg = Uint8Array.from(gt.map(ignoreOf));
  const crowd = gt.map((g) => g.iscrowd);
  const ious = cocoBoxIoU(dt.map((d) => d.bbox), gt.map((g) => g.bbox), crowd); // [D][G]
  const T = params.iouThrs.length;
  const G = gt.length;
  const D = dt.length;
  const dtMatched: Uint8Array[] = [];
  const dtIgnore: Uint8Array[] = [];
  for (let t = 0; t < T; t++) {
    const gtm = new Uint8Array(G);
    const dtm = new Uint8Array(D);
    const dtIg = new Uint8Array(D);
    if (G > 0 && D > 0) {
      for (let d = 0; d < D; d++) {
        let best = Math.min(params.iouThrs[t], 1 - 1e-10);
        let m = -1;
        for (let g = 0; g < G; g++) {
          if (gtm[g] && !crowd[g]) continue;
          if (m > -1 && gtIg[m] === 0 && gtIg[g] === 1) break;
          if (ious[d][g] < best) continue;
          best = ious[d][g];
          m = g;
        }
        if (m === -1) continue;
        dtIg[d] = gtIg[m];
        dtm[d] = 1;
        gtm[m] = 1;
      }
    }
    for (let d = 0; d < D; d++) {
      const area = dt[d].bbox[2] * dt[d].bbox[3];
      if (!dtm[d] && (area < lo || area > hi)) dtIg[d] = 1;
    }
    dtMatched.push(dtm);
    dtIgnore.push(dtIg);
  }
  return { dtScores: dt.map((d) => d.score), dtMatched, dtIgnore, gtIgnore: gtIg };
}
