/**
 * One finished grounded-lm run for a probe: `run` is the output folder (metrics.json and one folder per
 * arm and seed holding its checkpoint); the arm and seed pick the run inside it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveGroundedLMConfig } from '../../kernel/src/seq/grounded_lm_config';
import { loadStage1Heads, loadStage1Model } from '../../kernel/src/seq/grounded_lm_run';

interface RecordedRun {
  arm: { name: string; codec: string };
  seed: number;
  metrics: { rec: { accuracy: number } };
}

/** The run's config, its entry in metrics.json and its checkpoint folder, or an error naming the probe. */
function runRecord(probe: string, run: string, arm: string, seed: number) {
  const metrics = JSON.parse(fs.readFileSync(path.join(run, 'metrics.json'), 'utf8'));
  const recordedRun = (metrics.runs as RecordedRun[]).find((r) => r.arm.name === arm && r.seed === seed);
  if (!recordedRun) throw new Error(`${probe}: ${run}/metrics.json has no run of arm '${arm}', seed ${seed}.`);
  return { cfg: resolveGroundedLMConfig(metrics.config), recordedRun, dir: path.join(run, `${arm}-seed${seed}`) };
}

export async function loadRunModel(probe: string, run: string, arm: string, seed: number) {
  const { cfg, recordedRun, dir } = runRecord(probe, run, arm, seed);
  const loaded = await loadStage1Model(cfg, recordedRun.arm.codec, dir);
  return { ...loaded, cfg, recordedRun };
}

/** The run's model with the auxiliary heads it trained (grounded_lm_run.ts loadStage1Heads). */
export async function loadRunHeads(probe: string, run: string, arm: string, seed: number) {
  const { cfg, recordedRun, dir } = runRecord(probe, run, arm, seed);
  const loaded = await loadStage1Heads(cfg, recordedRun.arm.codec, dir);
  return { ...loaded, cfg, recordedRun };
}
