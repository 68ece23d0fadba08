/**
 * The experiment (issue 3, item 6): train every method × seed with the same budget in parallel worker
 * processes, evaluate on the test split, aggregate mean ± 95% CI over seeds, and write
 * `<out>/<name>/metrics.json` and a self-contained `<out>/<name>/report.html`.
 *
 * @example
 *   const r = await runExperiment({ config: resolveExperimentConfig(QUICK_OVERRIDES), outDir: 'runs', name: 'smoke' });
 *   console.log(r.table);
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { aggregateRuns, type MethodSummary } from './aggregate';
import { buildExperimentData, type ExperimentData } from './experiment_data';
import type { ExperimentConfig } from './experiment_config';
import { investigationNotes } from './findings_notes';
import { ProgressBar } from './progress_bar';
import { buildReportHtml } from './report_html';
import { checkResearchTarget, type TargetCheck } from './research_target';
import { prepareRunFolder } from './run_folder';
import type { RunJob, RunResult } from './run_one';
import { summaryColumns, summaryTable } from './summary_table';
import { runInWorkers } from './worker_pool';

export interface RunExperimentOptions {
  config: ExperimentConfig;
  /**
   * The data, built beforehand: dataset records via buildRecordsExperimentData (`--data`), or any
   * ExperimentData of config.data's image size and text length. Default: the grounded scenes of config.data.
   */
  data?: ExperimentData;
  /** Seconds spent building `data` beforehand (loading and resizing records): counted in the stored timing. */
  dataSec?: number;
  /** Parent folder of run folders. Default 'runs'. */
  outDir?: string;
  /** Run folder name; default a fresh timestamped name. An existing one is an error unless `force`. */
  name?: string;
  force?: boolean;
  /** Backend for the workers (default: ALIGNSCOPE_BACKEND or auto). */
  backend?: string;
  /** Where progress goes (default stderr); null for none. */
  progress?: (NodeJS.WritableStream & { isTTY?: boolean; columns?: number }) | null;
  /** How the run was invoked (stored in metrics.json). */
  command?: string;
}

export interface ExperimentResult {
  dir: string;
  name: string;
  wallSec: number;
  summaries: Record<string, MethodSummary>;
  targets: TargetCheck[];
  runs: RunResult[];
  table: string;
  backend: { backend: string; device: string };
}

