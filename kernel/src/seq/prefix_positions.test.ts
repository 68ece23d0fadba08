import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { sincos2d } from '../models/sincos_positions';
import { CausalLM } from './causal_lm';
import { GroundedLM } from './grounded_lm';
import { resolveGroundedLMConfig } from './grounded_lm_config';
import { PrefixPositions } from './prefix_positions';

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

test('PrefixPositions: starts as the sin-cos code of the grid at the given amplitude and adds its row p to every image token p', () => {
  const pos = new PrefixPositions(2, 8, 0.5);
  const want = sincos2d(2, 8, 0.5);
  assert.deepEqual(pos.table.dataSync(), want.dataSync());
  // row 1 (row 0, column 1) by hand: the second half holds the column as [sin(1·ω_i), cos(1·ω_i)], ω = 1, 0.01
  const row1 = Array.from(pos.table.dataSync().slice(8, 16));
  const hand = [0, 0.5, 0, 0.5, 0.5 * Math.sin(1), 0.5 * Math.cos(1), 0.5 * Math.sin(0.01), 0.5 * Math.cos(0.01)];
  row1.forEach((v, j) => assert.ok(Math.abs(v - hand[j]!) < 1e-6, `entry ${j}: ${v} vs ${hand[j]}`));
  const prefix = tf.randomNormal([3, 4, 8], 0, 1, 'float32', 2);
  const got = pos.forward(prefix).arraySync() as number[][][];
  const x = prefix.arraySync() as number[][][];
  const table = pos.table.arraySync() as number[][];
  for (let b = 0; b < 3; b++) for (let p = 0; p < 4; p++) for (let j = 0; j < 8; j++) assert.ok(Math.abs(got[b]![p]![j]! - (x[b]![p]![j]! + table[p]![j]!)) < 1e-6);
  const before = tf.memory().numTensors;
  tf.dispose(pos.forward(prefix));
  assert.equal(tf.memory().numTensors, before, 'forward leaks no tensor');
  assert.throws(() => pos.forward(tf.zeros([1, 9, 8])), /prefix must be \[B, 4, 8\]; got \[1,9,8\]/);
  assert.throws(() => new PrefixPositions(2, 8, 0), /amplitude must be a positive number; got 0/);
  tf.dispose([want, prefix]);
  pos.dispose();
});

test('GroundedLM with prefix positions: the prefix is the projection plus the table; the table gets a gradient, comes last, and must match the patch grid', () => {
  const encoder = { width: 16, depth: 1, heads: 2, mlpWidth: 32, outputDim: 16, patchSize: 16 }; // 64-px images: a 4 × 4 grid
  const lmConfig = { vocabSize: 12, maxLength: 12, width: 16, depth: 1, heads: 2, mlpWidth: 32 };
  const plain = new GroundedLM(new CausalLM(lmConfig, 4), encoder, 7);
  const positions = new PrefixPositions(4, 16, 1);
  const positioned = new GroundedLM(new CausalLM(lmConfig, 4), encoder, 7, { prefixPositions: positions });
  assert.equal(positioned.variables().length, plain.variables().length + 1);
  assert.equal(positioned.variables().at(-1), positions.table, 'the table comes last (the checkpoint order)');
  const images = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 1);
  const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.sub(positioned.prefix(images), plain.prefix(images)), positions.table))).dataSync()[0]!);
  assert.ok(diff < 1e-5, `prefix − plain prefix = table (max difference ${diff})`);
  const ids = tf.tensor2d([[5, 6, 9, 1], [5, 9, 1, 2]], [2, 4], 'int32');
  const { grads } = tf.variableGrads(() => tf.mean(tf.square(positioned.textLogits(ids, positioned.prefix(images)))) as tf.Scalar, [positions.table]);
  assert.ok(tf.sum(tf.abs(grads[positions.table.name]!)).dataSync()[0]! > 0, 'the table learns');
  tf.dispose([images, ids, ...Object.values(grads)]);
  assert.throws(() => new GroundedLM(new CausalLM(lmConfig, 4), encoder, 7, { prefixPositions: new PrefixPositions(8, 16, 1) }), /the prefix positions cover 64 patches, the encoder makes 16/);
  plain.dispose();
  positioned.dispose();
  assert.throws(() => resolveGroundedLMConfig({ model: { prefixPositions: -1 } }), /GroundedLMConfig\.model\.prefixPositions: expected an amplitude ≥ 0 \(0 = off\), got -1/);
});
