/**
 * One run of the ablation, in-process: stage 0 (text-only LM, checkpointed by the trainer) or stage 1
 * (load stage 0 if the arm is pretrained → extend the vocabulary → grounded training → evaluation).
 * The command (cli/grounded_lm_command.ts) runs these in worker processes; tests call them directly.
 *
 * `data` (optional, last argument): dataset records adapted to scenes (record_scenes.ts) instead of the
 * grounded scenes of cfg.data — its own text vocabulary, object names, and the tasks it can teach
 * (a task without examples in the data gets weight 0).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GroundedScenes } from '../data/grounded_scenes';
import { WordTokenizer } from '../data/word_tokenizer';
import * as tf from '@tensorflow/tfjs-core';
import { assignWeights, loadCheckpoint, train, type TrainResult } from '../train';
import { startThreadPeers, type GradientPeers } from '../train/gradient_peers';
import type { CoordinateCodec } from './coordinate_codec';
import { newBoxWarnings, type BoxWarnings } from './box_check';
import { BoxSlotEmbedding } from './box_slots';
import { PrefixPositions } from './prefix_positions';
import { ImageSummary } from './image_summary';
import { CausalLM } from './causal_lm';
import { codecByName } from './codec_registry';
import { evaluateGrounded, type GroundedEvaluation } from './evaluate_grounded';
import { checkConfigForRecords, type GroundedLMConfig } from './grounded_lm_config';
import type { GroundedMetrics, ImagePrediction, RecPrediction } from './grounded_metrics';
import { GroundedLM } from './grounded_lm';
import { RecordScenes, type RecordScenesData } from './record_scenes';
import { ScenePool, type SceneSource } from './scene_pool';
import { BOX_OPEN, groundedTokenizer, textTokenizer } from './sequence_vocabulary';
import { coordinateRows, tokensPerBox } from './patch_boxes';
import { BoxCopy } from './box_copy';
import { stage0TextTask } from './stage0_text_task';
import { onTargetAccuracy, recAttentionMass, type RecAttention } from './rec_attention';
import { stage1GroundedTask } from './stage1_grounded_task';
import type { TaskName } from './task_templates';
import { orderedCoordinateInit } from './ordered_coordinate_init';
import { extendVocabulary } from './vocabulary_extension';

export interface Arm {
  /** 'pretrained-bins64', 'scratch-bins64', 'pretrained-grid16'. */
  name: string;
  codec: string;
  pretrained: boolean;
}

export interface ArmResult {
  arm: Arm;
  seed: number;
  metrics: GroundedMetrics;
  /** Wall-clock seconds of stage-1 training (inflated when the cores are shared). */
  trainSeconds: number;
  /** CPU seconds (user + system) of this process during stage-1 training: closer to the cost on idle cores. */
  trainCpuSeconds: number;
  /** Examples stage 1 trained on, gradient peers' included (with stage1.examplesPerImage > 1 a row holds several). */
  trainExamples: number;
  evalSeconds: number;
  steps: number;
  stoppedReason: string;
  finalLoss: number;
  /** Every 10th step and the last: the loss, its parts (the task's named losses: answer tokens, auxiliary heads) and the learning rate the step used. */
  lossCurve: { step: number; loss: number; parts: Record<string, number>; lr: number }[];
  boxWarnings: BoxWarnings;
  /** A few test images' predictions, for the report's pictures. */
  examples: { images: ImagePrediction[]; rec: RecPrediction[] };
  parameters: number;
  /**
   * Where head 0 of the LM's last layer looks while writing the REC boxes, per group (rec_attention.ts),
   * and the REC accuracy of the expressions it looks at (box mass on the named object ≥ 0.95).
   */
  recAttention: Omit<RecAttention, 'expressions'> & { onTarget: ReturnType<typeof onTargetAccuracy> };
}

export type Log = (line: string) => void;

export function datasetOf(cfg: GroundedLMConfig): GroundedScenes {
  return new GroundedScenes({ seed: cfg.data.seed, imageSize: cfg.data.imageSize, splits: { train: cfg.data.trainScenes, val: 1, test: cfg.data.testScenes } });
}

/** The scenes of a run: the dataset records' when given, else the grounded scenes of cfg.data. */
export function sceneSourceOf(cfg: GroundedLMConfig, data?: RecordScenesData): SceneSource {
  return data ? new RecordScenes(data) : datasetOf(cfg);
}

