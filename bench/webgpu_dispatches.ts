/**
 * `ALIGNSCOPE_BACKEND=webgpu node --import tsx bench/webgpu_dispatches.ts [--B 4096] [--runs 3] [--method auto]`
 * `ALIGNSCOPE_BACKEND=webgpu node --import tsx bench/webgpu_dispatches.ts --workload train-step-ot|train-step-global`
 *
 * Counts the GPU compute dispatches (and the synchronous reads) of one `ot.sinkhorn` call of the sinkhorn-fwd
 * workload (../shared/bench-workloads.md) on the webgpu backend, and times it; with --workload train-step-*,
 * the dispatches of one training step (forward, backward, Adam) and its uploads of CPU-held tensor values
 * (each one a fresh staging buffer in TF.js), per program. On a software adapter
 * (lavapipe) the time is CPU emulation; the dispatch count is what predicts a GPU's time for this
 * dispatch-bound workload (each dispatch costs tens of microseconds of TF.js + Dawn work on the host).
 * Prints one JSON line.
 */
import * as tf from '@tensorflow/tfjs-core';
import { formatBackendReport, initBackend } from '../kernel/src/backend';
import { ot } from '../kernel/src';
import { cosineCost } from './workloads/cosine_cost';
import { createTrainStep, type TrainStepName } from './workloads/train_step';
import { SINKHORN_WORKLOAD } from './workloads/sinkhorn';
import { median } from './workloads/timing';

interface Counted {
  recordAndSubmit(...args: unknown[]): void;
  readSync(...args: unknown[]): unknown;
  uploadToGPU(dataId: object): void;
  tensorMap: { get(dataId: object): { resource: unknown; values: unknown } };
  pipelineCache: Record<string, unknown>;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

async function main(): Promise<void> {
  const report = await initBackend({ backend: 'webgpu', log: null });
  process.stderr.write(`${formatBackendReport(report)}\n`);
  const backend = tf.backend() as unknown as Counted;
  const counts = { dispatches: 0, syncReads: 0, programs: new Map<string, number>() };
  const record = backend.recordAndSubmit.bind(backend);
  backend.recordAndSubmit = (...args: unknown[]) => {
    counts.dispatches++;
    const name = (args[0] as { constructor: { name: string } }).constructor.name;
    counts.programs.set(name, (counts.programs.get(name) ?? 0) + 1);
    record(...args);
  };
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (...args: unknown[]) => {
    counts.syncReads++;
    return readSync(...args);
  };

  const workload = arg('workload', 'sinkhorn-fwd');
  if (workload === 'train-step-ot' || workload === 'train-step-global') {
    let uploads = 0;
    const upload = backend.uploadToGPU.bind(backend);
    backend.uploadToGPU = (dataId: object) => {
      const data = backend.tensorMap.get(dataId);
      if (data.resource == null && data.values != null) uploads++;
      upload(dataId);
    };
    const setup = createTrainStep(workload as TrainStepName);
    for (let i = 0; i < Number(arg('warmup', '3')); i++) await setup.step(); // warm-up: pipelines compiled, moments on the GPU
    counts.dispatches = 0;
    counts.programs.clear();
    uploads = 0;
    const start = performance.now();
    await setup.step();
    const ms = performance.now() - start;
    setup.dispose();
    const programs = Object.fromEntries([...counts.programs].sort((a, b) => b[1] - a[1]));
    process.stdout.write(`${JSON.stringify({ workload, dispatches_per_step: counts.dispatches, uploads_per_step: uploads, programs, step_ms: ms, device: report.device })}\n`);
    return;
  }
  if (workload !== 'sinkhorn-fwd') throw new Error(`--workload: expected sinkhorn-fwd, train-step-ot or train-step-global; got '${workload}'`);
  const B = Number(arg('B', String(SINKHORN_WORKLOAD.B)));
  const runs = Number(arg('runs', '3'));
  const method = arg('method', 'auto') as 'auto' | 'kernel' | 'log';
  const { n, m, d, eps, iterations, seed } = SINKHORN_WORKLOAD;
  const C = cosineCost(B, n, m, d, seed);
  const options = { eps, maxIter: iterations, tol: 0, method, diagnostics: false } as const;
  const once = async () => {
    const r = ot.sinkhorn(C, options);
    const before = { dispatches: counts.dispatches, syncReads: counts.syncReads, programs: new Map(counts.programs) };
    const s = tf.sum(r.plan);
    await s.data();
    tf.dispose([s, r.plan, r.f, r.g, r.cost]);
    return { r, before };
  };
  await once(); // warm-up: compiles the pipelines
  counts.dispatches = 0;
  counts.syncReads = 0;
  counts.programs.clear();
  const tensorsBefore = tf.memory().numTensors;
  const { r, before } = await once();
  const perCall = { dispatches: before.dispatches, syncReads: before.syncReads, programs: Object.fromEntries(before.programs) };
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await once();
    times.push(performance.now() - start);
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  C.dispose();
  process.stdout.write(
    `${JSON.stringify({
      workload: 'sinkhorn-fwd',
      B, n, m, iterations,
      method: r.method,
      dispatches_per_call: perCall.dispatches,
      sync_reads_per_call: perCall.syncReads,
      programs: perCall.programs,
      median_ms: median(times),
      runs,
      tensors_leaked: leaked,
      device: report.device,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`webgpu_dispatches: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
