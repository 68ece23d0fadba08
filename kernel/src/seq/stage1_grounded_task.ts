/**
 * Stage 1 — grounded training: each batch row is one scene and one task drawn from the mixture
 *
 *   task ~ Categorical(weights),  scene ~ Uniform(train split),  example ~ Uniform(task.build(scene))
 *
 * the image enters as the projected patch prefix, the loss is the weighted next-token loss on the
 * answer (task_templates.ts). A TrainTask: variables are the encoder's, the projector's and the LM's,
 * minus the pretrained text embedding when `freezeTextEmbeddings` (then it stays bit-identical).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WordTokenizer } from '../data/word_tokenizer';
import type { Rng } from '../train/step_rng';
import type { TrainTask } from '../train/train_task';
import type { BoxPolicy, BoxWarnings } from './box_check';
import type { CoordinateCodec } from './coordinate_codec';
import type { GroundedLM } from './grounded_lm';
import { ScenePool } from './scene_pool';
import { exampleRows, type TokenRows } from './sequence_batch';
import { SHAPES } from '../data/scene_vocabulary';
import { PatchLabelHead, patchLabels } from './patch_labels';
import { weightedTokenLoss } from './sequence_loss';
import { TASK_NAMES, taskTemplate, type TaskName } from './task_templates';

export interface Stage1Options {
  batchSize: number;
  numScenes: number;
  taskWeights: Record<TaskName, number>;
  randomOrder: boolean;
  noiseBoxes: number;
  freezeTextEmbeddings: boolean;
  policy: BoxPolicy;
  /** Weight of the auxiliary per-patch class loss (patch_labels.ts); 0 = off. */
  patchLabelWeight?: number;
  /** The detection classes of the patch labels (scene shapes, or the records' object names). */
  names?: readonly string[];
}

export interface Stage1Batch extends TokenRows {
  images: Float32Array;
  imageShape: [number, number, number, number];
  tasks: TaskName[];
  /** [B·P] patch classes when the patch-label loss is on. */
  patchLabels?: Int32Array;
}

export function stage1GroundedTask(
  model: GroundedLM,
  tok: WordTokenizer,
  codec: CoordinateCodec,
  pool: ScenePool,
  o: Stage1Options,
  warnings: BoxWarnings,
  config: unknown,
): TrainTask<Stage1Batch> {
  const names = TASK_NAMES.filter((t) => (o.taskWeights[t] ?? 0) > 0);
  if (names.length === 0) throw new Error('stage1GroundedTask: taskWeights gives no task a positive weight.');
  const total = names.reduce((a, t) => a + o.taskWeights[t], 0);
  const frozen = o.freezeTextEmbeddings ? model.lm.textEmbedding : null;
  const patchWeight = o.patchLabelWeight ?? 0;
  const classes = o.names ?? SHAPES;
  const grid = Math.round(Math.sqrt(model.numPrefix));
  // the head is part of the task (trained and checkpointed after the model's variables), not of the model
  const head = patchWeight > 0 ? new PatchLabelHead(model.encoder.config.outputDim, classes.length, 7919) : null;
  const vars = [...model.variables().filter((v) => v !== frozen), ...(head ? head.trainableVariables() : [])];
  return {
    config,
    variables: () => vars,
    nextBatch(_step: number, rng: Rng) {
      const scenes = [];
      const examples = [];
      const tasks: TaskName[] = [];
      for (let b = 0; b < o.batchSize; b++) {
        let u = rng.next() * total;
        const task = names.find((t) => (u -= o.taskWeights[t]) < 0) ?? names[names.length - 1]!;
        let scene = pool.get('train', rng.int(o.numScenes));
        let all = taskTemplate(task).build(scene, { codec, policy: o.policy, warnings, rng, randomOrder: o.randomOrder, noiseBoxes: o.noiseBoxes });
        for (let tries = 0; all.length === 0 && tries < 20; tries++) {
          scene = pool.get('train', rng.int(o.numScenes)); // e.g. a scene without referring expressions
          all = taskTemplate(task).build(scene, { codec, policy: o.policy, warnings, rng, randomOrder: o.randomOrder, noiseBoxes: o.noiseBoxes });
        }
        scenes.push(scene);
        examples.push(rng.pick(all));
        tasks.push(task);
      }
      const { width: W, height: H } = scenes[0]!;
      const batch: Stage1Batch = { ...exampleRows(examples, tok), images: ScenePool.pixels(scenes), imageShape: [scenes.length, H, W, 3], tasks };
      if (head) batch.patchLabels = patchLabels(scenes, grid, classes);
      return batch;
    },
    lossFn(b) {
      const images = tf.tensor4d(b.images, b.imageShape); // [B, H, W, 3]
      const ids = tf.tensor2d(b.ids, [b.batch, b.length], 'int32'); // [B, T]
      const features = model.features(images); // [B, P, e]
      const logits = model.textLogits(ids, model.projector.forward(features)); // [B, T, V]
      const seq = weightedTokenLoss(logits, tf.tensor1d(b.labels, 'int32'), tf.tensor1d(b.weights));
      if (!head || !b.patchLabels) return seq;
      const patch = head.loss(features, tf.tensor1d(b.patchLabels, 'int32'));
      return { total: tf.add(seq.total, tf.mul(patch, patchWeight)) as tf.Scalar, parts: { ...seq.parts, patch } };
    },
    batchSize: (b) => b.batch,
  };
}