/** The stage-0 tokenizer of a run: the data's vocabulary when given, else the scenes'. */
export function textTokenizerOf(data?: RecordScenesData): WordTokenizer {
  return data ? new WordTokenizer(data.vocabulary) : textTokenizer();
}

function lmConfig(cfg: GroundedLMConfig, vocabSize: number) {
  const m = cfg.model;
  return { vocabSize, extraVocabSize: 0, maxLength: m.maxLength, width: m.width, depth: m.lmDepth, heads: m.heads, mlpWidth: 4 * m.width, lnEps: 1e-5, prefixAttention: m.prefixAttention };
}

const progress = (log: Log, label: string, every: number) => (e: { kind: string; step?: number; loss?: number; totalSteps?: number; lr?: number }) => {
  if (e.kind === 'step' && (e.step! % every === 0 || e.step === e.totalSteps)) log(`${label} step ${e.step}/${e.totalSteps} loss ${e.loss!.toFixed(4)} lr ${e.lr!.toExponential(2)}`);
};

async function readCorpus(file: string, tok: WordTokenizer): Promise<string[][]> {
  if (!file) return [];
  const text = await fs.readFile(file, 'utf8');
  return text.split(/\r?\n/).map((l) => tok.tokenize(l)).filter((w) => w.length > 0);
}

/** Stage 0: trains the text-only LM of `seed` into `outDir` (a trainer checkpoint). */
export async function runStage0(cfg: GroundedLMConfig, seed: number, outDir: string, log: Log, data?: RecordScenesData): Promise<TrainResult> {
  const tok = textTokenizerOf(data);
  const pool = new ScenePool(sceneSourceOf(cfg, data));
  const lm = new CausalLM(lmConfig(cfg, tok.size), seed);
  try {
    const corpus = await readCorpus(cfg.stage0.corpusFile, tok);
    const task = stage0TextTask(lm, tok, pool, { batchSize: cfg.stage0.batchSize, numScenes: pool.dataset.size('train'), corpus, corpusShare: cfg.stage0.corpusShare }, {
      stage: 0,
      lm: lm.config,
      vocabulary: tok.vocabulary,
      data: cfg.data,
      stage0: cfg.stage0,
    });
    const s = cfg.stage0;
    return await train(task, { steps: s.steps, seed, optimizer: { lr: s.lr }, schedule: { warmupSteps: Math.min(20, s.steps) } }, {
      outDir,
      overwrite: true,
      listeners: [progress(log, `stage0 seed ${seed}`, 50)],
    });
  } finally {
    lm.dispose();
  }
}

/** Loads a stage-0 checkpoint into a fresh text LM (weights by position, as the trainer saved them). */
export async function loadStage0(cfg: GroundedLMConfig, dir: string, seed: number, data?: RecordScenesData): Promise<CausalLM> {
  const lm = new CausalLM(lmConfig(cfg, textTokenizerOf(data).size), seed);
  const { tensors } = await loadCheckpoint(dir);
  assignWeights(tensors, lm.trainableVariables(), `stage-0 checkpoint in ${dir}`);
  return lm;
}

