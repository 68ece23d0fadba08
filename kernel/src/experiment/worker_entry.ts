/**
 * Entry of a worker process (child_process.fork): initialises its own compute backend, runs the jobs
 * the parent sends one at a time, and reports progress and results over IPC. Exits on disconnect.
 */
import { readFileSync } from 'node:fs';
import { deserialize } from 'node:v8';
import { initBackend } from '../backend/init_backend';
import type { BackendChoice } from '../backend/backend_report';
import type { ExperimentData } from './experiment_data';
import { runOne } from './run_one';
import type { WorkerMessage, WorkerRequest } from './worker_protocol';

const send = (m: WorkerMessage): void => {
  process.send?.(m);
};

let ready: Promise<void> | null = null;
const dataCache = new Map<string, ExperimentData>();

process.on('message', (request: WorkerRequest) => {
  void (async () => {
    try {
      ready ??= initBackend({ log: null, ...(request.backend ? { backend: request.backend as BackendChoice } : {}) }).then((r) =>
        send({ kind: 'ready', backend: r.backend, device: r.device }),
      );
      await ready;
      let data = dataCache.get(request.dataFile);
      if (!data) {
        data = deserialize(readFileSync(request.dataFile)) as ExperimentData;
        dataCache.set(request.dataFile, data);
      }
      let last = 0;
      const result = await runOne(request.config, data, request.job, (p) => {
        const now = Date.now();
        if (p.kind !== 'step' || now - last > 250 || p.step === p.totalSteps) {
          last = now;
          send({ kind: 'progress', progress: p });
        }
      });
      send({ kind: 'result', result });
    } catch (e) {
      send({ kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
