/**
 * Stage 0 — text-only pretraining (the seed's "language model pretrained on text only"): next-token
 * loss on the captions, region phrases and referring expressions of the grounded scenes' train split
 * (no images), plus the lines of an optional plain-text corpus file.
 *
 *   L = mean over tokens of −log p(w_t | w_<t)     sequences [BOS] words [EOS]
 *
 * A TrainTask: the trainer (train/trainer.ts) runs it and writes the checkpoint.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WordTokenizer } from '../data/word_tokenizer';
import type { Rng } from '../train/step_rng';
import type { TrainTask } from '../train/train_task';
import type { CausalLM } from './causal_lm';
import type { ScenePool } from './scene_pool';
import { textRows, type TokenRows } from './sequence_batch';
import { weightedTokenLoss } from './sequence_loss';

export interface Stage0Options {
  batchSize: number;
  /** Train scenes whose texts are used (indices 0 … numScenes−1). */
  numScenes: number;
  /** Extra lines of plain text (already split into words); drawn with probability `corpusShare`. */
  corpus: readonly (readonly string[])[];
  corpusShare: number;
}

/** All texts of a scene, as word lists. */
function sceneTexts(pool: ScenePool, index: number): string[][] {
  const s = pool.get('train', index);
  return [s.caption.words, ...s.regionPhrases.map((p) => p.words), ...s.referringExpressions.map((e) => e.words)];
}

export function stage0TextTask(lm: CausalLM, tok: WordTokenizer, pool: ScenePool, o: Stage0Options, config: unknown): TrainTask<TokenRows> {
  const maxWords = lm.config.maxLength - 2;
  return {
    config,
    variables: () => lm.trainableVariables(),
    nextBatch(_step: number, rng: Rng) {
      const texts: string[][] = [];
      for (let b = 0; b < o.batchSize; b++) {
        const fromCorpus = o.corpus.length > 0 && rng.next() < o.corpusShare;
        const words = fromCorpus ? [...o.corpus[rng.int(o.corpus.length)]!] : rng.pick(sceneTexts(pool, rng.int(o.numScenes)));
        texts.push(words.slice(0, maxWords));
      }
      return textRows(texts, tok);
    },
    lossFn(rows) {
      const ids = tf.tensor2d(rows.ids, [rows.batch, rows.length], 'int32'); // [B, T]
      const logits = lm.logits(lm.forward(ids)); // [B, T, V]
      return weightedTokenLoss(logits, tf.tensor1d(rows.labels, 'int32'), tf.tensor1d(rows.weights));
    },
    batchSize: (rows) => rows.batch,
  };
}
