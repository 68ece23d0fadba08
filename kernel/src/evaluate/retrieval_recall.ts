/**
 * Cross-modal retrieval recall R@K (Flickr30k / COCO 5k protocol, as in CLIP, ALIGN, FILIP).
 *
 * Input: a score matrix S [N_images][N_texts] (higher = more similar) and, for every text j, the
 * index of its ground-truth image g(j) (several texts may share an image: 5 captions per image).
 *
 *   text→image, query j:  rank_j = #{ i ≠ g(j) : S[i][j] >= S[g(j)][j] }
 *   image→text, query i:  best_i = max_{j : g(j) = i} S[i][j]
 *                         rank_i = #{ j : g(j) ≠ i, S[i][j] >= best_i }
 *   R@K = share of queries with rank < K   (rank 0 = the ground truth is first)
 *
 * Image→text is a hit when ANY of the image's captions is within the top K (the standard protocol).
 * Ties count against the query (pessimistic): a constant score matrix gets R@1 = 0, never a lucky
 * 1/N, so a collapsed model cannot score by tie-breaking. Images with no caption are not i2t queries
 * (`nImageQueries` says how many were). Also reported: median and mean rank (1-based, as in papers),
 * and RSUM = Σ_K (R@K i2t + R@K t2i) over the requested K.
 *
 * @example
 *   const r = retrievalRecall([[0.9, 0.1], [0.2, 0.8]], [0, 1]);
 *   r.i2t[1]; // 1
 */
export type ScoreMatrix = readonly ArrayLike<number>[];

export interface RetrievalResult {
  /** R@K image→text, keyed by K. */
  i2t: Record<number, number>;
  /** R@K text→image, keyed by K. */
  t2i: Record<number, number>;
  /** 0-based rank of each query (i2t: NaN for images without captions). */
  i2tRanks: number[];
  t2iRanks: number[];
  /** Median / mean of 1-based ranks. */
  i2tMedianRank: number;
  t2iMedianRank: number;
  i2tMeanRank: number;
  t2iMeanRank: number;
  rsum: number;
  nImageQueries: number;
  nTextQueries: number;
}

/** Checks the matrix shape and the pairing; returns [N_images, N_texts]. */
export function checkScores(scores: ScoreMatrix, textToImage: readonly number[], what: string): [number, number] {
  const nI = scores.length;
  const nT = textToImage.length;
  scores.forEach((row, i) => {
    if (row.length !== nT) throw new Error(`${what}: scores row ${i} has ${row.length} columns, expected N_texts = ${nT} (textToImage.length).`);
  });
  textToImage.forEach((g, j) => {
    if (!Number.isInteger(g) || g < 0 || g >= nI) throw new Error(`${what}: textToImage[${j}] = ${g} is not an image index in [0, ${nI}).`);
  });
  return [nI, nT];
}

const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = xs.slice().sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** R@K and rank statistics from 0-based ranks (NaN ranks are skipped). */
export function recallFromRanks(i2tRanks: number[], t2iRanks: number[], ks: readonly number[]): RetrievalResult {
  const i2tValid = i2tRanks.filter((r) => !Number.isNaN(r));
  const recall = (ranks: number[], k: number): number => (ranks.length ? ranks.filter((r) => r < k).length / ranks.length : NaN);
  const i2t: Record<number, number> = {};
  const t2i: Record<number, number> = {};
  let rsum = 0;
  for (const k of ks) {
    i2t[k] = recall(i2tValid, k);
    t2i[k] = recall(t2iRanks, k);
    rsum += i2t[k] + t2i[k];
  }
  return {
    i2t,
    t2i,
    i2tRanks,
    t2iRanks,
    i2tMedianRank: median(i2tValid.map((r) => r + 1)),
    t2iMedianRank: median(t2iRanks.map((r) => r + 1)),
    i2tMeanRank: mean(i2tValid.map((r) => r + 1)),
    t2iMeanRank: mean(t2iRanks.map((r) => r + 1)),
    rsum,
    nImageQueries: i2tValid.length,
    nTextQueries: t2iRanks.length,
  };
}

export function retrievalRecall(scores: ScoreMatrix, textToImage: readonly number[], ks: readonly number[] = [1, 5, 10]): RetrievalResult {
  const [nI, nT] = checkScores(scores, textToImage, 'retrievalRecall');
  const t2iRanks = textToImage.map((g, j) => {
    const target = scores[g][j];
    let rank = 0;
    for (let i = 0; i < nI; i++) if (i !== g && scores[i][j] >= target) rank++;
    return rank;
  });
  const i2tRanks = scores.map((row, i) => {
    let best = -Infinity;
    let any = false;
    for (let j = 0; j < nT; j++) if (textToImage[j] === i) ((any = true), (best = Math.max(best, row[j])));
    if (!any) return NaN;
    let rank = 0;
    for (let j = 0; j < nT; j++) if (textToImage[j] !== i && row[j] >= best) rank++;
    return rank;
  });
  return recallFromRanks(i2tRanks, t2iRanks, ks);
}