/** A share as a percentage, 'n/a' when undefined (e.g. hit@1 of records without boxes). */
const pct = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)}%`);

export async function runExperiment(o: RunExperimentOptions): Promise<ExperimentResult> {
  const t0 = performance.now();
  const config = o.config;
  const { dir, name } = prepareRunFolder(o.outDir ?? 'runs', o.name, o.force ?? false);
  const tData = performance.now();
  const data = o.data ?? buildExperimentData(config);
  for (const [what, set] of [['train', data.train], ['test', data.test]] as const) {
    if (set.imageSize !== config.data.imageSize || set.textLength !== config.data.textLength) {
      throw new Error(
        `runExperiment: data.${what} is ${set.imageSize} px × ${set.textLength} tokens but config.data says ${config.data.imageSize} px × ${config.data.textLength} tokens.`,
      );
    }
  }
  const dataSec = (performance.now() - tData) / 1000 + (o.dataSec ?? 0);
  const tmp = mkdtempSync(join(tmpdir(), 'alignscope-experiment-'));
  const dataFile = join(tmp, 'data.bin');
  writeFileSync(dataFile, serialize(data));

  const jobs: RunJob[] = [];
  for (let s = 0; s < config.seeds; s++) for (const method of config.methods) jobs.push({ method, seed: config.baseSeed + s });
  const stream = o.progress === undefined ? process.stderr : o.progress;
  const bar = stream ? new ProgressBar(jobs.length, config.train.steps, stream) : null;
  const backend = { backend: 'unknown', device: 'unknown' };
  let runs: RunResult[];
  try {
    runs = await runInWorkers(jobs, {
      size: config.workers,
      config,
      dataFile,
      ...(o.backend ? { backend: o.backend } : {}),
      onReady: (b, d) => Object.assign(backend, { backend: b, device: d }),
      onProgress: (i, p) =>
        bar?.update(i, {
          label: `${jobs[i]!.method} s${jobs[i]!.seed}`,
          step: p.kind === 'step' ? p.step : config.train.steps,
          totalSteps: config.train.steps,
          loss: p.kind === 'step' ? p.loss : NaN,
          evaluating: p.kind === 'evaluating',
        }),
      onDone: (i, r) =>
        bar?.finish(
          i,
          `done ${r.method} seed ${r.seed}: ${r.stoppedReason}, train ${r.trainSec.toFixed(0)} s, eval ${r.evalSec.toFixed(0)} s, ` +
            `hit@1 ${pct(r.metrics['grounding.own.hitAt1'])}, i2t R@1 ${pct(r.metrics['retrieval.own.i2t.R@1'])}` +
            (r.metrics['rec.own.accuracy'] !== undefined ? `, REC ${pct(r.metrics['rec.own.accuracy'])}` : ''),
        ),
    });
  } finally {
    bar?.close();
    rmSync(tmp, { recursive: true, force: true });
  }

  const summaries = aggregateRuns(runs, config.methods);
  const targets = checkResearchTarget(summaries);
  const wallSec = (performance.now() - t0) / 1000 + (o.dataSec ?? 0);
  const createdAt = new Date().toISOString();
  const findings = [...investigationNotes(summaries, runs)];
  const metrics = {
    name,
    createdAt,
    command: o.command ?? null,
    wallSec,
    timing: {
      wallSec,
      dataSec,
      /** Sum over runs of the workers' CPU seconds; / workers + dataSec ≈ the wall time on an otherwise idle machine. */
      runCpuSec: runs.reduce((a, r) => a + (r.metrics['time.cpuSec'] ?? NaN), 0),
      idleEstimateSec: dataSec + runs.reduce((a, r) => a + (r.metrics['time.cpuSec'] ?? NaN), 0) / config.workers,
    },
    backend,
    workers: config.workers,
    config,
    datasetConfig: data.datasetConfig,
    definitions: DEFINITIONS,
    methods: Object.fromEntries(
      Object.entries(summaries).map(([m, s]) => [
        m,
        Object.fromEntries(Object.entries(s).map(([k, v]) => [k, { mean: v.mean, ci95: v.halfWidth, lower: v.lower, upper: v.upper, std: v.std, n: v.n, values: v.values }])),
      ]),
    ),
    researchTarget: targets,
    findings,
    runs: runs.map((r) => ({
      method: r.method,
      seed: r.seed,
      stoppedReason: r.stoppedReason,
      message: r.message,
      parameters: r.parameters,
      trainSec: r.trainSec,
      evalSec: r.evalSec,
      metrics: r.metrics,
      lossCurve: r.lossCurve.map((p) => [p.step, p.loss]),
      samples: r.samples,
    })),
  };
  const shown = new Set(runs.flatMap((r) => r.samples.map((s) => s.index)));
  const S = data.test.imageSize;
  const testImages = new Map([...shown].map((i) => [i, data.test.images.subarray(i * S * S * 3, (i + 1) * S * S * 3)] as const));
  // dataset records cannot be regenerated from a config: keep the few shown test images (RGB, base64) for --report-only
  const sampleImages = o.data ? Object.fromEntries([...testImages].map(([i, px]) => [i, Buffer.from(px).toString('base64')])) : undefined;
  writeFileSync(
    join(dir, 'metrics.json'),
    `${JSON.stringify({ ...metrics, ...(sampleImages ? { sampleImages } : {}) }, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
  );

  const html = buildReportHtml({
    name,
    createdAt,
    wallSec,
    backend,
    config,
    summaries,
    runs,
    targets,
    findings,
    testImages,
    imageSize: S,
    grid: S / config.model.patchSize,
  });
  writeFileSync(join(dir, 'report.html'), html);
  return { dir, name, wallSec, summaries, targets, runs, table: summaryTable(summaries, summaryColumns(runs)), backend };
}

/** Metric definitions stored in metrics.json. */
export const DEFINITIONS: Record<string, string> = {
  'retrieval.global': 'R@K by cosine of L2-normalised mean patch / mean valid-token features; ties count against the query.',
  'retrieval.otRerank': 'the global top-k (k = eval.rerankK; 0 = all) re-ranked by the OT pair score sum(P * S) with the run\'s eps, iterations and tau.',
  'retrieval.own': 'global for global and filip, otRerank for ot and global+ot.',
  'grounding.sim': 'for every content word (size/colour/shape) of a test caption on its own image: softmax over patches of cos(patch, word) / temperature.',
  'grounding.plan': 'the same words, the column of the Sinkhorn plan between the image\'s patches and the caption\'s tokens.',
  'grounding.own': 'plan for ot and global+ot, sim for global and filip.',
  hitAt1: 'the highest patch\'s centre lies in the word\'s object box (pointing game).',
  massInBox: 'share of the column\'s mass on patches whose centre lies in the box.',
  randomBaseline: 'expected hit@1 of a uniformly random patch (the box\'s share of patch centres).',
  plan:
    'planDiagnostics of the matched pairs\' plans (token part), averaged over test images (entropy in nats; normEntropy 1 = uniform plan). ' +
    'With a dustbin the reference marginals are those of the token part, (1 - rho)/n per patch and (1 - rho)/m per token: colError ~ 0 and ' +
    'rowError measures how unevenly the patches keep mass from the dustbin.',
  ci95: 'half-width of the 95% CI over seeds, Student t with n - 1 degrees of freedom.',
};
