import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TRAIN_CONFIG, firstDifference, resolveTrainConfig, type TrainConfigInput } from './train_config';

test('resolveTrainConfig merges over frozen defaults', () => {
  const c = resolveTrainConfig({ steps: 10, optimizer: { lr: 3e-4 } });
  assert.equal(c.steps, 10);
  assert.equal(c.optimizer.lr, 3e-4);
  assert.equal(c.optimizer.kind, 'adamw');
  assert.equal(c.schedule.kind, 'cosine');
  assert.ok(Object.isFrozen(DEFAULT_TRAIN_CONFIG));
});

test('unknown keys and wrong types are errors naming the key', () => {
  assert.throws(() => resolveTrainConfig({ lr: 1 } as TrainConfigInput), /unknown key 'lr'/);
  assert.throws(() => resolveTrainConfig({ optimizer: { momentum: 1 } } as TrainConfigInput), /unknown key 'optimizer\.momentum'/);
  assert.throws(() => resolveTrainConfig({ steps: 2.5 }), /'steps': expected a positive integer, got 2\.5/);
  assert.throws(() => resolveTrainConfig({ optimizer: { kind: 'sgd' as 'adam' } }), /'optimizer\.kind'/);
  assert.throws(() => resolveTrainConfig({ steps: 5, schedule: { warmupSteps: 6 } }), /warmupSteps/);
});

test('firstDifference names the first differing path', () => {
  assert.equal(firstDifference({ a: { b: [1, 2] } }, { a: { b: [1, 2] } }), null);
  assert.equal(firstDifference({ a: { b: [1, 2] } }, { a: { b: [1, 3] } }), 'a.b[1]: 2 vs 3');
  assert.equal(firstDifference({ a: 1 }, { a: 1, c: 'x' }), 'c: missing vs "x"');
});
