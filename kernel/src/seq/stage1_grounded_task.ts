/**
 * Stage 1 — grounded training: each batch row is one scene and one task drawn from the mixture
 *
 *   task ~ Categorical(weights),  scene ~ Uniform(train split),  example ~ Uniform(task.build(scene))
 *
 * the image enters as the projected patch prefix, the loss is the weighted next-token loss on the
 * answer (task_templates.ts). A TrainTask: variables are the encoder's, the projector's and the LM's,
 * minus the pretrained text embedding when `freezeTextEmbeddings` (then it stays bit-identical), plus the
 * heads of the auxiliary losses when on (patch labels, patch boxes, patch words, patch attributes; after the
 * model's, in that order); the supervised answer and word attention (answer_attention.ts,
 * word_attention.ts) add no variables.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WordTokenizer } from '../data/word_tokenizer';
import type { Rng } from '../train/step_rng';
import type { TrainTask } from '../train/train_task';
import type { BoxPolicy, BoxWarnings } from './box_check';
import type { CoordinateCodec } from './coordinate_codec';
import type { GroundedLM } from './grounded_lm';
import { ScenePool } from './scene_pool';
import type { LayerAttentionCapture, PackingLayout } from './causal_lm';
import { packedExampleRows, packedLength } from './packed_rows';
import { exampleRows, type TokenRows } from './sequence_batch';
import { SHAPES } from '../data/scene_vocabulary';
import { coordinateRows, PatchBoxHead, patchBoxTargets, tokensPerBox, type PatchBoxTargets } from './patch_boxes';
import { attributeClasses, patchAttributeLabels } from './patch_attributes';
import { PatchLabelHead, patchLabels } from './patch_labels';
import { PatchWordHead, patchWordTargets, type PatchWordTargets } from './patch_words';
import { answerAttentionLoss, answerAttentionTargets, packedAnswerAttentionTargets, type AnswerAttentionTargets } from './answer_attention';
import { wordAttentionTargets, type WordAttentionScope, type WordAttentionTargets } from './word_attention';
import { listingAttentionTargets } from './listing_attention';
import { weightedTokenLoss } from './sequence_loss';
import { coordinateTargets } from './coordinate_smoothing';
import { coordinateDistanceBlock, coordinateDistanceLoss } from './coordinate_distance';
import { TASK_NAMES, taskTemplate, type SeqExample, type TaskName } from './task_templates';
import type { Scene } from '../data/scene_types';

export interface Stage1Options {
  batchSize: number;
  numScenes: number;
  /** A missing task has weight 0. */
  taskWeights: Partial<Record<TaskName, number>>;
  randomOrder: boolean;
  noiseBoxes: number;
  freezeTextEmbeddings: boolean;
  policy: BoxPolicy;
  /** Weight of the auxiliary per-patch class loss (patch_labels.ts); 0 = off. */
  patchLabelWeight?: number;
  /** Weight of the auxiliary per-patch colour and size loss (patch_attributes.ts; the grounded scenes only); 0 = off. */
  patchAttributeWeight?: number;
  /** Weight of the auxiliary per-patch box loss through the coordinate embeddings (patch_boxes.ts); 0 = off. */
  patchBoxWeight?: number;
  /** Weight of the auxiliary per-patch phrase-word loss through the tied word embeddings (patch_words.ts); 0 = off. */
  patchWordWeight?: number;
  /** Weight of the supervised answer attention of REC and region captions (answer_attention.ts); 0 = off. */
  answerAttentionWeight?: number;
  /** σ (in bins) of the soft targets of coordinate answers and patch boxes (coordinate_smoothing.ts; the bins codec); 0 = one-hot. */
  coordinateSmoothing?: number;
  /** Weight of the expected bin distance of coordinate answers from their targets (coordinate_distance.ts; the bins codec); 0 = off. */
  coordinateDistanceWeight?: number;
  /** Heads 0…n−1 of the LM's last layer that the answer and word attention losses supervise, each on its own (default 1). */
  answerAttentionHeads?: number;
  /** Weight of the supervised word attention: the prompt's content words attend to the objects they name (word_attention.ts); 0 = off. */
  wordAttentionWeight?: number;
  /** The positions word attention supervises: the prompt's words (default) or all but the answer-attention positions. */
  wordAttentionScope?: WordAttentionScope;
  /** Weight of the supervised listing attention: a listing's next name attends to the objects of that name (listing_attention.ts); 0 = off. */
  listingAttentionWeight?: number;
  /**
   * Examples packed into one row per scene (packed_rows.ts): up to this many, while the row's inputs fit
   * the LM's maxLength; 1 (default) = one example per row.
   */
  examplesPerImage?: number;
  /** The detection classes of the patch labels (scene shapes, or the records' object names). */
  names?: readonly string[];
}

