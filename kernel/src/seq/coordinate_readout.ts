/**
 * How a decoder reads one coordinate off the LM's distribution over the bins codec's ordered tokens
 * (`eval.coordinateReadout`; greedy decoding; the bins codec only):
 *
 *   argmax   the most probable allowed bin (plain greedy decoding, the default)
 *   median   the smallest allowed bin k with  Σ_{j ≤ k} p(j) ≥ ½   (p renormalised over the allowed bins)
 *   mean     the allowed bin nearest to  Σ_j j · p(j)
 *
 * Why: the answers are ordinal — a box edge one bin off costs little IoU, ten bins off costs the box —
 * but argmax treats every bin as its own class. When the model spreads its mass over neighbouring bins
 * (a broad or two-humped distribution), the median minimises the expected absolute error in bins and
 * the mean the squared error (the expectation read-out of GFL's distribution focal loss, Li et al. 2020).
 * The answer stays a sequence of the LM's own coordinate tokens; only the choice among them changes.
 *
 * The read-out applies at a step whose allowed tokens are all coordinate tokens (inside a box, under the
 * grammar mask); every other step stays argmax.
 */
import type { WordTokenizer } from '../data/word_tokenizer';
import { hasOrderedBins } from './codec_bins';
import type { CoordinateCodec } from './coordinate_codec';

export const COORDINATE_READOUTS = ['argmax', 'median', 'mean'] as const;
export type CoordinateReadout = (typeof COORDINATE_READOUTS)[number];

/**
 * Picks the next id among `allowed` from the log-probability of each id, or returns null to leave the
 * step to argmax (decode_greedy.ts `choose`).
 */
export type ChooseNext = (allowed: readonly number[], logProb: (id: number) => number) => number | null;

/**
 * The median or mean bin among `bins` (ascending bin values) with log-probabilities `logProbs`
 * (unnormalised over them); returns an index into `bins`.
 */
export function ordinalPick(readout: Exclude<CoordinateReadout, 'argmax'>, bins: readonly number[], logProbs: readonly number[]): number {
  if (bins.length === 0) throw new Error('ordinalPick: no bins to choose from.');
  const top = Math.max(...logProbs);
  if (!Number.isFinite(top)) return 0; // no mass anywhere (all −∞): the lowest bin, as argmax's first tie
  const p = logProbs.map((x) => Math.exp(x - top));
  const total = p.reduce((a, b) => a + b, 0);
  if (readout === 'median') {
    let cdf = 0;
    for (let k = 0; k < p.length; k++) if ((cdf += p[k]! / total) >= 0.5) return k;
    return p.length - 1;
  }
  const mean = p.reduce((a, pk, k) => a + pk * bins[k]!, 0) / total;
  let best = 0;
  for (let k = 1; k < bins.length; k++) if (Math.abs(bins[k]! - mean) < Math.abs(bins[best]! - mean)) best = k;
  return best;
}

/**
 * The `choose` hook for greedy decoding with `readout`, or undefined for argmax. Throws naming the setting
 * unless `codec` is a bins codec (ordered `<bin_k>` tokens: grid cells and digits have no order to read).
 */
export function coordinateChooser(readout: CoordinateReadout, codec: CoordinateCodec, tok: WordTokenizer): ChooseNext | undefined {
  if (!COORDINATE_READOUTS.includes(readout)) throw new Error(`eval.coordinateReadout: expected ${COORDINATE_READOUTS.map((r) => `'${r}'`).join(', ')}; got ${JSON.stringify(readout)}.`);
  if (readout === 'argmax') return undefined;
  if (!hasOrderedBins(codec)) throw new Error(`eval.coordinateReadout '${readout}' needs the bins codec (ordered <bin_k> tokens); got codec '${codec.name}'.`);
  const binOfId = new Map(codec.tokens.map((t, k) => [tok.idOf(t), k]));
  return (allowed, logProb) => {
    if (allowed.length === 0 || !allowed.every((id) => binOfId.has(id))) return null;
    const ids = [...allowed].sort((a, b) => binOfId.get(a)! - binOfId.get(b)!);
    return ids[ordinalPick(readout, ids.map((id) => binOfId.get(id)!), ids.map(logProb))]!;
  };
}
