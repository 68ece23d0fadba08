/**
 * `npm run bench [-- --backend B] [-- --workloads a,b] [-- --runs N] [-- --reference]`
 *
 * Prints one JSON line per workload of ../shared/bench-workloads.md: {"workload", "median_ms", "runs",
 * "backend", ...}. With --reference it also runs the plain PyTorch-CPU implementations of the same
 * workloads (bench/reference/*.py, Debian python3-torch) on this machine and prints their lines plus a
 * `comparison` line per workload (our time / theirs). A benchmark, never a timed test.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatBackendReport, initBackend, isBackendChoice } from '../kernel/src/backend';
import { runSinkhornWorkloads } from './workloads/sinkhorn';
import { runTrainStepWorkloads } from './workloads/train_step';

const WORKLOADS = ['sinkhorn-fwd', 'sinkhorn-fwd-bwd', 'train-step-global', 'train-step-ot'] as const;
type Workload = (typeof WORKLOADS)[number];

interface Args {
  backend?: string;
  workloads: Workload[];
  /** Timed runs / warm-up runs; the spec's defaults are 5 + 1 for Sinkhorn and 20 + 3 steps for training. */
  runs?: number;
  warmup?: number;
  reference: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { workloads: [...WORKLOADS], reference: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag}: missing value`);
      return v;
    };
    if (flag === '--backend') {
      const b = value();
      if (!isBackendChoice(b)) throw new Error(`--backend: expected auto, gpu, webgpu, node, wasm or cpu; got '${b}'`);
      args.backend = b;
    } else if (flag === '--workloads') {
      const names = value().split(',');
      for (const name of names) {
        if (!(WORKLOADS as readonly string[]).includes(name)) throw new Error(`--workloads: unknown workload '${name}'; expected ${WORKLOADS.join(', ')}`);
      }
      args.workloads = names as Workload[];
    } else if (flag === '--runs') {
      const runs = Number(value());
      if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: expected a positive integer`);
      args.runs = runs;
    } else if (flag === '--warmup') {
      const warmup = Number(value());
      if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`--warmup: expected an integer >= 0`);
      args.warmup = warmup;
    } else if (flag === '--reference') {
      args.reference = true;
    } else {
      throw new Error(`unknown flag '${flag}'`);
    }
  }
  return args;
}

/** Runs a PyTorch reference script; returns its JSON lines (empty, with a note on stderr, when torch is missing). */
function runReference(script: string, extra: string[]): Array<Record<string, unknown>> {
  const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const result = spawnSync(python, [path.join(__dirname, 'reference', script), ...extra], { encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(`[bench] reference ${script} failed (is Debian python3-torch installed?): ${result.stderr.split('\n').slice(-3).join(' ')}\n`);
    return [];
  }
  return result.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const report = await initBackend({ backend: args.backend as never, log: null });
  process.stderr.write(`${formatBackendReport(report)}\n`);
  const print = (line: object) => process.stdout.write(`${JSON.stringify({ ...line, device: report.device })}\n`);
  const ours: Record<string, number> = {};

  const wantSinkhorn = args.workloads.filter((w) => w.startsWith('sinkhorn'));
  if (wantSinkhorn.length > 0) {
    for (const line of await runSinkhornWorkloads({ runs: args.runs ?? 5, warmup: args.warmup ?? 1, method: 'auto' })) {
      const name = (line as { workload: Workload }).workload;
      if (!wantSinkhorn.includes(name)) continue;
      ours[name] = (line as { median_ms: number }).median_ms;
      print(line);
    }
  }
  const wantTrain = args.workloads.filter((w): w is 'train-step-global' | 'train-step-ot' => w.startsWith('train-step'));
  if (wantTrain.length > 0) {
    for (const line of await runTrainStepWorkloads({ only: wantTrain, runs: args.runs, warmup: args.warmup })) {
      ours[(line as { workload: string }).workload] = (line as { median_ms: number }).median_ms;
      print(line);
    }
  }

  if (!args.reference) return;
  const reference = [
    ...(wantSinkhorn.length > 0 ? runReference('torch_sinkhorn.py', ['--runs', String(args.runs ?? 5)]) : []),
    ...(wantTrain.length > 0 ? runReference('torch_train_step.py', []) : []),
  ];
  for (const line of reference) process.stdout.write(`${JSON.stringify(line)}\n`);
  for (const line of reference) {
    const workload = String(line.workload);
    if (ours[workload] === undefined || typeof line.median_ms !== 'number') continue;
    process.stdout.write(
      `${JSON.stringify({
        comparison: workload,
        ours_ms: ours[workload],
        reference: line.impl ?? 'pytorch-cpu',
        reference_ms: line.median_ms,
        speedup: Number((line.median_ms / ours[workload]!).toFixed(2)),
      })}\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