export interface Stage1Batch extends TokenRows {
  /** Present when rows are packed (examplesPerImage > 1). */
  packing?: PackingLayout;
  images: Float32Array;
  imageShape: [number, number, number, number];
  /** The task of each example (row-major when packed). */
  tasks: TaskName[];
  /** Examples in the batch (B unless packed). */
  examples: number;
  /** [B·P] patch classes when the patch-label loss is on. */
  patchLabels?: Int32Array;
  /** [B·P] colour and size classes of each patch when the patch-attribute loss is on. */
  patchAttributes?: { colour: Int32Array; size: Int32Array };
  /** [B·P·L] box-token targets and weights of the owned patches when the patch-box loss is on. */
  patchBoxes?: PatchBoxTargets;
  /** [B·P·V] owner-phrase word distributions and [B·P] weights when the patch-word loss is on. */
  patchWords?: PatchWordTargets;
  /** The object's patches ([B, P]; per position [B, T, P] when packed) and the supervised answer positions when the answer-attention loss is on. */
  answerAttention?: AnswerAttentionTargets | WordAttentionTargets;
  /** Per-position target patches and the supervised word positions when the word-attention loss is on. */
  wordAttention?: WordAttentionTargets;
  /** Per-position target patches and the supervised positions of listing answers when the listing-attention loss is on. */
  listingAttention?: WordAttentionTargets;
}

/** The auxiliary heads a stage-1 task trains (null when their loss is off): for probes of a finished run. */
export interface Stage1Heads {
  label: PatchLabelHead | null;
  box: PatchBoxHead | null;
  word: PatchWordHead | null;
  attributes: { colour: PatchLabelHead; size: PatchLabelHead } | null;
}

