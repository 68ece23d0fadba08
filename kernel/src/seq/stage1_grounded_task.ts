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
}

export interface Stage1Batch extends TokenRows {
  images: Float32Array;
  imageShape: [number, number, number, number];
  tasks: TaskName[];
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
  const vars = model.variables().filter((v) => v !== frozen);
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
      return { ...exampleRows(examples, tok), images: ScenePool.pixels(scenes), imageShape: [scenes.length, H, W, 3], tasks };
    },
    lossFn(b) {
      const images = tf.tensor4d(b.images, b.imageShape); // [B, H, W, 3]
      const ids = tf.tensor2d(b.ids, [b.batch, b.length], 'int32'); // [B, T]
      const logits = model.textLogits(ids, model.prefix(images)); // [B, T, V]
      return weightedTokenLoss(logits, tf.tensor1d(b.labels, 'int32'), tf.tensor1d(b.weights));
    },
    batchSize: (b) => b.batch,
  };
}
