import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'node:fs';
import { AdamOptimizer } from './adam';
import { ambientCancellation, type CancellationToken } from './cancellation';
import type { CheckpointManifest, HostTensor } from './checkpoint_format';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint_io';
import { clipByGlobalNorm } from './clip_grad_norm';
import type { GradientPeers, PeerGradients } from './gradient_peers';
import { makeBudgetSchedule, makeSchedule, withCooldown } from './lr_schedule';
import { EventFanout, ThroughputMeter, type TrainListener } from './progress';
import { assignWeights } from './restore_weights';
import { stepRng } from './step_rng';
import { firstDifference, NON_DEFINING_FIELDS, resolveTrainConfig, type TrainConfig, type TrainConfigInput } from './train_config';
import type { TrainTask } from './train_task';

export interface TrainOptions {
  /** Folder for checkpoints (see checkpoint_format.ts). Omit for a run without checkpoints. */
  outDir?: string;
  /** Continue from the checkpoint in `outDir` if there is one (configs must match); else start fresh. */
  resume?: boolean;
  /** Allow replacing the checkpoint of an existing, non-empty `outDir` (never done silently). */
  overwrite?: boolean;
  /** Checked at every step boundary. */
  cancel?: CancellationToken;
  listeners?: readonly TrainListener[];
  /** Stop after this many completed steps, save, and return 'paused' (not part of the config: resume continues). */
  untilStep?: number;
  /**
   * Data-parallel peers (gradient_peers.ts): each step their gradients are averaged with this thread's
   * before clipping and the update. The caller starts and closes them.
   */
  peers?: GradientPeers;
  /**
   * A wall-clock budget for this call, in seconds: the run stops at the first step boundary after it
   * is spent, with a checkpoint, and returns 'budget' (`steps` stays an upper bound).
   */
  budgetSeconds?: number;
  /**
   * What the schedule's decay runs on when there is a budget: 'steps' (default: the config's steps, as
   * without one) or 'budget' (the fraction of the budget spent, so the learning rate reaches minLr when
   * it ends; lr_schedule.ts makeBudgetSchedule).
   */
  scheduleHorizon?: 'steps' | 'budget';
  /**
   * Share of the run, in [0, 1), over which the rate ramps linearly down to minLr at its end
   * (lr_schedule.ts withCooldown). The run's progress is the furthest of: steps done of `steps`
   * (or of `untilStep` when set) and, with `budgetSeconds`, the fraction of the budget spent — so a
   * budgeted run cools down in its last minutes whatever its step schedule. 0 (default) = none.
   */
  cooldownShare?: number;
  /**
   * A multiplier of the learning rate per variable of `task.variables()`, in that order (AdamOptimizer's
   * `lrScales`; default all 1). Not part of the checkpoint's train config: a task that sets it keeps it in
   * its own config, so that a resume compares it.
   */
  lrScales?: readonly number[];
  /** Milliseconds clock that measures the budget (default performance.now; tests pass their own). */
  clock?: () => number;
}

export type StoppedReason = 'completed' | 'cancelled' | 'paused' | 'budget' | 'non-finite';

export interface TrainResult {
  stoppedReason: StoppedReason;
  /** Completed steps (the model's variables hold the weights after this many updates). */
  step: number;
  message: string;
  /** Loss of every step of this run: step is 1-based (completed steps after the update). */
  history: { step: number; loss: number; parts: Record<string, number>; lr: number; gradNorm: number }[];
  /** The folder holding the latest checkpoint, or null when none was written or kept. */
  checkpoint: string | null;
  config: TrainConfig;
}

