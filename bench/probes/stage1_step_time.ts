/**
 * The time of one stage-1 gradient computation (one thread: a batch of `stage1.batchSize` examples,
 * forward + backward, the run's losses and heads) for each config given, timed in turns so that every
 * config meets the same machine load. Median ms and process CPU ms over `--steps` batches after 3
 * warm-up batches. For comparing model switches (e.g. `model.stemChannels`), not a benchmark workload.
 *
 *   node --import tsx bench/probes/stage1_step_time.ts --configs A.json,B.json [--steps 15]
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../kernel/src/backend';
import { resolveGroundedLMConfig } from '../../kernel/src/seq/grounded_lm_config';
import { stage1PeerTask } from '../../kernel/src/seq/grounded_lm_run';
import { stepRng } from '../../kernel/src/train/step_rng';
import { probeArgs } from './probe_args';

const WARMUP = 3;

async function main(): Promise<void> {
  const a = probeArgs('stage1_step_time');
  if (!a.configs) throw new Error('stage1_step_time: --configs A.json,B.json is required (grounded-lm config files).');
  const steps = Number(a.steps ?? 15);
  if (!(Number.isInteger(steps) && steps > 0)) throw new Error(`stage1_step_time: --steps must be a positive integer; got '${a.steps}'.`);
  await initBackend({ backend: 'wasm', log: null });
  const files = a.configs.split(',');
  const cfgs = files.map((file) => resolveGroundedLMConfig(JSON.parse(fs.readFileSync(file, 'utf8'))));
  const tasks = cfgs.map((cfg) => stage1PeerTask({ cfg, arm: { name: 'scratch-bins64', codec: cfg.codecA, pretrained: false }, seed: 0 }));
  const wall: number[][] = files.map(() => []);
  const cpu: number[][] = files.map(() => []);
  for (let s = 0; s < WARMUP + steps; s++) {
    tasks.forEach((task, i) => {
      const batch = task.nextBatch(s, stepRng(0, s));
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const grads = tf.tidy(() => Object.values(tf.variableGrads(() => task.lossFn(batch, s).total, task.variables()).grads));
      grads.forEach((g) => g.dataSync());
      tf.dispose(grads);
      const c = process.cpuUsage(c0);
      if (s >= WARMUP) {
        wall[i]!.push(performance.now() - t0);
        cpu[i]!.push((c.user + c.system) / 1000);
      }
    });
  }
  const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)]!;
  files.forEach((file, i) => {
    const params = tasks[i]!.variables().reduce((n, v) => n + v.size, 0);
    console.log(JSON.stringify({ probe: 'stage1-step-time', config: file, batch: cfgs[i]!.stage1.batchSize, steps, median_ms: Number(median(wall[i]!).toFixed(1)), cpu_ms: Number(median(cpu[i]!).toFixed(1)), parameters: params }));
  });
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
