/**
 * Beam search (batched over prompts), with the same optional grammar mask as greedy decoding:
 * keeps the K best partial answers by total log-probability Σ_t log p(a_t | …); an answer ending in
 * [EOS] is finished; stops when the best K of a prompt are all finished, or after maxNew tokens
 * (unfinished beams then compete as they are). No length normalisation: under the box grammar every
 * REC answer has the same length (OFA decodes REC with a fixed-length beam).
 */
import type { DecodeOptions, Decoded, NextLogProbs } from './decode_greedy';

interface Beam extends Decoded {
  score: number;
}

export function decodeBeam(next: NextLogProbs, prompts: readonly (readonly number[])[], o: DecodeOptions & { beams: number }): Decoded[] {
  const K = o.beams;
  if (!Number.isInteger(K) || K < 1) throw new Error(`decodeBeam: beams must be a positive integer; got ${K}.`);
  const beams: Beam[][] = prompts.map(() => [{ ids: [], logProbs: [], score: 0 }]);
  const done: Beam[][] = prompts.map(() => []);
  for (let t = 0; t < o.maxNew; t++) {
    const rows: number[][] = [];
    const owners: number[] = [];
    const which: [number, number][] = [];
    beams.forEach((bs, i) => bs.forEach((b, k) => (rows.push([...prompts[i]!, ...b.ids]), owners.push(i), which.push([i, k]))));
    if (rows.length === 0) break;
    const lp = next(rows, owners);
    const cands: Beam[][] = prompts.map(() => []);
    which.forEach(([i, k], r) => {
      const b = beams[i]![k]!;
      const allowed = o.allowed?.(i, b.ids) ?? null;
      const ids = allowed && allowed.length > 0 ? allowed : allowed ? [o.eos] : Array.from({ length: o.vocabSize }, (_, v) => v);
      for (const v of ids) {
        const x = lp[r * o.vocabSize + v]!;
        cands[i]!.push({ ids: [...b.ids, v], logProbs: [...b.logProbs, x], score: b.score + x });
      }
    });
    cands.forEach((cs, i) => {
      cs.sort((a, b) => b.score - a.score);
      const keep: Beam[] = [];
      for (const c of cs) {
        if (c.ids[c.ids.length - 1] === o.eos) done[i]!.push(c);
        else keep.push(c);
        if (keep.length >= K) break;
      }
      // stop a prompt when its K best finished answers beat every live beam (scores only fall as tokens are added)
      const bestLive = keep.length ? keep[0]!.score : -Infinity;
      const finished = done[i]!.sort((a, b) => b.score - a.score).slice(0, K);
      done[i] = finished;
      beams[i] = finished.length >= K && finished[K - 1]!.score >= bestLive ? [] : keep;
    });
  }
  return prompts.map((_, i) => {
    const all = [...done[i]!, ...beams[i]!].sort((a, b) => b.score - a.score);
    const best = all[0] ?? { ids: [], logProbs: [] };
    return { ids: best.ids, logProbs: best.logProbs };
  });
}
