/**
 * `alignscope grounded-lm [--quick] [--config FILE] [--seeds K | --seed S] [--arms A[,B]] [--name NAME] [--out DIR] [--force]
 *                         [--data SOURCES [--test-data SOURCES] [--max-vocabulary N]]` — seed line (ii):
 * stage 0 (text-only LM) → stage 1 (grounded training with a coordinate codec) → evaluation, as an
 * ablation (with vs without stage 0; codec A vs codec B; ≥ 1 seed each), run in parallel worker
 * processes (`workers`, default 2: one per core). Writes runs/<name>/metrics.json and
 * runs/<name>/report.html; each run's checkpoint and result JSON lie under runs/<name>/<arm>-seed<k>/.
 * A finished run's result is reused on a rerun (so an interrupted ablation continues); --force redoes all.
 *
 * With --data the scenes are dataset records (seq/record_scenes.ts): objects → detection and listing,
 * phrases / regions with boxes → region captioning, referring expressions → REC; the parent builds them
 * once and hands them to the workers in <run>/data.bin. The line-(i) baseline is skipped there (run
 * `alignscope experiment --data` for line i on the same records).
 *
 * Internal: `grounded-lm --worker JOB.json` runs one job (stage 0 or stage 1) and writes its result file.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { serialize, deserialize } from 'node:v8';
import { initBackend, type BackendName } from '../backend';
import { DATA_FLAG_HELP, parseDataSources, type DataSource } from '../data/datasets/data_sources';
import { loadTrainTestRecords } from '../data/datasets/train_test_sources';
import { newBoxWarnings } from '../seq/box_check';
import { codecOracle, type OracleReport } from '../seq/codec_oracle';
import { codecByName } from '../seq/codec_registry';
import { ablationArms, summarise } from '../seq/grounded_lm_ablation';
import { checkConfigForRecords, resolveGroundedLMConfig, type GroundedLMConfig } from '../seq/grounded_lm_config';
import { groundedLMReport } from '../seq/grounded_lm_report';
import { runStage0, runStage1, sceneSourceOf, type Arm, type ArmResult } from '../seq/grounded_lm_run';
import { lineIRecBaseline, type LineIRecResult } from '../seq/line_i_rec_baseline';
import { buildRecordScenes, type RecordScenesData } from '../seq/record_scenes';
import { ScenePool } from '../seq/scene_pool';
import { firstDifference } from '../train';

interface Job {
  id: string;
  kind: 'stage0' | 'stage1' | 'lineI';
  config: GroundedLMConfig;
  seed: number;
  arm?: Arm;
  outDir: string;
  stage0Dir: string | null;
  resultFile: string;
  /** The backend the parent resolved: workers use the same one (and skip probing the others). */
  backend: BackendName;
  /** v8-serialised RecordScenesData (--data), or absent for the grounded scenes. */
  dataFile?: string;
}

export const GROUNDED_LM_USAGE = `usage: alignscope grounded-lm [--quick] [--config FILE] [--seeds K | --seed S] [--arms A[,B]] [--name NAME] [--out DIR] [--force]
                             [--data SOURCES [--test-data SOURCES] [--max-vocabulary N]]

  --seeds K            seeds 0 … K−1 (default: the config's \`seeds\`)
  --seed S             seed S only — the same run as seed S of a --seeds run (e.g. to replay one seed of it)
  --arms A[,B]         run only these stage-1 arms of the ablation (pretrained-<codecA>, scratch-<codecA>,
                       pretrained-<codecB>); stage 0 runs only when a chosen arm needs it
  --out DIR            parent folder of runs (default runs)
  --data SOURCES       train on dataset records instead of the grounded scenes: objects → detection and
                       listing, phrases/regions with boxes → region captioning, referring expressions → REC;
                       images resized to data.imageSize, a text vocabulary built from the training texts
  --test-data SOURCES  evaluate on these records (all of them: eval.count is set to their number); without
                       it, data.testScenes records (at most a fifth) are held out of --data by a shuffle
                       seeded with data.seed
  --max-vocabulary N   text vocabulary entries at most with --data (default 4096; rarer words are [UNK])
  ${DATA_FLAG_HELP.replace(/\n/g, '\n  ')}
  (quote SOURCES in a shell: '?' and '&' are special there)
`;
const USAGE = GROUNDED_LM_USAGE;

