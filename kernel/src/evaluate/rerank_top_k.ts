import { checkScores, recallFromRanks, type RetrievalResult, type ScoreMatrix } from './retrieval_recall';

/**
 * Re-ranking of a global retrieval shortlist by a second, costlier score (e.g. the OT plan-weighted
 * similarity of seed line (i), too slow for all N_images × N_texts pairs — the ALBEF/BLIP ITM pattern).
 *
 * For each query q (an image for 'i2t', a text for 't2i'):
 *   1. order all candidates by the global score S, descending (ties: lower index first);
 *   2. re-score the first k with `rescore(q, candidates)` and order those k by it (ties: global order);
 *   3. the remaining candidates follow in global order.
 * A ground truth outside the global top-k cannot be rescued: R@K for K > k mixes both scores, and
 * R@k of the re-ranked list equals R@k of the global list by construction.
 *
 * `rescore` gets all k candidates of one query at once (so it can batch one Sinkhorn call) and may
 * return a Promise. Ranks from the re-ranked lists are positions (no tie rule needed).
 *
 * @example
 *   const rankings = await rerankTopK(globalScores, { direction: 't2i', k: 16, rescore: (t, imgs) => otScores(t, imgs) });
 *   const r = recallFromRankings({ t2i: rankings }, textToImage);
 */
export interface RerankOptions {
  direction: 'i2t' | 't2i';
  /** Shortlist size (>= 1). */
  k: number;
  rescore: (query: number, candidates: number[]) => number[] | Promise<number[]>;
}

/** Candidate indices per query, best first. */
export type Rankings = number[][];

function globalOrder(scores: ScoreMatrix, direction: 'i2t' | 't2i', q: number): number[] {
  const n = direction === 'i2t' ? scores[0]?.length ?? 0 : scores.length;
  const s = (c: number): number => (direction === 'i2t' ? scores[q][c] : scores[c][q]);
  return Array.from({ length: n }, (_, c) => c).sort((a, b) => s(b) - s(a) || a - b);
}

export async function rerankTopK(scores: ScoreMatrix, options: RerankOptions): Promise<Rankings> {
  const { direction, k, rescore } = options;
  if (!Number.isInteger(k) || k < 1) throw new Error(`rerankTopK: option 'k' must be a positive integer, got ${k}.`);
  const nQueries = direction === 'i2t' ? scores.length : scores[0]?.length ?? 0;
  const rankings: Rankings = [];
  for (let q = 0; q < nQueries; q++) {
    const order = globalOrder(scores, direction, q);
    const top = order.slice(0, k);
    const fresh = await rescore(q, top);
    if (fresh.length !== top.length) throw new Error(`rerankTopK: rescore returned ${fresh.length} scores for ${top.length} candidates (query ${q}).`);
    const reordered = top.map((c, r) => ({ c, r, s: fresh[r] })).sort((a, b) => b.s - a.s || a.r - b.r).map((x) => x.c);
    rankings.push([...reordered, ...order.slice(k)]);
  }
  return rankings;
}

/**
 * R@K from ranked candidate lists (0-based rank = position of the first ground truth).
 * `textToImage[j]` is the image of text j; a missing direction yields empty ranks (NaN recalls).
 */
export function recallFromRankings(
  rankings: { i2t?: Rankings; t2i?: Rankings },
  textToImage: readonly number[],
  ks: readonly number[] = [1, 5, 10],
): RetrievalResult {
  const i2tRanks = (rankings.i2t ?? []).map((list, i) => {
    const pos = list.findIndex((j) => textToImage[j] === i);
    return pos < 0 ? NaN : pos;
  });
  const t2iRanks = (rankings.t2i ?? []).map((list, j) => {
    const pos = list.indexOf(textToImage[j]);
    if (pos < 0) throw new Error(`recallFromRankings: the ranking of text ${j} does not contain its image ${textToImage[j]}.`);
    return pos;
  });
  return recallFromRanks(i2tRanks, t2iRanks, ks);
}

/** Convenience: re-rank both directions and compute R@K. */
export async function rerankedRetrievalRecall(
  scores: ScoreMatrix,
  textToImage: readonly number[],
  o: { k: number; rescore: (image: number, text: number) => number | Promise<number>; ks?: readonly number[] },
): Promise<RetrievalResult> {
  checkScores(scores, textToImage, 'rerankedRetrievalRecall');
  const i2t = await rerankTopK(scores, { direction: 'i2t', k: o.k, rescore: (i, ts) => Promise.all(ts.map((t) => o.rescore(i, t))) });
  const t2i = await rerankTopK(scores, { direction: 't2i', k: o.k, rescore: (t, is) => Promise.all(is.map((i) => o.rescore(i, t))) });
  return recallFromRankings({ i2t, t2i }, textToImage, o.ks);
}
