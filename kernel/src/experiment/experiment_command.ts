/**
 * `alignscope experiment [--quick] [--steps N] [--seeds K] [--config FILE] [--name NAME] [--out DIR] [--force]
 *                        [--workers W] [--backend B] [--data SOURCES [--test-data SOURCES]]`
 *
 * Trains global, filip, ot and global+ot on the grounded scenes — or, with --data, on dataset records
 * (COCO, RefCOCO, Flickr30k Entities, Visual Genome: records_experiment_data.ts) — over K seeds,
 * evaluates them and writes `<out>/<name>/metrics.json` and `report.html`.
 * Precedence: defaults < --quick < --config FILE < flags.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DATA_FLAG_HELP, parseDataSources, type DataSource } from '../data/datasets/data_sources';
import { loadTrainTestRecords } from '../data/datasets/train_test_sources';
import { DEFAULT_EXPERIMENT_CONFIG, QUICK_OVERRIDES, resolveExperimentConfig, type ExperimentConfig } from './experiment_config';
import { formatDuration } from './progress_bar';
import { rerenderReport } from './rerender_report';
import { buildRecordsExperimentData } from './records_experiment_data';
import { runExperiment } from './run_experiment';

export const EXPERIMENT_USAGE = `usage: alignscope experiment [--quick] [--steps N] [--seeds K] [--config FILE] [--name NAME] [--out DIR] [--force]
                            [--workers W] [--backend auto|wasm|cpu|...] [--data SOURCES [--test-data SOURCES]]

  --quick        ~1-minute smoke run (tiny model, few steps, 2 seeds)
  --steps N      training steps per run          --seeds K    seeds per method
  --config FILE  JSON partial ExperimentConfig (unknown keys are errors)
  --name NAME    run folder name (default: a fresh timestamped name); an existing folder needs --force
  --out DIR      parent folder of runs (default: runs)
  --workers W    parallel worker processes (default 2)
  --report-only  re-render report.html of the existing run --name (no training)
  --data SOURCES train on dataset records instead of the grounded scenes: one text per record (its first
                 caption, else referring expression, else region phrase), images resized to data.imageSize,
                 a vocabulary of at most data.maxVocabulary words built from the training texts
  --test-data SOURCES  evaluate on these records; without it, data.testScenes records (at most a fifth)
                 are held out of --data by a shuffle seeded with data.seed
                 Metrics: retrieval always; pointing where captions have phrases with boxes (Flickr30k
                 Entities); REC where records have referring expressions (RefCOCO)
  ${DATA_FLAG_HELP.replace(/\n/g, '\n  ')}
  (quote SOURCES in a shell: '?' and '&' are special there)
`;

export interface ParsedArgs {
  quick: boolean;
  steps?: number;
  seeds?: number;
  workers?: number;
  configFile?: string;
  name?: string;
  out: string;
  force: boolean;
  backend?: string;
  help: boolean;
  reportOnly: boolean;
  /** Parsed `--data` / `--test-data` sources. */
  data?: DataSource[];
  testData?: DataSource[];
}

export function parseExperimentArgs(argv: readonly string[]): ParsedArgs {
  const a: ParsedArgs = { quick: false, out: 'runs', force: false, help: false, reportOnly: false };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`experiment: ${flag} needs a value.`);
    return v;
  };
  const int = (v: string, flag: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`experiment: ${flag} expects a positive integer, got '${v}'.`);
    return n;
  };
  const sources = (v: string, flag: string): DataSource[] => {
    try {
      return parseDataSources(v);
    } catch (e) {
      throw new Error(`experiment: ${(e as Error).message.replace(/^--data/, flag)}`);
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    switch (f) {
      case '--quick': a.quick = true; break;
      case '--force': a.force = true; break;
      case '--report-only': a.reportOnly = true; break;
      case '--help': case '-h': a.help = true; break;
      case '--steps': a.steps = int(value(i, f), f); i++; break;
      case '--seeds': a.seeds = int(value(i, f), f); i++; break;
      case '--workers': a.workers = int(value(i, f), f); i++; break;
      case '--config': a.configFile = value(i, f); i++; break;
      case '--name': a.name = value(i, f); i++; break;
      case '--out': a.out = value(i, f); i++; break;
      case '--backend': a.backend = value(i, f); i++; break;
      case '--data': a.data = sources(value(i, f), f); i++; break;
      case '--test-data': a.testData = sources(value(i, f), f); i++; break;
      default: throw new Error(`experiment: unknown option '${f}'.\n${EXPERIMENT_USAGE}`);
    }
  }
  if (a.testData && !a.data) throw new Error('experiment: --test-data needs --data (the training records).');
  return a;
}