/** Lets pending macrotasks (e.g. a Jupyter interrupt message) run between steps. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function jsonNormalise<T>(x: T): T {
  return x === undefined ? x : (JSON.parse(JSON.stringify(x)) as T);
}

async function prepareOutDir(outDir: string, options: TrainOptions): Promise<'fresh' | 'resume'> {
  let entries: string[];
  try {
    entries = await fs.readdir(outDir);
  } catch {
    return 'fresh'; // does not exist yet
  }
  if (options.resume && (await hasCheckpoint(outDir))) return 'resume';
  if (entries.length === 0) return 'fresh';
  if (!options.overwrite) {
    throw new Error(
      `train: output folder '${outDir}' exists and is not empty` +
        `${options.resume ? ' (and holds no checkpoint to resume)' : ''}; pass resume: true to continue its checkpoint, ` +
        `overwrite: true to replace it, or choose a new folder.`,
    );
  }
  for (const name of entries) {
    if (name === 'checkpoint.json' || /^weights-\d+\.bin$/.test(name)) await fs.rm(`${outDir}/${name}`, { force: true });
  }
  return 'fresh';
}

function checkCompatible(manifest: CheckpointManifest, config: TrainConfig, taskConfig: unknown, dir: string): void {
  const strip = (c: TrainConfig): Record<string, unknown> => {
    const copy: Record<string, unknown> = { ...jsonNormalise(c) };
    for (const f of NON_DEFINING_FIELDS) delete copy[f];
    return copy;
  };
  const diffTrain = firstDifference(strip(manifest.config.train), strip(config), 'train');
  const diffTask = diffTrain ?? firstDifference(jsonNormalise(manifest.config.task), jsonNormalise(taskConfig), 'task');
  const diff = diffTrain ?? diffTask;
  if (diff) throw new Error(`train: the checkpoint in '${dir}' was made with another configuration — ${diff} (checkpoint vs now).`);
  if (manifest.step > config.steps) throw new Error(`train: the checkpoint in '${dir}' is at step ${manifest.step}, beyond steps = ${config.steps}.`);
}

/** (g₀ + Σ_r g_r) / (1 + peers) per variable (a missing gradient counts as zeros), and the loss parts likewise. */
function averageWithPeers(local: readonly (tf.Tensor | null)[], parts: tf.Tensor, remote: PeerGradients, peers: number, vars: readonly tf.Variable[]) {
  const scale = 1 / (1 + peers);
  const grads = local.map((g, i) => {
    const r = remote.grads[i];
    if (!g && !r) return null;
    const sum = g && r ? tf.add(g, tf.tensor(r, vars[i]!.shape)) : (g ?? tf.tensor(r!, vars[i]!.shape));
    return tf.mul(sum, scale);
  });
  return { grads, parts: tf.mul(tf.add(parts, tf.tensor1d(Float32Array.from(remote.parts))), scale) };
}

/**
 * Trains `task` with Adam/AdamW, warm-up + cosine learning rate, global-norm clipping and seeded batches.
 *
 * Per step s (0-based): batch from stepRng(seed, s); loss and gradients inside a tf.tidy; with `peers`,
 * the average with the peers' gradients of their own batches (gradient_peers.ts); clipping;
 * ONE device read — `readout.data()`, a vector [total, parts..., gradNorm] — for progress events and
 * NaN/Inf detection, made BEFORE the update so a non-finite step never touches the weights; then the
 * optimiser update. Between steps the loop awaits a macrotask, then checks the cancellation token.
 *
 * Stops: 'completed' (final checkpoint), 'cancelled' (checkpoint), 'paused' at `untilStep` (checkpoint),
 * 'budget' when `budgetSeconds` of wall clock are spent (checkpoint),
 * 'non-finite' (no checkpoint written: the last good one on disk is kept; the variables hold the
 * weights of the last good step). Programmer errors (bad config, foreign checkpoint, occupied folder)
 * throw. The optimiser state lives only for the call: it is in every checkpoint, and `resume` restores it.
 *
 * @example
 *   const result = await train(task, { steps: 500, seed: 1, optimizer: { lr: 3e-3 } },
 *     { outDir: 'runs/demo', listeners: [(e) => e.kind === 'step' && console.log(e.step, e.loss)] });
 */
