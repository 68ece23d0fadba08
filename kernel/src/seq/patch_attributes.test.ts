import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../backend';
import { COLOURS, SIZES } from '../data/scene_vocabulary';
import { newBoxWarnings } from './box_check';
import { attributeClasses, patchAttributeLabels } from './patch_attributes';
import { stage1GroundedTask } from './stage1_grounded_task';
import { tinyStage1, tinyStage1Options, trainTinyPart, twoObjectScene } from './test_support/stage1_fixtures';

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

test('patch attribute labels: the owner’s colour and size class per patch, 0 for background (hand-computed 4×4 grid)', () => {
  const scene = twoObjectScene([], { circle: { colour: 'blue', size: 'large' }, star: { colour: 'white', size: 'small' } });
  const b = 1 + COLOURS.indexOf('blue');
  const w = 1 + COLOURS.indexOf('white');
  // prettier-ignore
  assert.deepEqual(Array.from(patchAttributeLabels([scene], 4, 'colour')), [
    b, b, 0, 0,
    b, w, w, 0,
    0, w, w, 0,
    0, 0, 0, 0,
  ]);
  const L = 1 + SIZES.indexOf('large');
  const S = 1 + SIZES.indexOf('small');
  // prettier-ignore
  assert.deepEqual(Array.from(patchAttributeLabels([scene], 4, 'size')), [
    L, L, 0, 0,
    L, S, S, 0,
    0, S, S, 0,
    0, 0, 0, 0,
  ]);
  assert.deepEqual([attributeClasses('colour'), attributeClasses('size')], [8, 2]);
  const record = twoObjectScene([], { circle: { colour: 'blue', size: 'large' } }); // the star has no colour
  assert.throws(() => patchAttributeLabels([record], 4, 'colour'), /object 1 of train#0 has no colour \(one of red, green, blue/);
});

test('stage 1 with patchAttributeWeight > 0: both heads are trained with the model, the loss is reported and falls, nothing leaks; dataset records are refused', async () => {
  const { codec, tok, pool, model } = tinyStage1();
  const options = tinyStage1Options({ detection: 1, regionCaption: 0, rec: 1, listing: 0 }, { patchAttributeWeight: 1 });
  assert.throws(() => stage1GroundedTask(model, tok, codec, pool, { ...options, names: ['person'] }, newBoxWarnings(), {}), /patchAttributeWeight needs the grounded scenes/);
  const task = stage1GroundedTask(model, tok, codec, pool, options, newBoxWarnings(), {});
  assert.equal(task.variables().length, model.variables().length + 4, 'the two heads’ weights and biases are trained too');
  const { first, last } = await trainTinyPart(task, 'patchAttribute');
  assert.ok(Number.isFinite(first) && first > 1.5, `starts near ln 9 + ln 3: ${first}`);
  assert.ok(last < first - 0.5, `the patch-attribute loss falls on 8 memorisable scenes: ${first} → ${last}`);
  model.dispose();
});
