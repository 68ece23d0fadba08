/**
 * The experiment's configuration (seed line i: global vs FILIP vs OT alignment on grounded scenes):
 * typed data, frozen defaults, a merge that rejects unknown keys and wrong types (`mergeConfig`), then
 * range checks that name the key.
 *
 * The default scale is chosen to finish `npm start` (4 methods × 3 seeds) in under 20 minutes on two
 * CPU cores with the wasm backend AND to still learn: 32×32 images with 4-pixel patches (an 8×8 grid,
 * 64 patches as in the benchmark model), width-64 encoders of depth 2. The benchmark model itself
 * (shared/bench-workloads.md) is separate and unchanged; scale up with `--config FILE`.
 *
 * The OT methods use a background dustbin by default (loss.otBackground 'dustbin', ρ 0.75): with the seed's
 * balanced plan ('none') the non-colour words become background sinks and OT grounds no better than global
 * (see findings_notes.ts for the probes that led here).
 *
 * @example
 *   const cfg = resolveExperimentConfig({ train: { steps: 800 }, seeds: 5 });
 *   resolveExperimentConfig({ trian: {} });   // Error: ExperimentConfig: unknown key 'trian' (did you mean 'train'?)...
 */
import { deepFreeze, mergeConfig } from '../util/merge_config';
import { METHOD_NAMES, type MethodName } from './methods';

export interface ExperimentConfig {
  /** Methods to compare, each trained with the same budget. */
  methods: MethodName[];
  /** Number of seeds per method (seed values baseSeed … baseSeed + seeds − 1): model init and batch order. */
  seeds: number;
  baseSeed: number;
  /** Parallel worker processes (each runs one (method, seed) at a time with its own backend). */
  workers: number;
  data: {
    /** Dataset seed (fixed across runs: the benchmark is one dataset). */
    seed: number;
    imageSize: number;
    /** Training scenes (a fixed pool drawn from the train split). */
    trainScenes: number;
    /** Test scenes evaluated (the first ones of the test split). */
    testScenes: number;
    /** Tokens per caption, specials included. */
    textLength: number;
    /**
     * Dataset records only (`--data`): at most this many vocabulary entries (specials included) built
     * from the training texts; rarer words are [UNK]. The scenes' vocabulary is fixed (36 words).
     */
    maxVocabulary: number;
  };
  model: { patchSize: number; width: number; depth: number; heads: number; mlpWidth: number; outputDim: number; qkStd: number };
  train: {
    steps: number;
    batchSize: number;
    lr: number;
    warmupSteps: number;
    weightDecay: number;
    clipGradNorm: number;
  };
  loss: {
    /** Initial softmax temperature τ of every InfoNCE. */
    temperature: number;
    /** Learn log τ (CLIP) rather than keep it fixed. */
    learnTemperature: boolean;
    /** Sinkhorn ε (cost 1 − cos ∈ [0, 2]). */
    eps: number;
    /** Sinkhorn iterations (exactly this many). */
    iterations: number;
    /** KL marginal relaxation τ_u for unbalanced OT; 0 = balanced. */
    unbalancedTau: number;
    /** λ of `global+ot` = global + λ·ot. */
    globalOtWeight: number;
    grad: 'envelope' | 'unrolled' | 'detach';
    /** Sinkhorn scheme: 'kernel' is fast and safe for ε ≥ ~0.04; use 'log' below. */
    sinkhornMethod: 'kernel' | 'log';
    /** Background handling of the OT plan: 'none' (seed line i) or 'dustbin' (an extra column takes dustbinMass). */
    otBackground: 'none' | 'dustbin';
    /** Mass ρ of the dustbin column (share of the image's mass left unmatched to tokens). */
    dustbinMass: number;
  };
  eval: {
    /** Shortlist size of the OT re-ranker (0 = re-rank everything: full OT retrieval). */
    rerankK: number;
    /** Test images per method shown with heatmaps and overlays in the report. */
    showImages: number;
  };
}

export const DEFAULT_EXPERIMENT_CONFIG: Readonly<ExperimentConfig> = deepFreeze({
  methods: [...METHOD_NAMES],
  seeds: 3,
  baseSeed: 0,
  workers: 2,
  data: { seed: 0, imageSize: 32, trainScenes: 4000, testScenes: 500, textLength: 16, maxVocabulary: 4096 },
  model: { patchSize: 4, width: 64, depth: 2, heads: 4, mlpWidth: 128, outputDim: 64, qkStd: 0.02 },
  train: { steps: 400, batchSize: 32, lr: 2e-3, warmupSteps: 20, weightDecay: 0.01, clipGradNorm: 1 },
  loss: {
    temperature: 0.07,
    learnTemperature: true,
    eps: 0.05,
    iterations: 20,
    unbalancedTau: 0,
    globalOtWeight: 1,
    grad: 'envelope',
    sinkhornMethod: 'kernel',
    otBackground: 'dustbin',
    dustbinMass: 0.75,
  },
  eval: { rerankK: 10, showImages: 3 },
} as ExperimentConfig);

