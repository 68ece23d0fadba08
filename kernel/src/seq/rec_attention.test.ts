import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { answerAttentionTargets } from './answer_attention';
import { newBoxWarnings } from './box_check';
import { patchOwners } from './patch_labels';
import { onTargetAccuracy, recAttentionMass } from './rec_attention';
import { exampleRows } from './sequence_batch';
import { taskTemplate } from './task_templates';
import { tinyStage1 } from './test_support/stage1_fixtures';

const PARTS = ['target', 'sameName', 'otherObjects', 'background', 'text'] as const;

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

test('REC attention mass: with the head’s query weights zeroed the attention is uniform over the visible keys, so every part is a count of patches over P + t + 1 (computed by hand from the owners)', () => {
  const { tok, codec, pool, model } = tinyStage1();
  const attn = model.lm.blocks[0]!.attn;
  attn.q.weight.assign(tf.zerosLike(attn.q.weight));
  attn.q.bias.assign(tf.zerosLike(attn.q.bias));
  const policy = { clipBoxes: false };
  const got = recAttentionMass(model, tok, codec, pool, { split: 'test', count: 4, chunk: 3, policy }, newBoxWarnings());
  // expected, from the definitions: each expression's answer positions t, each patch's owner
  const P = model.numPrefix;
  const grid = Math.round(Math.sqrt(P));
  type Sums = { n: number; target: number; sameName: number; otherObjects: number; background: number; text: number };
  const expected = { box: new Map<string, Sums>(), firstCoordinate: new Map<string, Sums>() };
  for (let i = 0; i < 4; i++) {
    const scene = pool.get('test', i);
    const examples = taskTemplate('rec').build(scene, { codec, policy, warnings: newBoxWarnings(), randomOrder: false, noiseBoxes: 0 });
    const owners = patchOwners([scene], grid);
    for (const e of examples) {
      const rows = exampleRows([e], tok);
      const { positions } = answerAttentionTargets([e], [scene], rows, grid, tok);
      const count = { target: 0, sameName: 0, otherObjects: 0, background: 0 };
      owners.forEach((o) => {
        if (o === e.object) count.target++;
        else if (o < 0) count.background++;
        else if (scene.objects[o]!.name === scene.objects[e.object]!.name) count.sameName++;
        else count.otherObjects++;
      });
      if (count.target === 0) continue;
      // uniform attention at text position t: each key has weight 1 / (P + t + 1)
      const uniform = (t: number) => ({ ...Object.fromEntries(Object.entries(count).map(([k, c]) => [k, c / (P + t + 1)])), text: (t + 1) / (P + t + 1) }) as Omit<Sums, 'n'>;
      const answer = [...positions.keys()].filter((t) => positions[t]);
      const mean = Object.fromEntries(PARTS.map((k) => [k, answer.reduce((x, t) => x + uniform(t)[k], 0) / answer.length])) as Omit<Sums, 'n'>;
      // the positions predict <box> b1 b2 b3 b4 </box>: the first coordinate is written at the second one
      for (const [view, mass] of [['box', mean], ['firstCoordinate', uniform(answer[1]!)]] as const) {
        for (const g of ['all', e.group!]) {
          const s = expected[view].get(g) ?? { n: 0, target: 0, sameName: 0, otherObjects: 0, background: 0, text: 0 };
          s.n++;
          for (const k of PARTS) s[k] += mass[k];
          expected[view].set(g, s);
        }
      }
    }
  }
  assert.ok(got.box.all!.n > 4, `expressions measured: ${got.box.all!.n}`);
  for (const view of ['box', 'firstCoordinate'] as const) {
    assert.deepEqual(Object.keys(got[view]).sort(), [...expected[view].keys()].sort());
    for (const [g, s] of expected[view]) {
      const m = got[view][g]!;
      assert.equal(m.n, s.n, `${view} ${g}: n`);
      for (const k of PARTS) assert.ok(Math.abs(m[k] - s[k] / s.n) < 1e-5, `${view} ${g}.${k}: ${m[k]} vs ${s[k] / s.n}`);
      const total = PARTS.reduce((x, k) => x + m[k], 0);
      assert.ok(Math.abs(total - 1) < 1e-5, `${view} ${g}: the parts sum to 1 (${total})`);
    }
  }
  assert.ok(got.firstCoordinate.all!.target !== got.box.all!.target, 'the two views differ');
  // one entry per expression in scoring order; the measured ones carry their box mass
  const records = [0, 1, 2, 3].flatMap((i) => pool.get('test', i).referringExpressions.map(() => `test#${i}`));
  assert.deepEqual(got.expressions.map((e) => e.record), records);
  const measured = got.expressions.filter((e) => e.target !== null);
  assert.equal(measured.length, got.box.all!.n);
  assert.ok(Math.abs(measured.reduce((x, e) => x + e.target!, 0) / measured.length - got.box.all!.target) < 1e-5);
  model.dispose();
});

test('on-target accuracy: REC accuracy over the expressions whose box mass on the object reaches the bar (hand-computed); order and length checked', () => {
  const truth: [number, number, number, number] = [0, 0, 10, 10];
  const hit = { id: 'test#0', truth, predicted: [0, 0, 10, 9] as [number, number, number, number] };
  const miss = { id: 'test#0', truth, predicted: [20, 20, 30, 30] as [number, number, number, number] };
  const expressions = [
    { record: 'test#0', target: 0.99 },
    { record: 'test#0', target: 0.5 },
    { record: 'test#0', target: null },
  ];
  assert.deepEqual(onTargetAccuracy(expressions, [hit, miss, hit], 0.95), { minMass: 0.95, n: 1, accuracy: 1 });
  assert.deepEqual(onTargetAccuracy(expressions, [hit, miss, hit], 0.4), { minMass: 0.4, n: 2, accuracy: 0.5 });
  assert.ok(Number.isNaN(onTargetAccuracy(expressions, [hit, miss, hit], 1.5).accuracy), 'none measured: NaN, n 0');
  assert.throws(() => onTargetAccuracy(expressions, [hit, miss], 0.95), /3 expressions measured, 2 REC predictions/);
  assert.throws(() => onTargetAccuracy(expressions, [hit, { ...miss, id: 'test#1' }, hit], 0.95), /expression 1 is of test#0, its prediction of test#1/);
});
