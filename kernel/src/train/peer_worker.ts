/**
 * Entry of a gradient peer thread (gradient_peers.ts): initialises its own backend, builds its task with
 * the factory, then per step: weights from shared memory → gradients of its own batch → shared memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { flatLayout, type PeerReply, type PeerRequest, type PeerWorkerData } from './gradient_peers';
import { replicaRng } from './step_rng';
import type { TrainTask } from './train_task';

async function main(): Promise<void> {
  const d = workerData as PeerWorkerData;
  const send = (m: PeerReply): void => parentPort!.postMessage(m);
  try {
    await initBackend({ backend: d.backend as never, log: null });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(d.module) as Record<string, (args: unknown) => TrainTask | Promise<TrainTask>>;
    const factory = mod[d.factory];
    if (typeof factory !== 'function') throw new Error(`module '${d.module}' has no export '${d.factory}'.`);
    const task = await factory(d.args);
    const vars = task.variables();
    const { sizes, offsets } = flatLayout(vars);
    const weights = new Float32Array(d.weights);
    const grads = new Float32Array(d.grads);
    send({ kind: 'ready', shapes: vars.map((v) => v.shape.slice()) });
    parentPort!.on('message', (m: PeerRequest) => {
      try {
        vars.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(weights.subarray(offsets[i]!, offsets[i]! + sizes[i]!), v.shape))));
        const batch = task.nextBatch(m.step, replicaRng(d.seed, m.step, d.index));
        let parts: number[] = [];
        const present: boolean[] = [];
        try {
          tf.tidy(() => {
            let readout: tf.Tensor | null = null;
            const { grads: g } = tf.variableGrads(() => {
              const loss = task.lossFn(batch, m.step);
              readout = tf.keep(tf.stack([loss.total, ...Object.values(loss.parts)]));
              return loss.total;
            }, vars);
            parts = Array.from(readout!.dataSync());
            readout!.dispose();
            vars.forEach((v, i) => {
              const gi = g[v.name];
              present.push(gi != null);
              if (gi) grads.set(gi.dataSync() as Float32Array, offsets[i]);
            });
          });
        } finally {
          task.disposeBatch?.(batch);
        }
        send({ kind: 'done', step: m.step, parts, present, examples: task.batchSize ? task.batchSize(batch) : 1 });
      } catch (e) {
        send({ kind: 'error', message: (e as Error).stack ?? String(e) });
      }
    });
  } catch (e) {
    send({ kind: 'error', message: (e as Error).stack ?? String(e) });
  }
}

void main();
