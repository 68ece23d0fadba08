/**
 * The configuration of a grounded-LM experiment (`alignscope grounded-lm`): typed data, frozen
 * defaults, a `--quick` preset, and a merge that rejects unknown keys (util/merge_config). Every run
 * stores its fully resolved config in metrics.json and in its checkpoints.
 *
 * Arms of the ablation: for each seed, codec A with stage-0 pretraining, codec A from scratch (no
 * stage 0: same architecture, random LM), and codec B with pretraining.
 */
import { SHAPES } from '../data/scene_vocabulary';
import { deepFreeze, mergeConfig } from '../util/merge_config';
import type { TaskName } from './task_templates';
import { PREFIX_ATTENTION_MODES, type PrefixAttention } from './causal_attention';
import { WORD_ATTENTION_SCOPES, type WordAttentionScope } from './word_attention';
import { COORDINATE_READOUTS, type CoordinateReadout } from './coordinate_readout';

export interface GroundedLMConfig {
  data: { seed: number; trainScenes: number; testScenes: number; imageSize: number };
  /** posInit: the patch encoder's initial position embeddings, 'normal' or 'sincos' (models/sincos_positions.ts). */
  /** prefixAttention: how the image tokens attend to each other inside the LM, or ('memory') that the LM reads them without computing them (seq/causal_attention.ts). */
  /** stemChannels: the 'conv' stem's first-stage channels (models/conv_stem.ts; 16, then doubled per stage). */
  /** boxSlots: text positions inside a box get an embedding of their place in it (seq/box_slots.ts; bins and grid codecs). */
  /** boxCopy: coordinate logits also copied from the image tokens head 0 of the last layer looks at (seq/box_copy.ts; bins and grid codecs). */
  /** prefixPositions: amplitude of a sin-cos position code added to the image tokens after the projector (seq/prefix_positions.ts); 0 = off. */
  /** imageSummary: a maximum over the image tokens (after a learnt projection) added to every text position's input (seq/image_summary.ts). */
  model: { width: number; lmDepth: number; encoderDepth: number; heads: number; patchSize: number; maxLength: number; stem: 'linear' | 'conv' | 'hybrid'; stemChannels: number; boxSlots: boolean; boxCopy: boolean; posInit: 'normal' | 'sincos'; prefixAttention: PrefixAttention; prefixPositions: number; imageSummary: boolean };
  stage0: { steps: number; batchSize: number; lr: number; corpusFile: string; corpusShare: number };
  stage1: {
    steps: number;
    batchSize: number;
    lr: number;
    warmupSteps: number;
    taskWeights: Record<TaskName, number>;
    randomOrder: boolean;
    noiseBoxes: number;
    freezeTextEmbeddings: boolean;
    /** Wall-clock budget of stage-1 training in minutes (stops early, evaluates what it has); 0 = none. */
    maxMinutes: number;
    /**
     * What the cosine learning-rate decay runs on: 'steps' (the configured steps, even when maxMinutes
     * stops the run long before them) or 'budget' (with maxMinutes: the fraction of the budget spent, so
     * the rate reaches 0 when the minutes end; without maxMinutes, steps). 'budget' measured once on the
     * CPU (20 minutes): REC 0.46 against 0.71 — the decay slows the learning the run still needs.
     */
    lrHorizon: 'budget' | 'steps';
    /**
     * Share of the run at its end over which the learning rate ramps linearly to 0 (warmup–stable–decay;
     * train/lr_schedule.ts withCooldown): with maxMinutes the last share of the minutes (or of maxSteps /
     * steps, whichever comes first), so the run keeps the peak rate and still ends annealed. 0 = none.
     */
    lrCooldown: number;
    /**
     * Stop stage 1 after this many steps (0 = none) without moving the cosine's horizon (`steps`): a run
     * that stopped at the budget on one machine can be replayed at its step count on another.
     */
    maxSteps: number;
    /**
     * Learning-rate multiplier of the patch encoder's variables (stem and encoder blocks; the projector, the
     * LM and the heads keep the rate): a faster-learning image side under the slower coordinate read-out
     * the LM needs. 1 = one rate for all; 0 = a frozen encoder (e.g. after `encoderInit`).
     */
    encoderLrScale: number;
    /** A line-(i) checkpoint folder whose first weights are a PatchEncoder of the same config ('' = none). */
    encoderInit: string;
    /** Weight of the auxiliary per-patch class loss from the detection boxes (seq/patch_labels.ts); 0 = off. */
    patchLabelWeight: number;
    /** Weight of the auxiliary per-patch colour and size loss (seq/patch_attributes.ts; not with --data); 0 = off. */
    patchAttributeWeight: number;
    /** Weight of the auxiliary per-patch box loss through the coordinate embeddings (seq/patch_boxes.ts); 0 = off. */
    patchBoxWeight: number;
    /** Weight of the auxiliary per-patch region-phrase word loss through the tied word embeddings (seq/patch_words.ts); 0 = off. */
    patchWordWeight: number;
    /** Weight of the supervised answer attention: REC and region-caption answers attend to their object's patches (seq/answer_attention.ts); 0 = off. */
    answerAttentionWeight: number;
    /** How many heads of the LM's last layer (heads 0…n−1) the answer and word attention losses supervise, each on its own; 1 = head 0 only. */
    answerAttentionHeads: number;
    /** Weight of the supervised word attention: the prompt's content words attend to the objects they name, in the answer-attention head (seq/word_attention.ts); 0 = off. */
    wordAttentionWeight: number;
    /** 'prompt' (the question's words) or 'all' (every content word but the answer-attention positions; the first version). */
    wordAttentionScope: WordAttentionScope;
    /** Weight of the supervised listing attention: while a listing is written, the answer-attention head looks at the objects of the next name (seq/listing_attention.ts); 0 = off. */
    listingAttentionWeight: number;
    /** Examples of one scene packed into a row, independent segments sharing the image (seq/packed_rows.ts); 1 = one per row. */
    examplesPerImage: number;
    /** Threads training one run data-parallel (train/gradient_peers.ts): effective batch = dataParallel × batchSize; 1 = off. */
    dataParallel: number;
    /** σ in bins of the soft (Gaussian) targets of coordinate answers and patch boxes (seq/coordinate_smoothing.ts; bins codec); 0 = one-hot. */
    coordinateSmoothing: number;
    /** Weight of the expected distance, in bins, of each coordinate answer's distribution from its target (seq/coordinate_distance.ts; bins codec); 0 = off. */
    coordinateDistanceWeight: number;
    /** Initial embeddings of the bins codec's coordinate tokens: 'random' or 'sincos' (ordered_coordinate_init.ts). */
    coordinateInit: 'random' | 'sincos';
    /** Amplitude of the 'sincos' coordinate rows, as a multiple of the random rows' spread (0.02·√2); 1 = that spread. */
    coordinateInitGain: number;
  };
  /** Codec A (the main one) and codec B (the comparison), by name: bins<N>, grid<G>, text<S>. */
  codecA: string;
  codecB: string;
  seeds: number;
  eval: {
    count: number;
    constrained: boolean;
    decoder: 'greedy' | 'beam';
    beams: number;
    confidence: 'class' | 'span';
    maxObjects: number;
    strict: boolean;
    measure: 'iou' | 'giou';
    /** How greedy decoding reads a coordinate off the bins' distribution (coordinate_readout.ts): 'argmax' (default), 'median', 'mean'. */
    coordinateReadout: CoordinateReadout;
  };
  /** The line-(i) zero-shot REC baseline (an OT dual encoder trained on captions; steps 0 = skip). */
  lineIBaseline: { steps: number; batchSize: number; trainScenes: number; width: number; depth: number; patchSize: number };
  /** Clip ground-truth boxes outside the image (counted) instead of failing. */
  clipBoxes: boolean;
  /** Parallel worker processes. */
  workers: number;
}

