/**
 * Runs independent jobs in `size` worker processes (child_process.fork), at most `size` at a time, each
 * worker with its own compute backend: the way to use several CPU cores with single-threaded wasm.
 *
 * Under the TypeScript sources (tests, tsx) the worker is `worker_entry.ts` loaded with `--import tsx`;
 * from the build it is `worker_entry.js`. A worker that dies or reports an error fails the pool with
 * the job's name and the worker's stderr tail.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from './experiment_config';
import type { RunJob, RunProgress, RunResult } from './run_one';
import type { WorkerMessage, WorkerRequest } from './worker_protocol';

export interface PoolOptions {
  size: number;
  config: ExperimentConfig;
  dataFile: string;
  backend?: string;
  onProgress?: (jobIndex: number, p: RunProgress) => void;
  onReady?: (backend: string, device: string) => void;
  onDone?: (jobIndex: number, r: RunResult) => void;
}

function workerScript(): { file: string; execArgv: string[] } {
  const ts = join(__dirname, 'worker_entry.ts');
  if (__filename.endsWith('.ts') && existsSync(ts)) return { file: ts, execArgv: ['--import', 'tsx'] };
  return { file: join(__dirname, 'worker_entry.js'), execArgv: [] };
}

/** Results in job order. */
export function runInWorkers(jobs: readonly RunJob[], o: PoolOptions): Promise<RunResult[]> {
  const results: RunResult[] = new Array(jobs.length);
  const { file, execArgv } = workerScript();
  const children: ChildProcess[] = [];
  let next = 0;
  let finished = 0;
  let failed = false;
  return new Promise<RunResult[]>((resolve, reject) => {
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      for (const c of children) c.kill();
      reject(error);
    };
    const startWorker = (): void => {
      const child = fork(file, [], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
      children.push(child);
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      let current = -1;
      const dispatch = (): void => {
        if (next >= jobs.length) {
          child.disconnect();
          return;
        }
        current = next++;
        const request: WorkerRequest = { kind: 'run', config: o.config, dataFile: o.dataFile, job: jobs[current]!, ...(o.backend ? { backend: o.backend } : {}) };
        child.send(request);
      };
      child.on('message', (m: WorkerMessage) => {
        if (m.kind === 'ready') o.onReady?.(m.backend, m.device);
        else if (m.kind === 'progress') o.onProgress?.(current, m.progress);
        else if (m.kind === 'error') fail(new Error(`experiment worker failed on ${describe(jobs[current])}: ${m.message}`));
        else if (m.kind === 'result') {
          results[current] = m.result;
          o.onDone?.(current, m.result);
          finished += 1;
          if (finished === jobs.length) resolve(results);
          dispatch();
        }
      });
      child.on('exit', (code, signal) => {
        if (!failed && finished < jobs.length && current >= 0 && results[current] === undefined) {
          fail(new Error(`experiment worker exited (${signal ?? `code ${code}`}) during ${describe(jobs[current])}.\n${stderr}`));
        }
      });
      dispatch();
    };
    const n = Math.max(1, Math.min(o.size, jobs.length));
    for (let i = 0; i < n; i++) startWorker();
    if (jobs.length === 0) resolve(results);
  });
}

const describe = (job: RunJob | undefined): string => (job ? `${job.method} seed ${job.seed}` : 'an unknown job');