/** Box tokens of the longest box a codec writes (<box> and </box> included). */
function boxTokens(codec: string, size: number): number {
  const c = codecByName(codec);
  return 2 + Math.max(...[[0, 0, size, size], [size * 0.9, size * 0.9, size, size], [size * 0.123, size * 0.456, size * 0.789, size * 0.987]].map((b) => c.encode(b as [number, number, number, number], size, size).length));
}

/** Loads --data / --test-data and adapts the records so that every sequence fits model.maxLength. */
async function recordScenesFor(cfg: GroundedLMConfig, data: DataSource[], testData: DataSource[] | undefined, maxVocabulary: number, log: (l: string) => void): Promise<RecordScenesData> {
  const split = await loadTrainTestRecords({ data, ...(testData ? { testData } : {}), holdOut: cfg.data.testScenes, seed: cfg.data.seed });
  log(`--data: ${split.train.length} training and ${split.test.length} test records (${split.rule}); decoding and resizing images…`);
  const prefix = (cfg.data.imageSize / cfg.model.patchSize) ** 2;
  const box = Math.max(boxTokens(cfg.codecA, cfg.data.imageSize), boxTokens(cfg.codecB, cfg.data.imageSize)); // the codecs the arms train with
  const room = cfg.model.maxLength - prefix; // text positions after the image prefix
  // detection: [BOS] detect [SEP] (box name)×k [EOS];  REC: [BOS] locate words [SEP] box [EOS]
  const maxObjects = Math.floor((room - 4) / (box + 1));
  const maxWords = Math.min(32, room - box - 4);
  if (maxObjects < 1 || maxWords < 1) {
    throw new Error(`grounded-lm --data: model.maxLength ${cfg.model.maxLength} leaves ${room} text positions after the ${prefix}-patch image prefix: too few for one box of ${box} tokens; raise model.maxLength.`);
  }
  return buildRecordScenes(split, { imageSize: cfg.data.imageSize, maxObjects, maxWords, maxVocabulary, sources: split.sources, rule: split.rule, onWarning: log });
}