export async function train<B>(task: TrainTask<B>, configInput: TrainConfigInput = {}, options: TrainOptions = {}): Promise<TrainResult> {
  const config = resolveTrainConfig(configInput);
  const taskConfig = jsonNormalise(task.config ?? null);
  const { outDir } = options;
  const cancel = options.cancel ?? ambientCancellation();
  const events = new EventFanout(options.listeners ?? []);
  const vars = task.variables();
  if (vars.length === 0) throw new Error('train: task.variables() returned no variables.');
  if (options.untilStep !== undefined && !(Number.isInteger(options.untilStep) && options.untilStep > 0)) {
    throw new Error(`train option 'untilStep': expected a positive integer, got ${options.untilStep}.`);
  }
  const budgetSeconds = options.budgetSeconds;
  if (budgetSeconds !== undefined && !(Number.isFinite(budgetSeconds) && budgetSeconds > 0)) {
    throw new Error(`train option 'budgetSeconds': expected a positive number of seconds, got ${budgetSeconds}.`);
  }
  const horizon = options.scheduleHorizon ?? 'steps';
  if (horizon !== 'steps' && horizon !== 'budget') throw new Error(`train option 'scheduleHorizon': expected 'steps' or 'budget', got ${JSON.stringify(horizon)}.`);
  if (horizon === 'budget' && budgetSeconds === undefined) throw new Error(`train option 'scheduleHorizon': 'budget' needs budgetSeconds.`);
  const cooldownShare = options.cooldownShare ?? 0;
  if (!(Number.isFinite(cooldownShare) && cooldownShare >= 0 && cooldownShare < 1)) {
    throw new Error(`train option 'cooldownShare': expected a share in [0, 1) of the run, got ${cooldownShare}.`);
  }
  const clock = options.clock ?? (() => performance.now());

  let startStep = 0;
  let resumed: { manifest: CheckpointManifest; tensors: HostTensor[] } | null = null;
  if (outDir !== undefined && (await prepareOutDir(outDir, options)) === 'resume') {
    resumed = await loadCheckpoint(outDir);
    checkCompatible(resumed.manifest, config, taskConfig, outDir);
    assignWeights(resumed.tensors, vars, `checkpoint in '${outDir}'`);
    startStep = resumed.manifest.step;
  }

  const optimizer = new AdamOptimizer(vars, config.optimizer, options.lrScales ? { lrScales: options.lrScales } : {});
  const history: TrainResult['history'] = [];
  let checkpoint: string | null = resumed ? outDir! : null;
  let partNames: string[] | null = null;
  let step = startStep;

  const save = async (reason: CheckpointManifest['reason']): Promise<void> => {
    if (outDir === undefined) return;
    const state = await optimizer.getState();
    const tensors: HostTensor[] = [];
    for (const v of vars) tensors.push({ name: v.name, group: 'weights', shape: v.shape.slice(), values: new Float32Array(await v.data()) });
    state.m.forEach((values, i) => tensors.push({ name: `optimizer/m/${i}`, group: 'optimizer', shape: vars[i].shape.slice(), values }));
    state.v.forEach((values, i) => tensors.push({ name: `optimizer/v/${i}`, group: 'optimizer', shape: vars[i].shape.slice(), values }));
    const last = history[history.length - 1];
    await saveCheckpoint(outDir, {
      step,
      seed: config.seed,
      config: { train: config, task: taskConfig },
      reason,
      lastLoss: last ? { total: last.loss, ...last.parts } : null,
      optimizer: { kind: config.optimizer.kind, stepCounts: state.stepCounts },
      backend: tf.getBackend(),
    }, tensors);
    checkpoint = outDir;
    events.emit({ kind: 'checkpoint', step, dir: outDir, reason });
  };

  const finish = (stoppedReason: StoppedReason, message: string): TrainResult => {
    events.emit({ kind: 'end', step, stoppedReason, message });
    return { stoppedReason, step, message, history, checkpoint, config };
  };

  try {
    if (resumed) {
      const m = resumed.manifest;
      optimizer.setState({
        stepCounts: m.optimizer.stepCounts,
        m: vars.map((_, i) => resumed!.tensors.find((t) => t.name === `optimizer/m/${i}`)!.values),
        v: vars.map((_, i) => resumed!.tensors.find((t) => t.name === `optimizer/v/${i}`)!.values),
      });
    }
    const bySteps = makeSchedule(config.schedule, config.optimizer.lr, config.steps);
    const byBudget = makeBudgetSchedule(config.schedule, config.optimizer.lr);
    const startedAt = clock();
    const spent = (): number => (budgetSeconds === undefined ? 0 : (clock() - startedAt) / 1000 / budgetSeconds);
    const maxNorm = config.clipGradNorm ?? Infinity;
    const lastStep = Math.min(config.steps, options.untilStep ?? config.steps); // where the cooldown's step progress ends
    const meter = new ThroughputMeter(config.steps - startStep);
    events.emit({ kind: 'start', step, totalSteps: config.steps, resumedFrom: resumed ? outDir! : null });

    let peerExamples = 0;
    while (step < config.steps) {
      if (options.untilStep !== undefined && step >= options.untilStep) {
        await save('paused');
        return finish('paused', `paused after step ${step} of ${config.steps} (untilStep)`);
      }
      await yieldToEventLoop();
      if (cancel.isCancellationRequested) {
        await save('cancelled');
        return finish('cancelled', `cancelled after step ${step} of ${config.steps}${outDir ? `; checkpoint saved in '${outDir}'` : ''}`);
      }
      const fraction = spent();
      if (fraction >= 1) {
        await save('budget');
        return finish('budget', `time budget of ${budgetSeconds} s spent after step ${step} of ${config.steps}${outDir ? `; checkpoint saved in '${outDir}'` : ''}`);
      }

      const scheduled = horizon === 'budget' ? byBudget(step, fraction) : bySteps(step);
      const lr = cooldownShare > 0 ? withCooldown(scheduled, config.schedule.minLr, Math.max(fraction, step / lastStep), cooldownShare) : scheduled;
      const peers = options.peers;
      // the peers start on this step's weights before this thread computes its own gradients
      const remote = peers ? peers.gradients(step, await Promise.all(vars.map(async (v) => (await v.data()) as Float32Array))) : null;
      remote?.catch(() => undefined); // awaited below; an early rejection must not be reported as unhandled
      const batch = task.nextBatch(step, stepRng(config.seed, step));
      let kept: tf.Tensor | null = null;
      let raw: (tf.Tensor | null)[] = [];
      let out: { readout: tf.Tensor; grads: Record<string, tf.Tensor> };
      try {
        raw = tf.tidy(() => {
          const { grads } = tf.variableGrads(() => {
            const loss = task.lossFn(batch, step);
            const names = Object.keys(loss.parts);
            if (partNames === null) partNames = names;
            else if (firstDifference(partNames, names) !== null) {
              throw new Error(`train: lossFn returned parts [${names}] at step ${step}, expected [${partNames}] (the same names every step).`);
            }
            kept = tf.keep(tf.stack([loss.total, ...names.map((n) => loss.parts[n])])); // [1 + P]
            return loss.total;
          }, vars);
          return vars.map((v) => grads[v.name] ?? null);
        }) as (tf.Tensor | null)[];
        const fromPeers = remote ? await remote : null;
        out = tf.tidy(() => {
          const { grads, parts } = fromPeers ? averageWithPeers(raw, kept!, fromPeers, peers!.count, vars) : { grads: raw, parts: kept! };
          const present = grads.map((g, i) => [i, g] as const).filter((x): x is readonly [number, tf.Tensor] => x[1] != null);
          const clipped = clipByGlobalNorm(present.map(([, g]) => g), maxNorm);
          const byIndex: Record<string, tf.Tensor> = {};
          present.forEach(([i], k) => (byIndex[i] = clipped.grads[k]));
          const readout = tf.concat([parts, tf.reshape(clipped.norm, [1])]); // [1 + P + 1]
          return { readout, grads: byIndex };
        });
        if (fromPeers) peerExamples = fromPeers.examples;
      } finally {
        task.disposeBatch?.(batch);
        (kept as tf.Tensor | null)?.dispose();
        tf.dispose(raw.filter((g): g is tf.Tensor => g != null));
      }

      // The one device read of the step (see the doc comment).
      const values = await out.readout.data();
      out.readout.dispose();
      const loss = values[0];
      const gradNorm = values[values.length - 1];
      const parts: Record<string, number> = {};
      partNames!.forEach((n, k) => (parts[n] = values[1 + k]));
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        tf.dispose(Object.values(out.grads));
        const what = !Number.isFinite(loss) ? `loss is ${loss}` : `gradient norm is ${gradNorm} (loss ${loss})`;
        const kept = checkpoint ? `the last good checkpoint in '${checkpoint}' is kept` : 'no checkpoint was written';
        return finish(
          'non-finite',
          `training stopped: ${what} at step ${step + 1} (0-based index ${step}); the update was not applied, ` +
            `so the variables hold the weights after step ${step}; ${kept}. Parts: ${JSON.stringify(parts)}.`,
        );
      }
      tf.tidy(() => optimizer.apply(vars.map((_, i) => out.grads[i] ?? null), lr));
      tf.dispose(Object.values(out.grads));
      step += 1;

      const examples = (task.batchSize ? task.batchSize(batch) : 1) + peerExamples;
      const rate = meter.record(examples);
      history.push({ step, loss, parts, lr, gradNorm });
      events.emit({ kind: 'step', step, totalSteps: config.steps, loss, parts, lr, gradNorm, ...rate });
      if (config.checkpointEvery > 0 && step % config.checkpointEvery === 0 && step < config.steps) await save('periodic');
    }
    await save('final');
    return finish('completed', `completed ${config.steps} steps${outDir ? `; checkpoint in '${outDir}'` : ''}`);
  } finally {
    optimizer.dispose();
  }
}
