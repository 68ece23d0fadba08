import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../backend';
import { newBoxWarnings } from './box_check';
import { codecByName } from './codec_registry';
import { resolveGroundedLMConfig } from './grounded_lm_config';
import { listingAttentionTargets } from './listing_attention';
import { exampleRows } from './sequence_batch';
import { groundedTokenizer, textTokenizer } from './sequence_vocabulary';
import { stage1GroundedTask } from './stage1_grounded_task';
import type { SeqExample } from './task_templates';
import { tinyStage1, tinyStage1Options, trainTinyPart, twoObjectScene } from './test_support/stage1_fixtures';

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

const codec = codecByName('bins32');
const tok = groundedTokenizer(codec, textTokenizer());
const ex = (task: SeqExample['task'], prompt: string[], target: string[], object: number): SeqExample => ({ task, record: 'test#0', prompt, target: [...target, '[EOS]'], weights: [...target.map(() => 1), 1], object });

// stage1_fixtures' 4×4 grid: the circle owns patches 0, 1, 4; the star 5, 6, 9, 10; a square [50, 50, 54, 54]
// owns none; a second circle [40, 0, 64, 20] holds the centres (40, 8) and (56, 8): patches 2 and 3
const scene = twoObjectScene([
  { box: [50, 50, 54, 54], name: 'square' },
  { box: [40, 0, 64, 20], name: 'circle' },
]);
const mask = (owned: number[]): number[] => Array.from({ length: 16 }, (_, p) => (owned.includes(p) ? 1 : 0));

test('listing attention targets: the position that predicts each listed name → the patches of every object of that name (hand-computed 4×4 grid); [EOS] and names owning no patch are left out', () => {
  const listing = ex('listing', ['list'], ['circle', 'square', 'star'], -1);
  const rows = exampleRows([listing], tok);
  // inputs: [BOS] list [SEP] circle square star; labels at t = 2, 3, 4, 5: circle, square, star, [EOS]
  const { patches, positions } = listingAttentionTargets([listing], [scene], rows, 4, tok);
  const T = rows.length;
  const expected = new Array(T).fill(0);
  expected[2] = 1; // predicts circle: both circles
  expected[4] = 1; // predicts star
  assert.deepEqual(Array.from(positions), expected, 'square (owns no patch) and [EOS] are left out');
  assert.deepEqual(Array.from(patches.subarray(2 * 16, 3 * 16)), mask([0, 1, 4, 2, 3]));
  assert.deepEqual(Array.from(patches.subarray(4 * 16, 5 * 16)), mask([5, 6, 9, 10]));
  assert.deepEqual(Array.from(patches.subarray(3 * 16, 4 * 16)), new Array(16).fill(0));
  assert.throws(() => listingAttentionTargets([listing], [scene, scene], rows, 4, tok), /1 examples and 2 scenes for 1 rows/);
});

test('listing attention targets: only listing rows — the names of a detection and a region caption are left out', () => {
  const detection = ex('detection', ['detect'], ['<box>', '<bin_0>', '<bin_0>', '<bin_15>', '<bin_15>', '</box>', 'circle'], -1);
  const caption = ex('regionCaption', ['describe', '<box>', '<bin_0>', '<bin_0>', '<bin_15>', '<bin_15>', '</box>'], ['circle'], 0);
  const listing = ex('listing', ['list'], ['star'], -1);
  const rows = exampleRows([detection, caption, listing], tok);
  const { positions } = listingAttentionTargets([detection, caption, listing], [scene, scene, scene], rows, 4, tok);
  const T = rows.length;
  assert.deepEqual(Array.from(positions.subarray(0, 2 * T)), new Array(2 * T).fill(0));
  assert.deepEqual(Array.from(positions.subarray(2 * T, 2 * T + 4)), [0, 0, 1, 0], 'listing: [SEP] predicts star');
});

test('config: stage1.listingAttentionWeight is off by default and must be a weight ≥ 0', () => {
  assert.equal(resolveGroundedLMConfig({}).stage1.listingAttentionWeight, 0);
  assert.throws(() => resolveGroundedLMConfig({ stage1: { listingAttentionWeight: -1 } }), /GroundedLMConfig\.stage1\.listingAttentionWeight: expected a weight ≥ 0 \(0 = off\), got -1/);
});

test('stage 1 with listingAttentionWeight > 0: the loss is reported and falls, no extra variables, nothing leaks; packed rows are refused', async () => {
  const { pool, model } = tinyStage1();
  const options = tinyStage1Options({ detection: 0, regionCaption: 0, rec: 1, listing: 1 }, { listingAttentionWeight: 1 });
  assert.throws(() => stage1GroundedTask(model, tok, codec, pool, { ...options, examplesPerImage: 2 }, newBoxWarnings(), {}), /listingAttentionWeight needs one example per row; got examplesPerImage 2/);
  const task = stage1GroundedTask(model, tok, codec, pool, options, newBoxWarnings(), {});
  assert.equal(task.variables().length, model.variables().length);
  const { first, last } = await trainTinyPart(task, 'listingAttention');
  assert.ok(Number.isFinite(first) && first > 0.5, `starts high: ${first}`);
  assert.ok(last < first - 0.3, `the listing-attention loss falls on 8 memorisable scenes: ${first} → ${last}`);
  model.dispose();
});
