import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { CausalLM } from './causal_lm';
import { codecByName } from './codec_registry';
import { resolveGroundedLMConfig } from './grounded_lm_config';
import { orderedCoordinateInit } from './ordered_coordinate_init';
import { groundedTokenizer, textTokenizer } from './sequence_vocabulary';
import { extendVocabulary } from './vocabulary_extension';

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

test('ordered coordinate init: neighbouring bins start more alike than distant ones; only <bin_k> rows change', () => {
  const base = textTokenizer();
  const codec = codecByName('bins32');
  const tok = groundedTokenizer(codec, base);
  const lm = extendVocabulary(new CausalLM({ vocabSize: base.size, maxLength: 16, width: 32, depth: 1, heads: 2, mlpWidth: 32 }, 1), tok.size - base.size, 2);
  const before = lm.extraEmbedding!.arraySync() as number[][];
  const text = lm.textEmbedding.dataSync().slice();
  assert.equal(orderedCoordinateInit(lm, tok, base.size), 32);
  const after = lm.extraEmbedding!.arraySync() as number[][];
  const row = (w: string) => after[tok.idOf(w) - base.size]!;
  const mean = tf.tidy(() => tf.mean(lm.textEmbedding, 0).arraySync() as number[]);
  const centred = (v: number[]) => v.map((x, j) => x - mean[j]!);
  const cos = (a: number[], b: number[]) => {
    const [x, y] = [centred(a), centred(b)];
    const dot = x.reduce((s, v, j) => s + v * y[j]!, 0);
    return dot / Math.hypot(...x) / Math.hypot(...y);
  };
  assert.ok(cos(row('<bin_10>'), row('<bin_11>')) > cos(row('<bin_10>'), row('<bin_14>')));
  assert.ok(cos(row('<bin_10>'), row('<bin_14>')) > cos(row('<bin_10>'), row('<bin_30>')));
  for (const w of ['<box>', '</box>', '<noise>']) assert.deepEqual(row(w), before[tok.idOf(w) - base.size], `${w} unchanged`);
  assert.deepEqual(lm.textEmbedding.dataSync(), text, 'text embeddings untouched');
  // gain g scales each row's deviation from the text mean by g
  const lm2 = extendVocabulary(new CausalLM({ vocabSize: base.size, maxLength: 16, width: 32, depth: 1, heads: 2, mlpWidth: 32 }, 1), tok.size - base.size, 2);
  orderedCoordinateInit(lm2, tok, base.size, 10);
  const scaled = (lm2.extraEmbedding!.arraySync() as number[][])[tok.idOf('<bin_10>') - base.size]!;
  centred(scaled).forEach((v, j) => assert.ok(Math.abs(v - 10 * centred(row('<bin_10>'))[j]!) < 1e-5, `entry ${j}`));
  assert.throws(() => orderedCoordinateInit(lm2, tok, base.size, -1), /gain must be a positive number, got -1/);
  lm2.dispose();
  lm.dispose();
  assert.throws(() => resolveGroundedLMConfig({ stage1: { coordinateInitGain: 0 } }), /GroundedLMConfig\.stage1\.coordinateInitGain: expected a number > 0, got 0/);
  assert.throws(() => resolveGroundedLMConfig({ stage1: { coordinateInit: 'linear' } }), /GroundedLMConfig\.stage1\.coordinateInit: expected 'random' or 'sincos', got "linear"/);
});
