/**
 * Shared fixtures of the stage-1 auxiliary-loss tests (patch labels, boxes, words; answer attention):
 * a hand-made two-object scene on a 4×4 grid, and a tiny grounded LM on 32-px grounded scenes.
 */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { GroundedScenes } from '../../data/grounded_scenes';
import type { Scene } from '../../data/scene_types';
import { CausalLM } from '../causal_lm';
import { codecByName } from '../codec_registry';
import { GroundedLM } from '../grounded_lm';
import { ScenePool } from '../scene_pool';
import { groundedTokenizer, textTokenizer } from '../sequence_vocabulary';
import type { Stage1Batch, Stage1Options } from '../stage1_grounded_task';
import type { SeqExample } from '../task_templates';
import { packedLength } from '../packed_rows';
import { train, type TrainTask } from '../../train';
import { extendVocabulary } from '../vocabulary_extension';

/**
 * 64 px, grid 4 (patch centres at 8, 24, 40, 56 on each axis): a circle [0, 0, 32, 32] owning the centres
 * (8|24, 8|24) except (24, 24), and a smaller star [20, 20, 44, 44] owning (24|40, 24|40) — owners
 *
 *   0 0 . .
 *   0 1 1 .
 *   . 1 1 .
 *   . . . .
 *
 * `more` is appended to the objects (given fields override nothing of the first two).
 */
export function twoObjectScene(more: readonly object[] = [], fields: { circle?: object; star?: object } = {}): Scene {
  return {
    split: 'train',
    index: 0,
    width: 64,
    height: 64,
    objects: [
      { box: [0, 0, 32, 32], name: 'circle', ...fields.circle },
      { box: [20, 20, 44, 44], name: 'star', ...fields.star },
      ...more,
    ],
  } as unknown as Scene;
}

/** A width-16 grounded LM (bins32, patch 8 on 32-px images, one block each) and a pool of `scenes` training scenes. */
export function tinyStage1(scenes = 8) {
  const base = textTokenizer();
  const codec = codecByName('bins32');
  const tok = groundedTokenizer(codec, base);
  const pool = new ScenePool(new GroundedScenes({ seed: 3, imageSize: 32, splits: { train: scenes, val: 1, test: 4 } }));
  const lm = extendVocabulary(new CausalLM({ vocabSize: base.size, maxLength: 32, width: 16, depth: 1, heads: 2, mlpWidth: 32 }, 1), tok.size - base.size, 2);
  const model = new GroundedLM(lm, { imageSize: 32, width: 16, depth: 1, heads: 2, mlpWidth: 32, outputDim: 16, patchSize: 8 }, 7);
  return { base, codec, tok, pool, model };
}

/** Stage-1 options of the tiny set-up: `batchSize` rows of `numScenes` scenes, no tricks; `extra` on top. */
export function tinyStage1Options(taskWeights: Stage1Options['taskWeights'], extra: Partial<Stage1Options> = {}, batchSize = 8, numScenes = 8): Stage1Options {
  return { batchSize, numScenes, taskWeights, randomOrder: false, noiseBoxes: 0, freezeTextEmbeddings: false, policy: { clipBoxes: false }, ...extra };
}

/**
 * Trains `task` 40 steps (lr 1e-2) on the tiny set-up, checks that it completes without leaking a tensor,
 * and returns the first and last values of the reported loss part `part`.
 */
export async function trainTinyPart(task: TrainTask<Stage1Batch>, part: string): Promise<{ first: number; last: number }> {
  const n0 = tf.memory().numTensors;
  const r = await train(task, { steps: 40, optimizer: { lr: 1e-2 } });
  assert.equal(r.stoppedReason, 'completed');
  assert.equal(tf.memory().numTensors, n0, 'no tensor leaks');
  return { first: r.history[0]!.parts[part]!, last: r.history[r.history.length - 1]!.parts[part]! };
}

/**
 * Every text position of packed rows (`rows[b]` the segments of row b, T the packed length): its row, its
 * example, its place `k` in that example alone and its index b·T + t in the packed arrays — for comparing
 * packed targets with those of each example in its own row.
 */
export function segmentPositions(rows: readonly (readonly SeqExample[])[], T: number): { b: number; e: SeqExample; k: number; i: number }[] {
  const out: { b: number; e: SeqExample; k: number; i: number }[] = [];
  rows.forEach((segments, b) => {
    let offset = 0;
    for (const e of segments) {
      for (let k = 0; k < packedLength(e); k++) out.push({ b, e, k, i: b * T + offset + k });
      offset += packedLength(e);
    }
  });
  return out;
}
