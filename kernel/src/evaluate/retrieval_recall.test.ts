import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retrievalRecall } from './retrieval_recall';
import { recallFromRankings, rerankTopK, rerankedRetrievalRecall } from './rerank_top_k';

// 3 images × 4 texts; texts 0 and 1 describe image 0.
const S = [
  [0.9, 0.1, 0.5, 0.2],
  [0.3, 0.2, 0.4, 0.8],
  [0.1, 0.7, 0.6, 0.95],
];
const T2I = [0, 0, 1, 2];

test('R@K both directions on a hand-ranked matrix (several captions per image)', () => {
  const r = retrievalRecall(S, T2I, [1, 2, 5]);
  // t2i ranks: text0 0, text1 2 (0.7, 0.2 above 0.1), text2 2 (0.5, 0.6 >= 0.4), text3 0.
  assert.deepEqual(r.t2iRanks, [0, 2, 2, 0]);
  // i2t ranks: img0 best caption 0.9 → 0; img1 0.4 < 0.8 → 1; img2 0.95 → 0.
  assert.deepEqual(r.i2tRanks, [0, 1, 0]);
  assert.deepEqual(r.t2i, { 1: 0.5, 2: 0.5, 5: 1 });
  assert.deepEqual(r.i2t, { 1: 2 / 3, 2: 1, 5: 1 });
  assert.equal(r.i2tMedianRank, 1);
  assert.equal(r.t2iMedianRank, 2);
  assert.equal(r.t2iMeanRank, 2);
  assert.equal(r.nImageQueries, 3);
  assert.equal(r.rsum, 0.5 + 0.5 + 1 + 2 / 3 + 1 + 1);
});

test('ties count against the query: a constant matrix scores R@1 = 0', () => {
  const r = retrievalRecall([[1, 1], [1, 1]], [0, 1], [1]);
  assert.equal(r.i2t[1], 0);
  assert.equal(r.t2i[1], 0);
});

test('images without captions are not i2t queries; bad pairing throws', () => {
  const r = retrievalRecall([[0.9], [0.1]], [0], [1]);
  assert.equal(r.nImageQueries, 1);
  assert.equal(r.i2t[1], 1);
  assert.throws(() => retrievalRecall(S, [0, 0, 1, 3]), /textToImage\[3\] = 3/);
  assert.throws(() => retrievalRecall(S, [0, 0, 1]), /row 0 has 4 columns/);
});

test('re-ranking the top-k: only candidates inside the shortlist can be rescued', async () => {
  const oracle = (t: number, imgs: number[]) => imgs.map((i) => (i === T2I[t] ? 1 : 0));
  const k2 = await rerankTopK(S, { direction: 't2i', k: 2, rescore: oracle });
  assert.deepEqual(k2[1], [2, 1, 0], 'text 1: its image 0 is third globally, outside k = 2');
  assert.deepEqual(recallFromRankings({ t2i: k2 }, T2I, [1]).t2i[1], 0.5);
  const k3 = await rerankTopK(S, { direction: 't2i', k: 3, rescore: async (t, imgs) => oracle(t, imgs) });
  assert.equal(recallFromRankings({ t2i: k3 }, T2I, [1]).t2i[1], 1);
  const both = await rerankedRetrievalRecall(S, T2I, { k: 3, rescore: (i, t) => (T2I[t] === i ? 1 : 0), ks: [1] });
  assert.deepEqual([both.i2t[1], both.t2i[1]], [1, 1]);
  // Without re-scoring power (constant), order is the global order: same R@1 as the plain metric.
  const same = await rerankedRetrievalRecall(S, T2I, { k: 2, rescore: () => 0, ks: [1] });
  assert.deepEqual([same.i2t[1], same.t2i[1]], [2 / 3, 0.5]);
  await assert.rejects(rerankTopK(S, { direction: 'i2t', k: 0, rescore: oracle }), /'k' must be a positive integer/);
});
