/**
 * Train / test records for a run: the test records of a test source when there is one, else a
 * deterministic held-out slice of the training records — `count` records (at most a fifth of them, at
 * least 2) drawn by a Fisher–Yates shuffle seeded with `seed`; the rest, in their original order, train.
 * The same records and seed always give the same split.
 *
 * @example
 *   const { train, test } = holdOutRecords(records, 500, 0);
 */
import { SeededRandom } from '../../util/seeded_random';
import type { DatasetRecord } from './dataset_record';

export interface RecordSplit {
  train: DatasetRecord[];
  test: DatasetRecord[];
  /** How the test set was chosen, for the run's metrics.json. */
  rule: string;
}

export function holdOutRecords(records: readonly DatasetRecord[], count: number, seed: number): RecordSplit {
  const n = records.length;
  const k = Math.min(count, Math.floor(n / 5));
  if (k < 2) {
    throw new Error(`holdOutRecords: ${n} record(s) are too few to hold out a test set (need ≥ 10 for 2 test records at most a fifth); give a test source (--test-data).`);
  }
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = new SeededRandom(seed);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const held = new Set(order.slice(0, k));
  return {
    train: records.filter((_, i) => !held.has(i)),
    test: order.slice(0, k).sort((a, b) => a - b).map((i) => records[i]!),
    rule: `held out: ${k} of ${n} records (min(${count}, a fifth)) by a shuffle seeded ${seed}`,
  };
}