/** Stage 1 + evaluation of one arm and seed. `stage0Dir` is required for a pretrained arm. */
export async function runStage1(cfg: GroundedLMConfig, arm: Arm, seed: number, outDir: string, stage0Dir: string | null, log: Log, data?: RecordScenesData): Promise<ArmResult> {
  const codec = codecByName(arm.codec);
  const base = textTokenizerOf(data);
  const tok = groundedTokenizer(codec, base);
  const pool = new ScenePool(sceneSourceOf(cfg, data));
  const warnings = newBoxWarnings();
  let textLM: CausalLM;
  if (arm.pretrained) {
    if (!stage0Dir) throw new Error(`runStage1: arm '${arm.name}' is pretrained but no stage-0 checkpoint was given.`);
    textLM = await loadStage0(cfg, stage0Dir, seed, data);
  } else {
    textLM = new CausalLM(lmConfig(cfg, base.size), seed);
  }
  const lm = stage1LM(textLM, tok, base, seed);
  if (cfg.stage1.coordinateInit === 'sincos') orderedCoordinateInit(lm, tok, base.size, cfg.stage1.coordinateInitGain);
  const model = groundedModel(cfg, lm, tok, codec, seed);
  let taskOnly: { dispose(): void }[] = [];
  let peers: GradientPeers | null = null;
  try {
    if (cfg.stage1.encoderInit) {
      const { tensors } = await loadCheckpoint(cfg.stage1.encoderInit);
      const encVars = model.encoder.trainableVariables();
      assignWeights(tensors.filter((t) => t.group === 'weights').slice(0, encVars.length), encVars, `line-(i) checkpoint in ${cfg.stage1.encoderInit}`);
      log(`${arm.name} seed ${seed}: patch encoder initialised from ${cfg.stage1.encoderInit}`);
    }
    const s = cfg.stage1;
    const task = stage1TaskOf(cfg, arm, model, tok, codec, pool, warnings, data);
    const modelVars = new Set(model.variables());
    taskOnly = task.variables().filter((v) => !modelVars.has(v));
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    // a wall-clock budget: stop at the next step boundary after it, keep the checkpoint, evaluate
    const budget = s.maxMinutes > 0 ? { budgetSeconds: s.maxMinutes * 60, scheduleHorizon: s.lrHorizon } : {};
    // a step cap below `steps` keeps the cosine's horizon (the trainer pauses there, with a checkpoint)
    const cap = s.maxSteps > 0 && s.maxSteps < s.steps ? { untilStep: s.maxSteps } : {};
    if (s.dataParallel > 1) {
      if (!['wasm', 'cpu'].includes(tf.getBackend())) throw new Error(`GroundedLMConfig.stage1.dataParallel > 1 is for the CPU backends (wasm, cpu); on '${tf.getBackend()}' raise stage1.batchSize instead.`);
      peers = await startThreadPeers({ count: s.dataParallel - 1, module: __filename.replace(/\.[jt]s$/, ''), factory: 'stage1PeerTask', args: { cfg, arm, seed, ...(data ? { data } : {}) } satisfies Stage1PeerArgs, seed, backend: tf.getBackend(), variables: task.variables() });
      log(`${arm.name} seed ${seed}: ${peers.count} gradient peer thread(s), effective batch ${s.dataParallel} × ${s.batchSize}`);
    }
    let trainExamples = 0;
    const result = await train(task, { steps: s.steps, seed, optimizer: { lr: s.lr }, schedule: { warmupSteps: Math.min(s.warmupSteps, s.steps) } }, {
      outDir: path.join(outDir, 'checkpoint'),
      overwrite: true,
      ...budget,
      ...cap,
      cooldownShare: s.lrCooldown,
      ...(s.encoderLrScale !== 1 ? { lrScales: encoderLrScales(task.variables(), model, s.encoderLrScale) } : {}),
      ...(peers ? { peers } : {}),
      listeners: [progress(log, `${arm.name} seed ${seed}`, 50), (e) => e.kind === 'step' && (trainExamples = e.examples)],
    });
    if (result.stoppedReason === 'budget') log(`${arm.name} seed ${seed}: time budget of ${s.maxMinutes} min reached after ${result.step} steps (${trainExamples} examples)`);
    if (result.stoppedReason === 'paused') log(`${arm.name} seed ${seed}: step cap stage1.maxSteps = ${s.maxSteps} reached`);
    const trainSeconds = (Date.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const trainCpuSeconds = (cpu.user + cpu.system) / 1e6;
    const t1 = Date.now();
    const { ev, recAttention } = evaluateStage1(cfg, model, tok, codec, pool, warnings, data);
    const evalSeconds = (Date.now() - t1) / 1000;
    const last = result.history[result.history.length - 1];
    const firstImages = ev.images.slice(0, 8);
    const recs = new Set(firstImages.map((i) => i.record));
    return {
      arm,
      seed,
      metrics: ev.metrics,
      trainSeconds,
      trainCpuSeconds,
      trainExamples,
      evalSeconds,
      steps: result.step,
      stoppedReason: result.stoppedReason,
      finalLoss: last ? last.loss : NaN,
      lossCurve: result.history.filter((h, i) => i % 10 === 0 || i === result.history.length - 1).map((h) => ({ step: h.step, loss: h.loss, parts: h.parts, lr: h.lr })),
      boxWarnings: warnings,
      examples: { images: firstImages, rec: ev.rec.filter((r) => recs.has(r.id)) },
      parameters: model.parameterCount(),
      recAttention,
    };
  } finally {
    await peers?.close();
    taskOnly.forEach((v) => v.dispose()); // the auxiliary heads' weights (not part of the model)
    model.dispose();
  }
}

/**
 * The evaluation of a stage-1 model on the test split as a run reports it: the decoded answers and
 * their metrics (evaluate_grounded.ts; box warnings counted into `warnings`) and where the model looks
 * while writing the REC boxes (rec_attention.ts). Shared by runStage1 and the probes of finished runs.
 */
export function evaluateStage1(cfg: GroundedLMConfig, model: GroundedLM, tok: WordTokenizer, codec: CoordinateCodec, pool: ScenePool, warnings: BoxWarnings, data?: RecordScenesData): { ev: GroundedEvaluation; recAttention: ArmResult['recAttention'] } {
  const e = cfg.eval;
  const policy = { clipBoxes: cfg.clipBoxes };
  const recOptions = { strict: e.strict, measure: e.measure };
  const ev = evaluateGrounded(model, tok, codec, pool, {
    split: 'test',
    count: e.count,
    constrained: e.constrained,
    decoder: e.decoder,
    beams: e.beams,
    coordinateReadout: e.coordinateReadout,
    confidence: e.confidence,
    maxObjects: e.maxObjects,
    recOptions,
    chunk: 50,
    policy,
    checklist: !data && cfg.stage1.taskWeights.checklist > 0,
    ...(data ? { names: data.names, phraseWords: data.phraseWords } : {}),
  }, warnings);
  // its own warnings: the same test boxes were already counted by the evaluation
  const { expressions, ...looks } = recAttentionMass(model, tok, codec, pool, { split: 'test', count: e.count, chunk: 50, policy }, newBoxWarnings());
  return { ev, recAttention: { ...looks, onTarget: onTargetAccuracy(expressions, ev.rec, 0.95, recOptions) } };
}

/** The trainer's per-variable learning-rate scales: `scale` for the patch encoder's variables, 1 for the rest. */
export function encoderLrScales(vars: readonly tf.Variable[], model: GroundedLM, scale: number): number[] {
  const encoder = new Set(model.encoder.trainableVariables());
  return vars.map((v) => (encoder.has(v) ? scale : 1));
}

/** The text LM with the grounded tokenizer's rows appended (vocabulary_extension.ts); disposes `textLM`. */
function stage1LM(textLM: CausalLM, tok: WordTokenizer, base: WordTokenizer, seed: number): CausalLM {
  const lm = extendVocabulary(textLM, tok.size - base.size, seed + 1000);
  textLM.dispose();
  return lm;
}

/** The stage-1 model of a run around `lm` (its patch encoder, projector and box slots seeded by `seed`). */
function groundedModel(cfg: GroundedLMConfig, lm: CausalLM, tok: WordTokenizer, codec: CoordinateCodec, seed: number): GroundedLM {
  const m = cfg.model;
  const slots = m.boxSlots ? new BoxSlotEmbedding(tok.idOf(BOX_OPEN), tokensPerBox(codec, 'model.boxSlots'), m.width, seed) : null;
  // the reader's seed is the patch-box head's (7927), so a run with box copy starts from the same read-out
  const boxCopy = m.boxCopy ? new BoxCopy(m.width, tokensPerBox(codec, 'model.boxCopy'), tok.idOf(BOX_OPEN), coordinateRows(tok, codec), 7927) : null;
  const prefixPositions = m.prefixPositions > 0 ? new PrefixPositions(cfg.data.imageSize / m.patchSize, m.width, m.prefixPositions) : null;
  const imageSummary = m.imageSummary ? new ImageSummary(m.width, seed + 2000) : null;
  return new GroundedLM(lm, { imageSize: cfg.data.imageSize, patchSize: m.patchSize, width: m.width, depth: m.encoderDepth, heads: m.heads, mlpWidth: 4 * m.width, outputDim: m.width, stem: m.stem, stemChannels: m.stemChannels, qkStd: 1 / Math.sqrt(m.width), posInit: m.posInit }, seed, { slots, boxCopy, prefixPositions, imageSummary });
}

/** The stage-1 training task of a run (data, task mixture, auxiliary losses) for `model`. */
function stage1TaskOf(cfg: GroundedLMConfig, arm: Arm, model: GroundedLM, tok: WordTokenizer, codec: CoordinateCodec, pool: ScenePool, warnings: BoxWarnings, data?: RecordScenesData) {
  const s = cfg.stage1;
  if (data) checkConfigForRecords(cfg);
  const taskWeights = data ? Object.fromEntries(Object.entries(s.taskWeights).map(([t, w]) => [t, data.tasks.includes(t as TaskName) ? w : 0])) as typeof s.taskWeights : s.taskWeights;
  return stage1GroundedTask(
    model,
    tok,
    codec,
    pool,
    { batchSize: s.batchSize, numScenes: pool.dataset.size('train'), taskWeights, randomOrder: s.randomOrder, noiseBoxes: s.noiseBoxes, freezeTextEmbeddings: s.freezeTextEmbeddings, policy: { clipBoxes: cfg.clipBoxes }, patchLabelWeight: s.patchLabelWeight, patchAttributeWeight: s.patchAttributeWeight, patchBoxWeight: s.patchBoxWeight, patchWordWeight: s.patchWordWeight, answerAttentionWeight: s.answerAttentionWeight, answerAttentionHeads: s.answerAttentionHeads, coordinateSmoothing: s.coordinateSmoothing, coordinateDistanceWeight: s.coordinateDistanceWeight, wordAttentionWeight: s.wordAttentionWeight, wordAttentionScope: s.wordAttentionScope, listingAttentionWeight: s.listingAttentionWeight, examplesPerImage: s.examplesPerImage, ...(data ? { names: data.names } : {}) },
    warnings,
    { stage: 1, arm, model: cfg.model, data: cfg.data, stage1: s, vocabulary: tok.vocabulary, clipBoxes: cfg.clipBoxes },
  );
}

export interface Stage1PeerArgs {
  cfg: GroundedLMConfig;
  arm: Arm;
  seed: number;
  /** The run's dataset records (`--data`), copied to the peer thread; absent for the grounded scenes. */
  data?: RecordScenesData;
}

/**
 * The trained stage-1 model of one run of an arm (runStage1's `outDir`, holding its checkpoint), built as
 * the run built it, with its tokenizer, codec and scenes: for evaluations and probes after a run.
 */
export async function loadStage1Model(cfg: GroundedLMConfig, codecName: string, outDir: string, data?: RecordScenesData): Promise<{ model: GroundedLM; tok: WordTokenizer; codec: CoordinateCodec; pool: ScenePool }> {
  const built = stage1ModelOf(cfg, codecName, data);
  const vars = built.model.variables();
  // the model's weights come first; the auxiliary heads' (task-only) follow
  assignWeights((await checkpointWeights(outDir)).slice(0, vars.length), vars, `stage-1 checkpoint in ${outDir}`);
  return built;
}

/**
 * A run's model and the auxiliary heads it trained with (the whole checkpoint: model weights, then the
 * heads' in task order), for probes of the heads. The caller disposes the model and `headVariables`.
 */
export async function loadStage1Heads(cfg: GroundedLMConfig, codecName: string, outDir: string, data?: RecordScenesData) {
  const built = stage1ModelOf(cfg, codecName, data);
  const task = stage1TaskOf(cfg, { name: 'loaded', codec: codecName, pretrained: false }, built.model, built.tok, built.codec, built.pool, newBoxWarnings(), data);
  assignWeights(await checkpointWeights(outDir), task.variables(), `stage-1 checkpoint in ${outDir}`);
  const modelVars = new Set(built.model.variables());
  return { ...built, heads: task.heads, headVariables: task.variables().filter((v) => !modelVars.has(v)) };
}

/** The stage-1 model of a run (placeholder weights), its tokenizer, codec and scenes, built as the run built them. */
function stage1ModelOf(cfg: GroundedLMConfig, codecName: string, data?: RecordScenesData) {
  const codec = codecByName(codecName);
  const base = textTokenizerOf(data);
  const tok = groundedTokenizer(codec, base);
  const model = groundedModel(cfg, stage1LM(new CausalLM(lmConfig(cfg, base.size), 0), tok, base, 0), tok, codec, 0);
  return { model, tok, codec, pool: new ScenePool(sceneSourceOf(cfg, data)) };
}

/** The weight tensors of the stage-1 checkpoint in `outDir`. */
async function checkpointWeights(outDir: string) {
  const { tensors } = await loadCheckpoint(path.join(outDir, 'checkpoint'));
  return tensors.filter((t) => t.group === 'weights');
}

/**
 * The task of a data-parallel peer thread (train/gradient_peers.ts): the same architecture and data as
 * runStage1's, with placeholder weights (the training thread sends its weights every step).
 */
export function stage1PeerTask({ cfg, arm, seed, data }: Stage1PeerArgs) {
  const codec = codecByName(arm.codec);
  const base = textTokenizerOf(data);
  const tok = groundedTokenizer(codec, base);
  const lm = stage1LM(new CausalLM(lmConfig(cfg, base.size), seed), tok, base, seed);
  const pool = new ScenePool(sceneSourceOf(cfg, data));
  return stage1TaskOf(cfg, arm, groundedModel(cfg, lm, tok, codec, seed), tok, codec, pool, newBoxWarnings(), data);
}
