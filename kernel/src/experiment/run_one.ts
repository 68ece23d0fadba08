/**
 * One (method, seed) run: build the dual encoder, train it with the shared budget, evaluate it on the
 * test split. Runs in a worker process (see worker_entry.ts) or in-process; needs an initialised backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { train } from '../train/trainer';
import type { TrainEvent } from '../train/progress';
import { alignmentTask } from './alignment_task';
import { DualEncoder } from './dual_encoder';
import type { ExperimentData } from './experiment_data';
import type { ExperimentConfig } from './experiment_config';
import { evaluateModel, type AlignmentSample } from './evaluate_model';
import type { MethodName } from './methods';

export interface RunJob {
  method: MethodName;
  seed: number;
}

export interface RunResult extends RunJob {
  stoppedReason: string;
  message: string;
  metrics: Record<string, number>;
  samples: AlignmentSample[];
  /** Loss per step (total and unweighted parts). */
  lossCurve: { step: number; loss: number; parts: Record<string, number> }[];
  trainSec: number;
  evalSec: number;
  parameters: number;
}

export type RunProgress = { kind: 'step'; step: number; totalSteps: number; loss: number } | { kind: 'evaluating' };

export async function runOne(
  config: ExperimentConfig,
  data: ExperimentData,
  job: RunJob,
  onProgress: (p: RunProgress) => void = () => {},
): Promise<RunResult> {
  const model = new DualEncoder(config, data.vocabSize, job.seed);
  try {
    const task = alignmentTask(config, job.method, model, data.train);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const t = config.train;
    const result = await train(
      task,
      {
        steps: t.steps,
        seed: job.seed,
        optimizer: { kind: 'adamw', lr: t.lr, weightDecay: t.weightDecay },
        schedule: { kind: 'cosine', warmupSteps: t.warmupSteps, minLr: t.lr * 0.05 },
        clipGradNorm: t.clipGradNorm,
      },
      {
        listeners: [
          (e: TrainEvent) => {
            if (e.kind === 'step') onProgress({ kind: 'step', step: e.step, totalSteps: e.totalSteps, loss: e.loss });
          },
        ],
      },
    );
    const trainSec = (performance.now() - t0) / 1000;
    onProgress({ kind: 'evaluating' });
    const t1 = performance.now();
    const before = tf.memory().numTensors;
    const { metrics, samples } = await evaluateModel(model, data.test, config, job.method);
    if (tf.memory().numTensors !== before) throw new Error(`runOne: evaluation leaked ${tf.memory().numTensors - before} tensors.`);
    const evalSec = (performance.now() - t1) / 1000;
    const last = result.history[result.history.length - 1];
    metrics['train.finalLoss'] = last ? last.loss : NaN;
    metrics['train.steps'] = result.step;
    metrics['time.trainSec'] = trainSec;
    metrics['time.evalSec'] = evalSec;
    // CPU seconds of this process for the run: the wall time it would take on an idle core
    const cpu = process.cpuUsage(cpu0);
    metrics['time.cpuSec'] = (cpu.user + cpu.system) / 1e6;
    return {
      ...job,
      stoppedReason: result.stoppedReason,
      message: result.message,
      metrics,
      samples,
      lossCurve: result.history.map((h) => ({ step: h.step, loss: h.loss, parts: h.parts })),
      trainSec,
      evalSec,
      parameters: model.variables().reduce((s, v) => s + v.size, 0),
    };
  } finally {
    model.dispose();
  }
}
