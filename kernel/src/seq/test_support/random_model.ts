import { SeededRandom } from '../../util/seeded_random';
import type { NextLogProbs } from '../decode_greedy';

/** A "model" that returns seeded random log-probabilities over V tokens: adversarial for the grammar mask. */
export function randomModel(V: number, seed: number): NextLogProbs {
  const rng = new SeededRandom(seed, 'random-model');
  return (rows) => {
    const out = new Float32Array(rows.length * V);
    for (let i = 0; i < out.length; i++) out[i] = Math.log(rng.next() + 1e-9) * 3;
    return out;
  };
}