/** The resolved config of parsed arguments: defaults < --quick < --config FILE < --steps/--seeds/--workers. */
export function configFromArgs(a: ParsedArgs): ExperimentConfig {
  let config = a.quick ? resolveExperimentConfig(QUICK_OVERRIDES) : DEFAULT_EXPERIMENT_CONFIG;
  if (a.configFile !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(a.configFile, 'utf8'));
    } catch (e) {
      throw new Error(`experiment: cannot read --config '${a.configFile}': ${(e as Error).message}`);
    }
    config = resolveExperimentConfig(parsed, config);
  }
  const flags: Record<string, unknown> = {};
  if (a.steps !== undefined) {
    flags.train = { steps: a.steps, warmupSteps: Math.min(config.train.warmupSteps, a.steps) };
  }
  if (a.seeds !== undefined) flags.seeds = a.seeds;
  if (a.workers !== undefined) flags.workers = a.workers;
  return resolveExperimentConfig(flags, config);
}

export async function experimentCommand(argv: string[]): Promise<number> {
  const args = parseExperimentArgs(argv);
  if (args.help) {
    process.stdout.write(EXPERIMENT_USAGE);
    return 0;
  }
  if (args.reportOnly) {
    if (args.name === undefined) throw new Error('experiment: --report-only needs --name NAME (the run to re-render).');
    const dir = join(args.out, args.name);
    const { table } = rerenderReport(dir);
    process.stdout.write(`${table}\n\nre-rendered ${join(dir, 'report.html')}\n`);
    return 0;
  }
  let config = configFromArgs(args);
  let data;
  let dataSec = 0;
  if (args.data) {
    const t0 = performance.now();
    const split = await loadTrainTestRecords({ data: args.data, ...(args.testData ? { testData: args.testData } : {}), holdOut: config.data.testScenes, seed: config.data.seed });
    process.stderr.write(`alignscope experiment: ${split.train.length} training and ${split.test.length} test records (${split.rule}); decoding and resizing images…\n`);
    const built = await buildRecordsExperimentData(split, config, { sources: split.sources, rule: split.rule });
    config = built.config;
    data = built.data;
    dataSec = (performance.now() - t0) / 1000;
    const v = data.datasetConfig as { vocabulary: { size: number; unknownRate?: number }; test: { groundedTokens: number; expressions: number } };
    process.stderr.write(
      `alignscope experiment: vocabulary ${v.vocabulary.size} words${v.vocabulary.unknownRate !== undefined ? ` ([UNK] ${(100 * v.vocabulary.unknownRate).toFixed(1)}% of training words)` : ''}; ` +
        `test: ${data.test.count} images, ${v.test.groundedTokens} grounded tokens, ${v.test.expressions} referring expressions\n`,
    );
  }
  const jobs = config.methods.length * config.seeds;
  process.stderr.write(
    `alignscope experiment: ${config.methods.join(', ')} × ${config.seeds} seeds = ${jobs} runs of ${config.train.steps} steps ${data ? 'on dataset records ' : ''}` +
      `(batch ${config.train.batchSize}, ${config.data.imageSize}px, width ${config.model.width}), ${config.workers} workers\n`,
  );
  const r = await runExperiment({
    config,
    ...(data ? { data, dataSec } : {}),
    outDir: args.out,
    ...(args.name !== undefined ? { name: args.name } : {}),
    force: args.force,
    ...(args.backend !== undefined ? { backend: args.backend } : {}),
    command: ['alignscope', 'experiment', ...argv].join(' '),
  });
  const rel = relative(process.cwd(), r.dir) || '.';
  process.stdout.write(`\n${r.table}\n\n`);
  for (const t of r.targets) process.stdout.write(`${t.text}\n`);
  process.stdout.write(
    `\nbackend ${r.backend.backend} (${r.backend.device}); wall time ${formatDuration(r.wallSec)}\n` +
      `wrote ${rel}/metrics.json and ${rel}/report.html\n`,
  );
  return 0;
}
