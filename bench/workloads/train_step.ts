import * as tf from '@tensorflow/tfjs-core';
import { align, backendReport, initBackend, models, train } from '../../kernel/src';
import { median, timeRuns } from './timing';

/**
 * train-step-global / train-step-ot of ../shared/bench-workloads.md: one Adam step (forward, backward,
 * update with the library's optimiser, train.AdamOptimizer — fused on webgpu) of the dual encoder at batch 32 — the default PatchEncoder / TextEncoder configs are the
 * benchmark model — with the global (CLIP) loss or the OT loss (32 × 32 Sinkhorn problems, ε 0.05,
 * 20 iterations, envelope gradient). Median ms per step over 20 steps after 3 warm-up steps; each step
 * ends with a read of the loss, so the device has finished. `cpu_ms` is the median process CPU time per
 * step: on a machine shared with other jobs it stays close to the unloaded wall time of this
 * single-threaded backend, while `median_ms` grows with the load.
 *
 * Reference: bench/reference/torch_train_step.py (same model and losses in PyTorch, CPU, 2 threads).
 */
export const TRAIN_STEP_WORKLOAD = {
  batch: 32,
  minLength: 6,
  lr: 1e-3,
  temperature: 0.07,
  eps: 0.05,
  iterations: 20,
  runs: 20,
  warmup: 3,
  seed: 0,
} as const;

export interface TrainStepWorkloadOptions {
  runs?: number;
  warmup?: number;
  /** Which of the two workloads to run. Default both. */
  only?: Array<'train-step-global' | 'train-step-ot'>;
}

interface Batch {
  images: tf.Tensor4D; // [B, 64, 64, 3] in [0, 1]
  tokens: tf.Tensor2D; // int32 [B, m]
  mask: tf.Tensor2D; // [B, m], lengths uniform in [6, m]
}

/** A seeded synthetic batch (the workload measures speed, not learning). */
function makeBatch(imageSize: number, channels: number, vocab: number, length: number, seed: number): Batch {
  const { batch, minLength } = TRAIN_STEP_WORKLOAD;
  let state = seed + 0x9e3779b9;
  const rand = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const lengths = Array.from({ length: batch }, () => minLength + Math.floor(rand() * (length - minLength + 1)));
  const maskValues = lengths.flatMap((len) => Array.from({ length }, (_, k) => (k < len ? 1 : 0)));
  return {
    images: tf.randomUniform([batch, imageSize, imageSize, channels], 0, 1, 'float32', seed) as tf.Tensor4D,
    tokens: tf.randomUniform([batch, length], 0, vocab, 'int32', seed + 1) as tf.Tensor2D,
    mask: tf.tensor2d(maskValues, [batch, length]),
  };
}

export type TrainStepName = 'train-step-global' | 'train-step-ot';

/** The workload's model, batch and optimiser; `step()` runs one update and resolves to its loss. */
export interface TrainStepSetup {
  step(): Promise<number>;
  params: number;
  dispose(): void;
}

export function createTrainStep(name: TrainStepName): TrainStepSetup {
  const { lr, temperature, eps, iterations, seed } = TRAIN_STEP_WORKLOAD;
  const imageEncoder = new models.PatchEncoder({}, seed);
  const textEncoder = new models.TextEncoder({}, seed + 1);
  const ic = imageEncoder.config;
  const tc = textEncoder.config;
  const batch = makeBatch(ic.imageSize, ic.channels, tc.vocabSize, tc.maxLength, seed);
  const variables = [...imageEncoder.trainableVariables(), ...textEncoder.trainableVariables()];
  const optimizer = new train.AdamOptimizer(variables, { kind: 'adam', lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
  const loss = () => {
    const img = imageEncoder.forward(batch.images); // [B, n, d]
    const txt = textEncoder.forward(batch.tokens, batch.mask); // [B, m, d]
    return name === 'train-step-global'
      ? align.globalLoss(img, txt, batch.mask, { temperature }).total
      : align.otLoss(img, txt, batch.mask, { temperature, eps, iterations, grad: 'envelope', method: 'kernel' }).total;
  };
  return {
    async step() {
      const { value: cost, grads } = tf.variableGrads(loss, variables);
      tf.tidy(() => optimizer.apply(variables.map((v) => grads[v.name] ?? null), lr));
      tf.dispose(Object.values(grads));
      const value = (await cost.data())[0]!;
      cost.dispose();
      return value;
    },
    params: imageEncoder.parameterCount() + textEncoder.parameterCount(),
    dispose() {
      optimizer.dispose();
      imageEncoder.dispose();
      textEncoder.dispose();
      tf.dispose([batch.images, batch.tokens, batch.mask]);
    },
  };
}

async function runOne(name: TrainStepName, runs: number, warmup: number): Promise<object> {
  const { eps, iterations } = TRAIN_STEP_WORKLOAD;
  const setup = createTrainStep(name);
  const losses: number[] = [];
  const cpuMs: number[] = []; // process CPU time per step: robust to other processes sharing the cores
  let tensorsAfterWarmup = 0;
  let step = 0;
  try {
    const times = await timeRuns(
      async () => {
        const cpu0 = process.cpuUsage();
        losses.push(await setup.step());
        const cpu = process.cpuUsage(cpu0);
        if (step >= warmup) cpuMs.push((cpu.user + cpu.system) / 1000);
        if (++step === warmup) tensorsAfterWarmup = tf.memory().numTensors;
      },
      runs,
      warmup,
    );
    const report = backendReport();
    return {
      workload: name,
      median_ms: Math.round(median(times) * 100) / 100,
      runs,
      backend: tf.getBackend(),
      device: report?.device,
      warmup,
      min_ms: Math.round(Math.min(...times) * 100) / 100,
      cpu_ms: Math.round(median(cpuMs) * 100) / 100,
      batch: TRAIN_STEP_WORKLOAD.batch,
      params: setup.params,
      loss_first: losses[0],
      loss_last: losses[losses.length - 1],
      tensors_leaked: tf.memory().numTensors - tensorsAfterWarmup,
      ...(name === 'train-step-ot' ? { eps, iterations, grad: 'envelope' } : {}),
    };
  } finally {
    setup.dispose();
  }
}

/** Runs train-step-global and train-step-ot; one JSON-ready object per workload. */
export async function runTrainStepWorkloads(options: TrainStepWorkloadOptions = {}): Promise<object[]> {
  if (!backendReport()) await initBackend({ log: null });
  const runs = options.runs ?? TRAIN_STEP_WORKLOAD.runs;
  const warmup = options.warmup ?? TRAIN_STEP_WORKLOAD.warmup;
  const names = options.only ?? (['train-step-global', 'train-step-ot'] as const);
  const results: object[] = [];
  for (const name of names) results.push(await runOne(name, runs, warmup));
  return results;
}

// standalone: node --import tsx bench/workloads/train_step.ts [train-step-global|train-step-ot]
// (the file-name check keeps a bundle that inlines this module from running it as well)
if (require.main === module && /train_step\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  const only = process.argv.slice(2) as TrainStepWorkloadOptions['only'];
  runTrainStepWorkloads({ only: only && only.length > 0 ? only : undefined })
    .then((results) => results.forEach((r) => console.log(JSON.stringify(r))))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
