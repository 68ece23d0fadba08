import { SeededRandom } from '../util/seeded_random';

/**
 * The seeded random numbers a training step draws its batch from.
 *
 * Every step gets its own generator, addressed by (run seed, 'train-step', step index) in the shared
 * `SeededRandom` (util/seeded_random.ts: sfc32, bit-identical across engines). A step's batch thus
 * depends on nothing but the seed and the step: resuming at step k needs no saved generator state
 * and draws exactly the batches the uninterrupted run would have drawn.
 *
 * @example
 *   const rng = stepRng(42, 7);
 *   const i = rng.int(1000);          // same value on every run with seed 42 at step 7
 */
export type Rng = SeededRandom;

/** The generator of step `step` (0-based) of a run seeded with `seed`. */
export function stepRng(seed: number, step: number): Rng {
  if (!Number.isInteger(seed) || !Number.isInteger(step) || step < 0) {
    throw new Error(`stepRng: expected an integer seed and a non-negative integer step, got seed=${seed}, step=${step}.`);
  }
  return new SeededRandom(seed, 'train-step', step);
}

/**
 * The generator of data-parallel replica `replica` (≥ 1) at step `step` (gradient_peers.ts): its own
 * stream, so replicas draw different batches; replica 0 (the training thread) uses `stepRng`, so a run
 * without peers draws exactly the batches it always did.
 */
export function replicaRng(seed: number, step: number, replica: number): Rng {
  if (!Number.isInteger(replica) || replica < 1) throw new Error(`replicaRng: expected a replica index ≥ 1, got ${replica}.`);
  return new SeededRandom(stepRng(seed, step).nextUint32(), 'replica', replica);
}
