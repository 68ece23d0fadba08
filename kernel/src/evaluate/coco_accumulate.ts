import type { ImageEval } from './coco_match';
import type { CocoParams } from './coco_params';

/** np.spacing(1): the gap between 1 and the next double. */
const EPS = 2.220446049250313e-16;

/**
 * pycocotools' COCOeval.accumulate: precision [T, R, K, A, M] and recall [T, K, A, M] (flat,
 * row-major), −1 where a (category, area range) has no non-ignored gt (or no image evaluated).
 *
 * For one (k, a, m): concatenate every image's first maxDet detections, sort by score descending
 * (stable), then per threshold t:
 *   tp = cumsum(matched ∧ ¬ignored), fp = cumsum(¬matched ∧ ¬ignored)
 *   rc = tp / npig (npig = non-ignored gts),  pr = tp / (tp + fp + ε)
 *   recall = rc[last] (0 with no detections)
 *   pr made non-increasing from the right (interpolated precision)
 *   precision[r] = pr[first i with rc[i] >= recThrs[r]], 0 when no such i (101-point interpolation)
 *
 * `evals[k][a][i]` is evaluateImage for category k, area range a, image i (null when empty).
 */
export function accumulate(
  evals: readonly (readonly (readonly (ImageEval | null)[])[])[],
  params: CocoParams,
): { precision: Float64Array; recall: Float64Array; shape: [number, number, number, number, number] } {
  const T = params.iouThrs.length;
  const R = params.recThrs.length;
  const K = evals.length;
  const A = params.areaRng.length;
  const M = params.maxDets.length;
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const pIdx = (t: number, r: number, k: number, a: number, m: number): number => (((t * R + r) * K + k) * A + a) * M + m;
  const rIdx = (t: number, k: number, a: number, m: number): number => ((t * K + k) * A + a) * M + m;

  for (let k = 0; k < K; k++) {
    for (let a = 0; a < A; a++) {
      const E = evals[k][a].filter((e): e is ImageEval => e !== null);
      if (E.length === 0) continue;
      let npig = 0;
      for (const e of E) for (const g of e.gtIgnore) if (g === 0) npig++;
      for (let m = 0; m < M; m++) {
        if (npig === 0) continue;
        const maxDet = params.maxDets[m];
        // Concatenated detections: (image, position) in image order, then stable sort by score.
        const scores: number[] = [];
        const refs: [number, number][] = [];
        E.forEach((e, ei) => {
          const n = Math.min(maxDet, e.dtScores.length);
          for (let d = 0; d < n; d++) (scores.push(e.dtScores[d]), refs.push([ei, d]));
        });
        const order = Array.from({ length: scores.length }, (_, i) => i).sort((x, y) => scores[y] - scores[x] || x - y);
        const nd = order.length;
        for (let t = 0; t < T; t++) {
          const rc = new Float64Array(nd);
          const pr = new Array<number>(nd);
          let tp = 0;
          let fp = 0;
          order.forEach((o, i) => {
            const [ei, d] = refs[o];
            const ignored = E[ei].dtIgnore[t][d] === 1;
            const matched = E[ei].dtMatched[t][d] === 1;
            if (matched && !ignored) tp++;
            if (!matched && !ignored) fp++;
            rc[i] = tp / npig;
            pr[i] = tp / (fp + tp + EPS);
          });
          recall[rIdx(t, k, a, m)] = nd ? rc[nd - 1] : 0;
          for (let i = nd - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
          // searchsorted(rc, recThrs, 'left'): first i with rc[i] >= thr (rc is non-decreasing).
          let i = 0;
          for (let r = 0; r < R; r++) {
            while (i < nd && rc[i] < params.recThrs[r]) i++;
            if (i >= nd) break; // pycocotools: the remaining precisions stay 0
            precision[pIdx(t, r, k, a, m)] = pr[i];
          }
          for (let r = 0; r < R; r++) if (precision[pIdx(t, r, k, a, m)] === -1) precision[pIdx(t, r, k, a, m)] = 0;
        }
      }
    }
  }
  return { precision, recall, shape: [T, R, K, A, M] };
}