export function stage1GroundedTask(
  model: GroundedLM,
  tok: WordTokenizer,
  codec: CoordinateCodec,
  pool: ScenePool,
  o: Stage1Options,
  warnings: BoxWarnings,
  config: unknown,
): TrainTask<Stage1Batch> & { heads: Stage1Heads } {
  const weightOf = (t: TaskName): number => o.taskWeights[t] ?? 0;
  const names = TASK_NAMES.filter((t) => weightOf(t) > 0);
  if (names.length === 0) throw new Error('stage1GroundedTask: taskWeights gives no task a positive weight.');
  const total = names.reduce((a, t) => a + weightOf(t), 0);
  const frozen = o.freezeTextEmbeddings ? model.lm.textEmbedding : null;
  const patchWeight = o.patchLabelWeight ?? 0;
  const classes = o.names ?? SHAPES;
  const grid = Math.round(Math.sqrt(model.numPrefix));
  const featureDim = model.encoder.config.outputDim;
  // the heads are part of the task (trained and checkpointed after the model's variables), not of the model
  const head = patchWeight > 0 ? new PatchLabelHead(featureDim, classes.length, 7919) : null;
  const attributeWeight = o.patchAttributeWeight ?? 0;
  if (attributeWeight > 0 && o.names) throw new Error('stage1GroundedTask: patchAttributeWeight needs the grounded scenes (colour and size of every object); dataset records have names only.');
  const attributeHeads = attributeWeight > 0 ? { colour: new PatchLabelHead(featureDim, attributeClasses('colour'), 7937), size: new PatchLabelHead(featureDim, attributeClasses('size'), 7949) } : null;
  const boxWeight = o.patchBoxWeight ?? 0;
  // with box copy the model's own reader is the patch-box head (its variables are the model's)
  const boxHead = boxWeight > 0 ? (model.boxCopy?.reader ?? new PatchBoxHead(model.lm.config.width, tokensPerBox(codec), 7927)) : null;
  const ownBoxHead = boxHead && boxHead !== model.boxCopy?.reader ? boxHead : null;
  const smoothing = o.coordinateSmoothing ?? 0;
  const distanceWeight = o.coordinateDistanceWeight ?? 0;
  const coordRows = boxHead || smoothing > 0 || distanceWeight > 0 ? coordinateRows(tok, codec) : null;
  const distanceBlock = distanceWeight > 0 ? coordinateDistanceBlock(codec, coordRows!.start) : null;
  const wordWeight = o.patchWordWeight ?? 0;
  const wordHead = wordWeight > 0 ? new PatchWordHead(model.lm.config.width, 7933) : null;
  if (wordHead && tok.size !== model.lm.vocabSize) throw new Error(`stage1GroundedTask: the tokenizer has ${tok.size} words but the LM ${model.lm.vocabSize} rows; the patch-word loss needs them equal.`);
  const perImage = o.examplesPerImage ?? 1;
  if (!Number.isInteger(perImage) || perImage < 1) throw new Error(`stage1GroundedTask: examplesPerImage must be a positive integer; got ${perImage}.`);
  const maxLength = model.lm.config.maxLength;
  const attentionWeight = o.answerAttentionWeight ?? 0;
  const supervisedHeads = o.answerAttentionHeads ?? 1;
  if (!(Number.isInteger(supervisedHeads) && supervisedHeads >= 1 && supervisedHeads <= model.lm.config.heads)) {
    throw new Error(`stage1GroundedTask: answerAttentionHeads must be an integer in [1, ${model.lm.config.heads}] (the LM's heads); got ${supervisedHeads}.`);
  }
  const wordAttentionWeight = o.wordAttentionWeight ?? 0;
  const listingAttentionWeight = o.listingAttentionWeight ?? 0;
  if (listingAttentionWeight > 0 && perImage > 1) throw new Error(`stage1GroundedTask: listingAttentionWeight needs one example per row; got examplesPerImage ${perImage}.`);
  const coordinates = smoothing > 0 ? coordinateTargets(codec, coordRows!.start, smoothing) : undefined;
  const vars = [...model.variables().filter((v) => v !== frozen), ...(head ? head.trainableVariables() : []), ...(ownBoxHead ? ownBoxHead.trainableVariables() : []), ...(wordHead ? wordHead.trainableVariables() : []), ...(attributeHeads ? [...attributeHeads.colour.trainableVariables(), ...attributeHeads.size.trainableVariables()] : [])];
  return {
    config,
    heads: { label: head, box: boxHead, word: wordHead, attributes: attributeHeads },
    variables: () => vars,
    nextBatch(_step: number, rng: Rng) {
      const drawTask = (): TaskName => {
        let u = rng.next() * total;
        return names.find((t) => (u -= weightOf(t)) < 0) ?? names[names.length - 1]!;
      };
      const build = (task: TaskName, scene: Scene) =>
        taskTemplate(task).build(scene, { codec, policy: o.policy, warnings, rng, randomOrder: o.randomOrder, noiseBoxes: o.noiseBoxes });
      const scenes: Scene[] = [];
      const rows: SeqExample[][] = [];
      const tasks: TaskName[] = [];
      for (let b = 0; b < o.batchSize; b++) {
        const task = drawTask();
        let scene = pool.get('train', rng.int(o.numScenes));
        let all = build(task, scene);
        for (let tries = 0; all.length === 0 && tries < 20; tries++) {
          scene = pool.get('train', rng.int(o.numScenes)); // e.g. a scene without referring expressions
          all = build(task, scene);
        }
        const row = [rng.pick(all)];
        tasks.push(task);
        let used = packedLength(row[0]!);
        for (let j = 1; j < perImage; j++) {
          const next = drawTask();
          const more = build(next, scene);
          if (more.length === 0) continue;
          const ex = rng.pick(more);
          if (used + packedLength(ex) > maxLength) break;
          row.push(ex);
          tasks.push(next);
          used += packedLength(ex);
        }
        scenes.push(scene);
        rows.push(row);
      }
      const { width: W, height: H } = scenes[0]!;
      const packed = perImage > 1 ? packedExampleRows(rows, tok) : null;
      const tokens = packed ?? exampleRows(rows.map((r) => r[0]!), tok);
      const batch: Stage1Batch = { ...tokens, images: ScenePool.pixels(scenes), imageShape: [scenes.length, H, W, 3], tasks, examples: tasks.length };
      if (head) batch.patchLabels = patchLabels(scenes, grid, classes);
      if (attributeHeads) batch.patchAttributes = { colour: patchAttributeLabels(scenes, grid, 'colour'), size: patchAttributeLabels(scenes, grid, 'size') };
      if (boxHead) batch.patchBoxes = patchBoxTargets(scenes, grid, codec, o.policy, warnings);
      if (wordHead) batch.patchWords = patchWordTargets(scenes, grid, tok);
      const firsts = rows.map((r) => r[0]!); // the example of each (unpacked) row
      if (attentionWeight > 0) batch.answerAttention = packed ? packedAnswerAttentionTargets(rows, scenes, packed, grid, tok) : answerAttentionTargets(firsts, scenes, tokens, grid, tok);
      if (wordAttentionWeight > 0) batch.wordAttention = wordAttentionTargets(scenes, tokens, grid, tok, o.wordAttentionScope ?? 'prompt', o.wordAttentionScope === 'all' ? batch.answerAttention?.positions : undefined);
      if (listingAttentionWeight > 0) batch.listingAttention = listingAttentionTargets(firsts, scenes, tokens, grid, tok);
      return batch;
    },
    lossFn(b) {
      const images = tf.tensor4d(b.images, b.imageShape); // [B, H, W, 3]
      const ids = tf.tensor2d(b.ids, [b.batch, b.length], 'int32'); // [B, T]
      const features = model.features(images); // [B, P, e]
      const prefix = model.prefixOf(features); // [B, P, d]
      // the supervised heads: heads 0…n−1 of the LM's last layer, each with its own loss (averaged)
      const capture = b.answerAttention || b.wordAttention || b.listingAttention ? ({ layer: model.lm.config.depth - 1, head: 0, count: supervisedHeads } as LayerAttentionCapture) : undefined;
      const perHead = (loss: (attention: tf.Tensor) => tf.Scalar): tf.Scalar => tf.div(tf.addN(capture!.attentions!.map(loss)), capture!.attentions!.length) as tf.Scalar;
      const logits = model.textLogits(ids, prefix, b.packing, capture); // [B, T, V]
      const labels = tf.tensor1d(b.labels, 'int32');
      const weights = tf.tensor1d(b.weights);
      const seq = weightedTokenLoss(logits, labels, weights, coordinates);
      let total = seq.total;
      const parts = { ...seq.parts };
      if (distanceBlock) {
        parts.coordinateDistance = coordinateDistanceLoss(logits, labels, weights, distanceBlock);
        total = tf.add(total, tf.mul(parts.coordinateDistance, distanceWeight)) as tf.Scalar;
      }
      // the attention losses: one patch set per row ([B, P], answer attention) or per position ([B, T, P])
      const P = model.numPrefix;
      const attentionLoss = (part: 'answerAttention' | 'wordAttention' | 'listingAttention', a: { patches: Float32Array; positions: Float32Array }, weight: number, perPosition: boolean): void => {
        const patches = perPosition ? tf.tensor3d(a.patches, [b.batch, b.length, P]) : tf.tensor2d(a.patches, [b.batch, P]);
        const positions = tf.tensor2d(a.positions, [b.batch, b.length]);
        parts[part] = perHead((attention) => answerAttentionLoss(attention, P, patches, positions));
        total = tf.add(total, tf.mul(parts[part]!, weight)) as tf.Scalar;
      };
      if (capture && b.answerAttention) attentionLoss('answerAttention', b.answerAttention, attentionWeight, b.packing !== undefined); // packed: one object per segment
      if (capture && b.wordAttention) attentionLoss('wordAttention', b.wordAttention, wordAttentionWeight, true);
      if (capture && b.listingAttention) attentionLoss('listingAttention', b.listingAttention, listingAttentionWeight, true);
      if (attributeHeads && b.patchAttributes) {
        const a = b.patchAttributes;
        parts.patchAttribute = tf.add(attributeHeads.colour.loss(features, tf.tensor1d(a.colour, 'int32')), attributeHeads.size.loss(features, tf.tensor1d(a.size, 'int32'))) as tf.Scalar;
        total = tf.add(total, tf.mul(parts.patchAttribute, attributeWeight)) as tf.Scalar;
      }
      if (head && b.patchLabels) {
        parts.patch = head.loss(features, tf.tensor1d(b.patchLabels, 'int32'));
        total = tf.add(total, tf.mul(parts.patch, patchWeight)) as tf.Scalar;
      }
      if (boxHead && b.patchBoxes) {
        parts.patchBox = boxHead.loss(prefix, model.lm, coordRows!, tf.tensor1d(b.patchBoxes.codes, 'int32'), tf.tensor1d(b.patchBoxes.weights), coordinates?.table);
        total = tf.add(total, tf.mul(parts.patchBox, boxWeight)) as tf.Scalar;
      }
      if (wordHead && b.patchWords) {
        const V = model.lm.vocabSize;
        parts.patchWord = wordHead.loss(prefix, model.lm, tf.tensor2d(b.patchWords.distributions, [b.patchWords.weights.length, V]), tf.tensor1d(b.patchWords.weights));
        total = tf.add(total, tf.mul(parts.patchWord, wordWeight)) as tf.Scalar;
      }
      return { total, parts };
    },
    batchSize: (b) => b.examples,
  };
}
