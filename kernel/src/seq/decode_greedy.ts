/**
 * Greedy decoding, batched over prompts, with an optional grammar mask (answer_grammar.ts):
 *
 *   a_{t+1} = argmax_{v ∈ allowed(a_≤t)} log p(v | prompt, a_≤t)      until [EOS] or maxNew tokens
 *
 * (or, with `choose`, the id it picks among the allowed ones: coordinate_readout.ts)
 *
 * The model is abstracted as `NextLogProbs`: rows of ids → [R, V] log-probabilities of the next token
 * (model_step.ts binds it to a GroundedLM), so the decoder is tested without a model. It returns the
 * answer ids and each chosen token's log-probability (under the unmasked distribution), from which
 * confidences are computed.
 */
export type NextLogProbs = (rows: readonly (readonly number[])[], owners: readonly number[]) => Float32Array;

export interface DecodeOptions {
  maxNew: number;
  eos: number;
  vocabSize: number;
  /** Allowed next ids for (prompt index, answer ids so far); null or absent = any id. */
  allowed?: (prompt: number, answer: readonly number[]) => readonly number[] | null;
  /**
   * Greedy only: picks the next id among the allowed ones instead of argmax, or null to leave the step to
   * argmax (coordinate_readout.ts: a median or mean coordinate). Ignored where no mask applies.
   */
  choose?: (allowed: readonly number[], logProb: (id: number) => number) => number | null;
}

export interface Decoded {
  ids: number[];
  logProbs: number[];
}

export function decodeGreedy(next: NextLogProbs, prompts: readonly (readonly number[])[], o: DecodeOptions): Decoded[] {
  const out: Decoded[] = prompts.map(() => ({ ids: [], logProbs: [] }));
  const live = prompts.map((_, i) => i);
  for (let t = 0; t < o.maxNew && live.length > 0; t++) {
    const rows = live.map((i) => [...prompts[i]!, ...out[i]!.ids]);
    const lp = next(rows, live);
    for (let r = live.length - 1; r >= 0; r--) {
      const i = live[r]!;
      const allowed = o.allowed?.(i, out[i]!.ids) ?? null;
      let best = -1;
      let bestLp = -Infinity;
      const consider = (v: number): void => {
        const x = lp[r * o.vocabSize + v]!;
        if (best < 0 || x > bestLp) (best = v), (bestLp = x);
      };
      const chosen = allowed && o.choose ? o.choose(allowed, (v) => lp[r * o.vocabSize + v]!) : null;
      if (chosen !== null) (best = chosen), (bestLp = lp[r * o.vocabSize + chosen]!);
      else if (allowed) allowed.forEach(consider);
      else for (let v = 0; v < o.vocabSize; v++) consider(v);
      if (best < 0) best = o.eos; // an empty mask ends the answer
      out[i]!.ids.push(best);
      out[i]!.logProbs.push(bestLp);
      if (best === o.eos) live.splice(r, 1);
    }
  }
  return out;
}