export const DEFAULT_GROUNDED_LM_CONFIG: Readonly<GroundedLMConfig> = deepFreeze({
  data: { seed: 0, trainScenes: 20000, testScenes: 200, imageSize: 64 },
  model: { width: 64, lmDepth: 2, encoderDepth: 2, heads: 4, patchSize: 16, maxLength: 64, stem: 'linear', stemChannels: 16, boxSlots: false, boxCopy: false, posInit: 'normal', prefixAttention: 'causal', prefixPositions: 0, imageSummary: false },
  stage0: { steps: 300, batchSize: 64, lr: 2e-3, corpusFile: '', corpusShare: 0.2 },
  stage1: {
    steps: 700,
    batchSize: 32,
    lr: 2e-3,
    warmupSteps: 50,
    taskWeights: { detection: 1, regionCaption: 0.5, rec: 2, listing: 0.5, checklist: 0 },
    randomOrder: false,
    noiseBoxes: 0,
    freezeTextEmbeddings: false,
    maxMinutes: 0,
    lrHorizon: 'steps',
    lrCooldown: 0,
    maxSteps: 0,
    encoderLrScale: 1,
    encoderInit: '',
    patchLabelWeight: 0,
    patchAttributeWeight: 0,
    patchBoxWeight: 0,
    patchWordWeight: 0,
    answerAttentionWeight: 0,
    answerAttentionHeads: 1,
    wordAttentionWeight: 0,
    wordAttentionScope: 'prompt',
    listingAttentionWeight: 0,
    examplesPerImage: 1,
    dataParallel: 1,
    coordinateSmoothing: 0,
    coordinateDistanceWeight: 0,
    coordinateInit: 'random',
    coordinateInitGain: 1,
  },
  codecA: 'bins64',
  codecB: 'grid16',
  seeds: 2,
  eval: { count: 200, constrained: true, decoder: 'greedy', beams: 3, confidence: 'class', maxObjects: 6, strict: false, measure: 'iou', coordinateReadout: 'argmax' },
  lineIBaseline: { steps: 300, batchSize: 32, trainScenes: 4000, width: 64, depth: 2, patchSize: 8 },
  clipBoxes: false,
  workers: 2,
});

