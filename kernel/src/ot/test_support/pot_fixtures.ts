/**
 * The POT reference problems of test/fixtures/pot_sinkhorn.json (written by a committed script from Debian's
 * python3-pot; float64 plans and objective values), for the solver tests on every backend.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface PotProblem {
  name: string;
  eps: number;
  /** POT's reg_m for unbalanced problems; null for balanced ones. */
  tau: number | null;
  cost: number[][];
  a: number[];
  b: number[];
  rowMask: number[];
  colMask: number[];
  plan: number[][];
  value: number;
}

export interface PotFixtures {
  provenance: string;
  problems: PotProblem[];
}

export function loadPotFixtures(): PotFixtures {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '../../../../test/fixtures/pot_sinkhorn.json'), 'utf8')) as PotFixtures;
}