export async function groundedLmCommand(argv: string[]): Promise<number> {
  if (argv[0] === '--worker') return worker(argv[1]);
  let quick = false;
  let force = false;
  let configFile = '';
  let seeds: number | undefined;
  let onlySeed: number | undefined;
  let name = '';
  let out = 'runs';
  let data: DataSource[] | undefined;
  let testData: DataSource[] | undefined;
  let maxVocabulary = 4096;
  let armNames: string[] | undefined;
  const sources = (v: string, flag: string): DataSource[] => {
    try {
      return parseDataSources(v);
    } catch (e) {
      throw new Error(`grounded-lm: ${(e as Error).message.replace(/^--data/, flag)}`);
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`grounded-lm: ${a} needs a value.\n${USAGE}`);
      return v;
    };
    if (a === '--quick') quick = true;
    else if (a === '--force') force = true;
    else if (a === '--config') configFile = value();
    else if (a === '--name') name = value();
    else if (a === '--out') out = value();
    else if (a === '--arms') armNames = value().split(',').map((x) => x.trim()).filter(Boolean);
    else if (a === '--data') data = sources(value(), a);
    else if (a === '--test-data') testData = sources(value(), a);
    else if (a === '--max-vocabulary') {
      maxVocabulary = Number(value());
      if (!Number.isInteger(maxVocabulary) || maxVocabulary < 16) throw new Error(`grounded-lm: --max-vocabulary expects an integer ≥ 16; got '${argv[i]}'.`);
    } else if (a === '--seeds') {
      seeds = Number(value());
      if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`grounded-lm: --seeds expects a positive integer; got '${argv[i]}'.`);
    } else if (a === '--seed') {
      onlySeed = Number(value());
      if (!Number.isInteger(onlySeed) || onlySeed < 0) throw new Error(`grounded-lm: --seed expects a non-negative integer; got '${argv[i]}'.`);
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      return 0;
    } else throw new Error(`grounded-lm: unknown option '${a}'.\n${USAGE}`);
  }
  if (seeds !== undefined && onlySeed !== undefined) throw new Error('grounded-lm: --seeds K runs seeds 0 … K−1 and --seed S runs seed S only; pass one of them.');
  if (testData && !data) throw new Error('grounded-lm: --test-data needs --data (the training records).');
  const overrides = configFile ? (JSON.parse(await fs.readFile(configFile, 'utf8')) as Record<string, unknown>) : {};
  if (seeds !== undefined) overrides.seeds = seeds;
  if (onlySeed !== undefined) overrides.seeds = 1;
  let cfg = resolveGroundedLMConfig(overrides, quick);
  const chosenArms = (c: GroundedLMConfig): Arm[] => {
    const all = ablationArms(c);
    const unknown = (armNames ?? []).filter((n) => !all.some((arm) => arm.name === n));
    if (unknown.length) throw new Error(`grounded-lm: --arms: unknown arm '${unknown[0]}'; the arms of this config: ${all.map((arm) => arm.name).join(', ')}.`);
    const chosen = armNames ? all.filter((arm) => armNames!.includes(arm.name)) : all;
    const unordered = chosen.find((arm) => !arm.codec.startsWith('bins'));
    if (c.eval.coordinateReadout !== 'argmax' && unordered) {
      throw new Error(`grounded-lm: eval.coordinateReadout '${c.eval.coordinateReadout}' needs the bins codec, but arm '${unordered.name}' uses '${unordered.codec}'; choose the bins arms with --arms or set it to 'argmax'.`);
    }
    return chosen;
  };
  chosenArms(cfg); // a bad --arms fails before anything is written
  if (data) checkConfigForRecords(cfg);
  name ||= quick ? 'grounded-lm-quick' : 'grounded-lm';
  const root = path.resolve(out, name);
  const log = (line: string): void => void process.stdout.write(`[grounded-lm ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  // the records first: a bad --data fails before anything is written
  const records: RecordScenesData | undefined = data ? await recordScenesFor(cfg, data, testData, maxVocabulary, log) : undefined;
  if (force) await fs.rm(root, { recursive: true, force: true });
  await fs.mkdir(path.join(root, 'jobs'), { recursive: true });
  let dataFile: string | undefined;
  if (records) {
    // the stored config says what ran: the record counts replace the scene counts, and every test record is
    // evaluated (the test set is what --test-data / the held-out slice gives: size it with `limit`)
    const counts = { trainScenes: records.train.length, testScenes: records.test.length };
    cfg = resolveGroundedLMConfig({ ...overrides, data: { ...(overrides.data as object | undefined), ...counts }, eval: { ...(overrides.eval as object | undefined), count: records.test.length } }, quick);
    dataFile = path.join(root, 'data.bin');
    await fs.writeFile(dataFile, serialize(records));
    const d = records.description;
    log(`--data: vocabulary ${d.vocabulary.size} words ([UNK] ${(100 * d.vocabulary.unknownRate).toFixed(1)}% of training words), ${d.names} object names, tasks ${records.tasks.join(', ')}; ` +
      `test: ${d.test.records} images, ${d.test.objects} objects, ${d.test.expressions} expressions`);
  }
  const report = await initBackend({ log: null });
  const backend = `${report.backend} (${report.device})`;
  const seedList = onlySeed !== undefined ? [onlySeed] : Array.from({ length: cfg.seeds }, (_, s) => s);
  log(`${path.relative(process.cwd(), root) || root}: seed(s) ${seedList.join(', ')}, codecs ${cfg.codecA} vs ${cfg.codecB}, ${cfg.workers} workers, backend ${backend}`);

  // codec oracles (cheap, in-process)
  const scenes = sceneSourceOf(cfg, records);
  const pool = new ScenePool(scenes);
  const oracles: Record<string, OracleReport> = {};
  for (const c of [cfg.codecA, cfg.codecB, 'text1000']) {
    oracles[c] = codecOracle(codecByName(c), pool, 'test', Math.min(cfg.eval.count, scenes.size('test')), { clipBoxes: cfg.clipBoxes }, newBoxWarnings());
    log(`oracle ${c}: REC ${oracles[c].metrics.rec.accuracy.toFixed(4)}, mAP ${oracles[c].metrics.detection.AP.toFixed(4)}`);
  }

  const job = (kind: Job['kind'], seed: number, arm?: Arm): Job => {
    const id = kind === 'stage0' ? `stage0-seed${seed}` : kind === 'lineI' ? `line-i-ot-seed${seed}` : `${arm!.name}-seed${seed}`;
    const outDir = path.join(root, id);
    return { id, kind, config: cfg, seed, arm, outDir, stage0Dir: arm?.pretrained ? path.join(root, `stage0-seed${seed}`) : null, resultFile: path.join(outDir, 'result.json'), backend: report.backend, ...(dataFile ? { dataFile } : {}) };
  };
  const arms = chosenArms(cfg);
  if (arms.some((arm) => arm.pretrained)) await runPool(seedList.map((s) => job('stage0', s)), cfg.workers, log);
  const stage1 = seedList.flatMap((s) => arms.map((arm) => job('stage1', s, arm)));
  const lineI = cfg.lineIBaseline.steps > 0 && !records ? [job('lineI', 0)] : [];
  await runPool([...stage1, ...lineI], cfg.workers, log);
  const lineIResult = lineI.length ? (JSON.parse(await fs.readFile(lineI[0]!.resultFile, 'utf8')) as LineIRecResult) : null;

  const results: ArmResult[] = [];
  for (const j of stage1) results.push(JSON.parse(await fs.readFile(j.resultFile, 'utf8')) as ArmResult);
  const summary = summarise(cfg, results, oracles);
  const metrics = {
    name,
    createdAt: new Date().toISOString(),
    backend,
    note: 'timings are wall-clock on 2 CPU cores shared with other jobs (pessimistic)',
    config: cfg,
    ...(records ? { datasetConfig: records.description } : {}),
    oracles: Object.fromEntries(Object.entries(oracles).map(([k, o]) => [k, { ...o, metrics: { rec: o.metrics.rec, detection: o.metrics.detection } }])),
    summary,
    runs: results.map(({ examples: _examples, ...r }) => r),
    lineIBaseline: lineIResult
      ? { ...lineIResult, method: 'OT dual encoder (line i), box of the object holding most plan mass; seed 0' }
      : records
        ? 'skipped (--data: run `alignscope experiment --data` for line (i) on the same records)'
        : 'skipped (lineIBaseline.steps = 0)',
  };
  await fs.writeFile(path.join(root, 'metrics.json'), JSON.stringify(metrics, null, 1) + '\n');
  const html = groundedLMReport(name, cfg, results, oracles, summary, scenes, backend, lineIResult);
  await fs.writeFile(path.join(root, 'report.html'), `<!doctype html><html><head><meta charset="utf-8"><title>${name}</title></head><body>\n${html}</body></html>\n`);
  for (const [arm, a] of Object.entries(summary.arms)) {
    log(`${arm}: REC ${a.metrics.recAcc!.mean.toFixed(4)} ± ${a.metrics.recAcc!.sd.toFixed(4)}, mAP ${a.metrics.AP!.mean.toFixed(4)}, names micro-F1 ${a.metrics.nameMicroF1!.mean.toFixed(4)}${Number.isFinite(a.metrics.checklistNameMicroF1!.mean) ? ` (checklist ${a.metrics.checklistNameMicroF1!.mean.toFixed(4)})` : ''}, train ${a.metrics.trainSeconds!.mean.toFixed(0)} s`);
  }
  if (lineIResult) log(`line-(i) OT zero-shot REC: ${lineIResult.accuracy.toFixed(4)} (N ${lineIResult.n})`);
  for (const t of summary.targets) log(`target ${t.name}: ${t.value.toFixed(4)} (${t.target}) ${t.pass ? 'met' : 'NOT met'}`);
  log(`wrote ${path.join(path.relative(process.cwd(), root) || root, 'metrics.json')} and report.html`);
  return 0;
}

/** Where a job's description is written when it starts (its config included). */
const jobFileOf = (j: Job): string => path.join(path.dirname(j.outDir), 'jobs', `${j.id}.json`);

/**
 * A finished job is reused only if it ran with this config: its job file's config, with the defaults of
 * switches added since filled in (every one reproduces the behaviour before it), must equal the current
 * one but for `seeds` and `workers` (how many and how in parallel, not what each run is).
 */
async function checkReusable(j: Job): Promise<void> {
  let stored: Job;
  try {
    stored = JSON.parse(await fs.readFile(jobFileOf(j), 'utf8')) as Job;
  } catch {
    throw new Error(`grounded-lm: ${j.outDir} holds a result but no job file (${jobFileOf(j)}) saying how it was made; pass --force to redo it, or choose another --name.`);
  }
  const comparable = (c: GroundedLMConfig) => ({ ...resolveGroundedLMConfig(c), seeds: 0, workers: 0 });
  const diff = firstDifference(comparable(stored.config), comparable(j.config));
  if (diff) throw new Error(`grounded-lm: the result in ${j.outDir} was made with another configuration — ${diff} (then vs now); pass --force to redo it, or choose another --name.`);
}

/** Runs jobs in `workers` child processes at a time; a job whose result file exists (with this config) is skipped. */
async function runPool(jobs: Job[], workers: number, log: (l: string) => void): Promise<void> {
  const done = jobs.filter((j) => existsSync(j.resultFile));
  for (const j of done) await checkReusable(j);
  const queue = jobs.filter((j) => !done.includes(j));
  done.forEach((j) => log(`${j.id}: result exists, reused`));
  const failures: string[] = [];
  const next = async (): Promise<void> => {
    for (let j = queue.shift(); j; j = queue.shift()) {
      const file = jobFileOf(j);
      await fs.writeFile(file, JSON.stringify(j));
      log(`${j.id}: started`);
      const code = await new Promise<number>((resolve) => {
        // the IPC channel ties the worker to this process: it exits when this one ends, however it ends
        const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'grounded-lm', '--worker', file], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        child.on('exit', (c) => resolve(c ?? 1));
        child.on('error', () => resolve(1));
      });
      if (code !== 0) failures.push(`${j.id} (exit ${code})`);
      else log(`${j.id}: done`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, next));
  if (failures.length) throw new Error(`grounded-lm: jobs failed: ${failures.join(', ')}`);
}

async function worker(file: string | undefined): Promise<number> {
  if (!file) throw new Error('grounded-lm --worker: expected a job file.');
  if (process.channel) {
    // started by runPool: stop when the parent is gone (killed, crashed) instead of training on unobserved
    process.on('disconnect', () => process.exit(129));
    process.channel.unref(); // the channel alone must not keep this process alive
    if (!process.connected) process.exit(129); // a disconnect already seen before the handler existed
  }
  const j = JSON.parse(await fs.readFile(file, 'utf8')) as Job;
  // resolved again: a job file written before a config key existed gets the key's default (and a bad value an error naming it)
  j.config = resolveGroundedLMConfig(j.config);
  await initBackend({ backend: j.backend, log: null });
  const data = j.dataFile ? (deserialize(await fs.readFile(j.dataFile)) as RecordScenesData) : undefined;
  const log = (line: string): void => void process.stdout.write(`[${j.id} ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  await fs.mkdir(j.outDir, { recursive: true });
  if (j.kind === 'stage0') {
    const r = await runStage0(j.config, j.seed, j.outDir, log, data);
    await fs.writeFile(j.resultFile, JSON.stringify({ stoppedReason: r.stoppedReason, step: r.step, finalLoss: r.history[r.history.length - 1]?.loss ?? null }));
  } else if (j.kind === 'lineI') {
    await fs.writeFile(j.resultFile, JSON.stringify(await lineIRecBaseline(j.config, j.seed, log)));
  } else {
    const r = await runStage1(j.config, j.arm!, j.seed, j.outDir, j.stage0Dir, log, data);
    await fs.writeFile(j.resultFile, JSON.stringify(r));
  }
  return 0;
}