/** `--quick`: a ~1-minute smoke run of the whole pipeline (tests use it); it learns little. */
export const QUICK_OVERRIDES = deepFreeze({
  seeds: 2,
  data: { trainScenes: 128, testScenes: 48 },
  model: { width: 32, depth: 1, heads: 2, mlpWidth: 64, outputDim: 32 },
  train: { steps: 12, batchSize: 16, warmupSteps: 2 },
  eval: { rerankK: 5, showImages: 2 },
});

const WHAT = 'ExperimentConfig';

/** Defaults merged with `overrides` (a partial config, e.g. parsed JSON), validated; the result is frozen. */
export function resolveExperimentConfig(overrides?: unknown, base: Readonly<ExperimentConfig> = DEFAULT_EXPERIMENT_CONFIG): ExperimentConfig {
  const c = mergeConfig(base as ExperimentConfig, overrides, WHAT);
  const fail = (key: string, expected: string, seen: unknown): never => {
    throw new Error(`${WHAT}.${key}: expected ${expected}, got ${JSON.stringify(seen)}.`);
  };
  const int = (key: string, v: number, lo: number, hi = Number.MAX_SAFE_INTEGER): void => {
    if (!Number.isInteger(v) || v < lo || v > hi) fail(key, `an integer in [${lo}, ${hi}]`, v);
  };
  const positive = (key: string, v: number): void => {
    if (!(v > 0)) fail(key, 'a positive number', v);
  };
  if (c.methods.length === 0 || new Set(c.methods).size !== c.methods.length) fail('methods', 'a non-empty list of distinct methods', c.methods);
  c.methods.forEach((m, i) => {
    if (!(METHOD_NAMES as readonly string[]).includes(m)) fail(`methods[${i}]`, `one of ${METHOD_NAMES.join(', ')}`, m);
  });
  int('seeds', c.seeds, 1, 1000);
  int('baseSeed', c.baseSeed, 0, 2 ** 31);
  int('workers', c.workers, 1, 64);
  int('data.seed', c.data.seed, 0, 2 ** 31);
  int('data.imageSize', c.data.imageSize, 16, 1024);
  int('data.trainScenes', c.data.trainScenes, 1, 1e7);
  int('data.testScenes', c.data.testScenes, 2, 1e6);
  int('data.textLength', c.data.textLength, 6, 256);
  int('data.maxVocabulary', c.data.maxVocabulary, 16, 1 << 20);
  for (const k of ['patchSize', 'width', 'depth', 'heads', 'mlpWidth', 'outputDim'] as const) int(`model.${k}`, c.model[k], 1, 1 << 16);
  positive('model.qkStd', c.model.qkStd);
  if (c.data.imageSize % c.model.patchSize !== 0) fail('model.patchSize', `a divisor of data.imageSize (${c.data.imageSize})`, c.model.patchSize);
  if (c.model.width % c.model.heads !== 0) fail('model.heads', `a divisor of model.width (${c.model.width})`, c.model.heads);
  int('train.steps', c.train.steps, 1, 1e9);
  int('train.batchSize', c.train.batchSize, 2, 1e5);
  if (c.train.batchSize > c.data.trainScenes) fail('train.batchSize', `at most data.trainScenes (${c.data.trainScenes})`, c.train.batchSize);
  positive('train.lr', c.train.lr);
  int('train.warmupSteps', c.train.warmupSteps, 0, c.train.steps);
  if (!(c.train.weightDecay >= 0)) fail('train.weightDecay', 'a non-negative number', c.train.weightDecay);
  positive('train.clipGradNorm', c.train.clipGradNorm);
  positive('loss.temperature', c.loss.temperature);
  positive('loss.eps', c.loss.eps);
  int('loss.iterations', c.loss.iterations, 1, 10000);
  if (!(c.loss.unbalancedTau >= 0)) fail('loss.unbalancedTau', 'a non-negative number (0 = balanced)', c.loss.unbalancedTau);
  if (!(c.loss.globalOtWeight >= 0)) fail('loss.globalOtWeight', 'a non-negative number', c.loss.globalOtWeight);
  if (!['envelope', 'unrolled', 'detach'].includes(c.loss.grad)) fail('loss.grad', "'envelope', 'unrolled' or 'detach'", c.loss.grad);
  if (!['kernel', 'log'].includes(c.loss.sinkhornMethod)) fail('loss.sinkhornMethod', "'kernel' or 'log'", c.loss.sinkhornMethod);
  if (!['none', 'dustbin'].includes(c.loss.otBackground)) fail('loss.otBackground', "'none' or 'dustbin'", c.loss.otBackground);
  if (!(c.loss.dustbinMass > 0 && c.loss.dustbinMass < 1)) fail('loss.dustbinMass', 'a number in (0, 1)', c.loss.dustbinMass);
  int('eval.rerankK', c.eval.rerankK, 0, 1e6);
  int('eval.showImages', c.eval.showImages, 0, 100);
  return deepFreeze(c);
}