/** Small and fast: for checking the pipeline end to end in a few minutes. */
export const QUICK_OVERRIDES = {
  data: { trainScenes: 2000, testScenes: 60 },
  stage0: { steps: 40, batchSize: 32 },
  stage1: { steps: 60, batchSize: 16, warmupSteps: 5 },
  eval: { count: 60 },
  lineIBaseline: { steps: 20, trainScenes: 200 },
};

export function resolveGroundedLMConfig(overrides: unknown = {}, quick = false): GroundedLMConfig {
  const base = quick ? mergeConfig(DEFAULT_GROUNDED_LM_CONFIG as GroundedLMConfig, QUICK_OVERRIDES, 'GroundedLMConfig') : (DEFAULT_GROUNDED_LM_CONFIG as GroundedLMConfig);
  const c = mergeConfig(base, overrides, 'GroundedLMConfig');
  const fail = (key: string, want: string, got: unknown): never => {
    throw new Error(`GroundedLMConfig.${key}: expected ${want}, got ${JSON.stringify(got)}.`);
  };
  const posInt = (key: string, v: number): void => void (Number.isInteger(v) && v > 0 ? 0 : fail(key, 'a positive integer', v));
  posInt('seeds', c.seeds);
  posInt('workers', c.workers);
  posInt('stage0.steps', c.stage0.steps);
  posInt('stage1.steps', c.stage1.steps);
  posInt('stage1.examplesPerImage', c.stage1.examplesPerImage);
  posInt('stage1.dataParallel', c.stage1.dataParallel);
  posInt('eval.count', c.eval.count);
  if (!(Number.isInteger(c.stage1.answerAttentionHeads) && c.stage1.answerAttentionHeads >= 1 && c.stage1.answerAttentionHeads <= c.model.heads)) {
    fail('stage1.answerAttentionHeads', `an integer in [1, model.heads = ${c.model.heads}]`, c.stage1.answerAttentionHeads);
  }
  if (!['greedy', 'beam'].includes(c.eval.decoder)) fail('eval.decoder', "'greedy' or 'beam'", c.eval.decoder);
  if (!['class', 'span'].includes(c.eval.confidence)) fail('eval.confidence', "'class' or 'span'", c.eval.confidence);
  if (!['iou', 'giou'].includes(c.eval.measure)) fail('eval.measure', "'iou' or 'giou'", c.eval.measure);
  if (!COORDINATE_READOUTS.includes(c.eval.coordinateReadout)) fail('eval.coordinateReadout', COORDINATE_READOUTS.map((r) => `'${r}'`).join(', '), c.eval.coordinateReadout);
  if (c.eval.coordinateReadout !== 'argmax' && c.eval.decoder !== 'greedy') fail('eval.coordinateReadout', `'argmax' with eval.decoder '${c.eval.decoder}' (the median and mean read-outs are greedy decoding's)`, c.eval.coordinateReadout);
  if (c.eval.coordinateReadout !== 'argmax' && !c.eval.constrained) fail('eval.coordinateReadout', `'argmax' with eval.constrained false (the read-out acts inside a box, which only the grammar mask marks)`, c.eval.coordinateReadout);
  if (!(Number.isFinite(c.stage1.coordinateInitGain) && c.stage1.coordinateInitGain > 0)) fail('stage1.coordinateInitGain', 'a number > 0', c.stage1.coordinateInitGain);
  if (!(Number.isFinite(c.stage1.coordinateSmoothing) && c.stage1.coordinateSmoothing >= 0)) fail('stage1.coordinateSmoothing', 'a number of bins ≥ 0', c.stage1.coordinateSmoothing);
  if (!(Number.isFinite(c.stage1.coordinateDistanceWeight) && c.stage1.coordinateDistanceWeight >= 0)) fail('stage1.coordinateDistanceWeight', 'a weight ≥ 0 (0 = off)', c.stage1.coordinateDistanceWeight);
  if (!(Number.isFinite(c.stage1.maxMinutes) && c.stage1.maxMinutes >= 0)) fail('stage1.maxMinutes', 'a number of minutes ≥ 0 (0 = no budget)', c.stage1.maxMinutes);
  if (!(Number.isFinite(c.stage1.lrCooldown) && c.stage1.lrCooldown >= 0 && c.stage1.lrCooldown < 1)) fail('stage1.lrCooldown', 'a share of the run in [0, 1) (0 = none)', c.stage1.lrCooldown);
  if (!(Number.isInteger(c.stage1.maxSteps) && c.stage1.maxSteps >= 0)) fail('stage1.maxSteps', 'a whole number of steps ≥ 0 (0 = none)', c.stage1.maxSteps);
  if (!(Number.isFinite(c.stage1.encoderLrScale) && c.stage1.encoderLrScale >= 0)) fail('stage1.encoderLrScale', 'a multiplier ≥ 0 of the learning rate (1 = none, 0 = frozen encoder)', c.stage1.encoderLrScale);
  if (!['budget', 'steps'].includes(c.stage1.lrHorizon)) fail('stage1.lrHorizon', "'budget' or 'steps'", c.stage1.lrHorizon);
  if (!['random', 'sincos'].includes(c.stage1.coordinateInit)) fail('stage1.coordinateInit', "'random' or 'sincos'", c.stage1.coordinateInit);
  if (!(Number.isFinite(c.stage1.listingAttentionWeight) && c.stage1.listingAttentionWeight >= 0)) fail('stage1.listingAttentionWeight', 'a weight ≥ 0 (0 = off)', c.stage1.listingAttentionWeight);
  if (!WORD_ATTENTION_SCOPES.includes(c.stage1.wordAttentionScope)) fail('stage1.wordAttentionScope', WORD_ATTENTION_SCOPES.map((m) => `'${m}'`).join(' or '), c.stage1.wordAttentionScope);
  if (!['linear', 'conv', 'hybrid'].includes(c.model.stem)) fail('model.stem', "'linear', 'conv' or 'hybrid'", c.model.stem);
  if (!(Number.isFinite(c.model.prefixPositions) && c.model.prefixPositions >= 0)) fail('model.prefixPositions', 'an amplitude ≥ 0 (0 = off)', c.model.prefixPositions);
  if (!['normal', 'sincos'].includes(c.model.posInit)) fail('model.posInit', "'normal' or 'sincos'", c.model.posInit);
  if (!PREFIX_ATTENTION_MODES.includes(c.model.prefixAttention)) fail('model.prefixAttention', PREFIX_ATTENTION_MODES.map((m) => `'${m}'`).join(', '), c.model.prefixAttention);
  if (!/^(bins|grid|text)\d+$/.test(c.codecA)) fail('codecA', "'bins<N>', 'grid<G>' or 'text<S>'", c.codecA);
  if (!/^(bins|grid|text)\d+$/.test(c.codecB)) fail('codecB', "'bins<N>', 'grid<G>' or 'text<S>'", c.codecB);
  return c;
}

/** What a config may not ask of dataset records (`--data`): throws naming the key. */
export function checkConfigForRecords(c: GroundedLMConfig): void {
  if (c.stage1.taskWeights.checklist > 0) {
    throw new Error(`GroundedLMConfig.stage1.taskWeights.checklist: the checklist task asks about each of the grounded scenes' ${SHAPES.length} shapes; dataset records (--data) have their own names — set it to 0.`);
  }
}
