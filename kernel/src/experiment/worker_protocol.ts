/** Messages between the experiment's parent process and its workers (typed, JSON/structured-clone). */
import type { ExperimentConfig } from './experiment_config';
import type { RunJob, RunProgress, RunResult } from './run_one';

/** Parent → worker: run one job; `dataFile` holds the v8-serialised ExperimentData. */
export interface WorkerRequest {
  kind: 'run';
  config: ExperimentConfig;
  dataFile: string;
  job: RunJob;
  backend?: string;
}

/** Worker → parent. */
export type WorkerMessage =
  | { kind: 'ready'; backend: string; device: string }
  | { kind: 'progress'; progress: RunProgress }
  | { kind: 'result'; result: RunResult }
  | { kind: 'error'; message: string };
