/**
 * One finished grounded-lm run for a probe: `run` is the output folder (metrics.json and one folder per
 * arm and seed holding its checkpoint); the arm and seed pick the run inside it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { newBoxWarnings } from '../../kernel/src/seq/box_check';
import { resolveGroundedLMConfig } from '../../kernel/src/seq/grounded_lm_config';
import type { GroundedMetrics } from '../../kernel/src/seq/grounded_metrics';
import { evaluateStage1, loadStage1Heads, loadStage1Model } from '../../kernel/src/seq/grounded_lm_run';

interface RecordedRun {
  arm: { name: string; codec: string };
  seed: number;
  metrics: GroundedMetrics;
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

/**
 * The run's model re-evaluated with the run's own eval settings (evaluateStage1); stops unless `metric` of
 * the re-evaluation equals the run's recorded one, so that the probe reads the run's model and data.
 */
export async function reEvaluatedRun(probe: string, run: string, arm: string, seed: number, metric: { name: string; of: (m: GroundedMetrics) => number }) {
  const loaded = await loadRunModel(probe, run, arm, seed);
  const { ev, recAttention } = evaluateStage1(loaded.cfg, loaded.model, loaded.tok, loaded.codec, loaded.pool, newBoxWarnings());
  const recorded = metric.of(loaded.recordedRun.metrics);
  const got = metric.of(ev.metrics);
  if (got !== recorded) throw new Error(`${probe}: re-evaluated ${metric.name} ${got} differs from the run's ${recorded}: not the run's model or data.`);
  return { ...loaded, ev, recAttention, recorded };
}
