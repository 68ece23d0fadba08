/**
 * Where one stage-1 gradient computation spends its time, by TF.js kernel: runs a few batches of the
 * config's stage-1 task on wasm under `tf.profile` and prints, per kernel name, the summed wall-clock
 * kernel time of one step (median over `--steps` runs of one batch), the call count and the share of the step. For
 * finding what to make faster, not a benchmark workload.
 *
 *   node --import tsx bench/probes/stage1_kernel_profile.ts --config A.json [--steps 5] [--top 25]
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../kernel/src/backend';
import { resolveGroundedLMConfig } from '../../kernel/src/seq/grounded_lm_config';
import { stage1PeerTask } from '../../kernel/src/seq/grounded_lm_run';
import { stepRng } from '../../kernel/src/train/step_rng';
import { probeArgs } from './probe_args';

const WARMUP = 2;

async function main(): Promise<void> {
  const a = probeArgs('stage1_kernel_profile');
  if (!a.config) throw new Error('stage1_kernel_profile: --config A.json is required (a grounded-lm config file).');
  const steps = Number(a.steps ?? 5);
  const top = Number(a.top ?? 25);
  if (!(Number.isInteger(steps) && steps > 0)) throw new Error(`stage1_kernel_profile: --steps must be a positive integer; got '${a.steps}'.`);
  await initBackend({ backend: 'wasm', log: null });
  const cfg = resolveGroundedLMConfig(JSON.parse(fs.readFileSync(a.config, 'utf8')));
  const task = stage1PeerTask({ cfg, arm: { name: 'scratch-bins64', codec: cfg.codecA, pretrained: false }, seed: 0 });
  const perStep: Map<string, { ms: number; calls: number }>[] = [];
  const totals: number[] = [];
  // One batch for every step, so that each step runs the same kernels on the same shapes.
  const batch = task.nextBatch(0, stepRng(0, 0));
  for (let s = 0; s < WARMUP + steps; s++) {
    const t0 = performance.now();
    const info = await tf.profile(() => {
      const grads = tf.tidy(() => Object.values(tf.variableGrads(() => task.lossFn(batch, s).total, task.variables()).grads));
      grads.forEach((g) => g.dataSync());
      tf.dispose(grads);
    });
    const total = performance.now() - t0;
    if (s < WARMUP) continue;
    const byName = new Map<string, { ms: number; calls: number }>();
    for (const k of info.kernels) {
      const key = `${k.name} ${JSON.stringify(k.inputShapes)}`;
      const e = byName.get(key) ?? { ms: 0, calls: 0 };
      e.ms += Number(await k.kernelTimeMs);
      e.calls += 1;
      byName.set(key, e);
    }
    perStep.push(byName);
    totals.push(total);
  }
  const keys = new Set(perStep.flatMap((m) => [...m.keys()]));
  const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)]!;
  const rows = [...keys].map((key) => ({ key, ms: median(perStep.map((m) => m.get(key)?.ms ?? 0)), calls: perStep[0]!.get(key)?.calls ?? 0 }));
  rows.sort((x, y) => y.ms - x.ms);
  const step = median(totals);
  const kernelSum = rows.reduce((n, r) => n + r.ms, 0);
  console.log(`step ${step.toFixed(1)} ms (profiled), kernels ${kernelSum.toFixed(1)} ms, ${rows.reduce((n, r) => n + r.calls, 0)} kernel calls`);
  const byOp = new Map<string, number>();
  for (const r of rows) byOp.set(r.key.split(' ')[0]!, (byOp.get(r.key.split(' ')[0]!) ?? 0) + r.ms);
  console.log('by kernel: ' + [...byOp.entries()].sort((x, y) => y[1] - x[1]).slice(0, 20).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '));
  for (const r of rows.slice(0, top)) console.log(`${r.ms.toFixed(2).padStart(8)} ms ${String(r.calls).padStart(4)}× ${((100 * r.ms) / step).toFixed(1).padStart(5)}%  ${r.key}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
