/**
 * One finished grounded-lm run's model for a probe: `run` is the output folder (metrics.json and one
 * folder per arm and seed holding its checkpoint); the arm and seed pick the run inside it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveGroundedLMConfig } from '../../kernel/src/seq/grounded_lm_config';
import { loadStage1Model } from '../../kernel/src/seq/grounded_lm_run';

export async function loadRunModel(probe: string, run: string, arm: string, seed: number) {
  const metrics = JSON.parse(fs.readFileSync(path.join(run, 'metrics.json'), 'utf8'));
  const index = metrics.runs.findIndex((r: { arm: { name: string }; seed: number }) => r.arm.name === arm && r.seed === seed);
  if (index < 0) throw new Error(`${probe}: ${run}/metrics.json has no run of arm '${arm}', seed ${seed}.`);
  const cfg = resolveGroundedLMConfig(metrics.config);
  const loaded = await loadStage1Model(cfg, metrics.runs[index].arm.codec, path.join(run, `${arm}-seed${seed}`));
  return { ...loaded, cfg, recordedRun: metrics.runs[index] as { metrics: { rec: { accuracy: number } } } };
}
