import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recAccuracyByGroup } from './rec_by_group';
import { recGroup } from '../seq/task_templates';

test('REC accuracy per group: hand-computed groups, sorted; rows without a group left out; a parse failure is a miss of its group', () => {
  const hit = { predicted: [0, 0, 10, 10] as [number, number, number, number], truth: [0, 0, 10, 10] as [number, number, number, number] };
  const half = { predicted: [0, 0, 10, 10] as [number, number, number, number], truth: [0, 0, 10, 20] as [number, number, number, number] }; // IoU 0.5
  const miss = { predicted: [50, 50, 60, 60] as [number, number, number, number], truth: [0, 0, 10, 10] as [number, number, number, number] };
  const rows = [
    { ...hit, group: 'relational' },
    { ...miss, group: 'relational' },
    { ...half, group: 'attributes+1' },
    { predicted: null, truth: hit.truth, group: 'attributes+1' },
    { ...hit, group: 'attributes+0' },
    { ...miss }, // no group
  ];
  const by = recAccuracyByGroup(rows);
  assert.deepEqual(Object.keys(by), ['attributes+0', 'attributes+1', 'relational']);
  assert.deepEqual(by['attributes+0'], { n: 1, correct: 1, accuracy: 1 });
  assert.deepEqual(by['attributes+1'], { n: 2, correct: 1, accuracy: 0.5 }, 'IoU 0.5 counts with >=, the parse failure does not');
  assert.deepEqual(by.relational, { n: 2, correct: 1, accuracy: 0.5 });
  assert.deepEqual(recAccuracyByGroup(rows, { strict: true })['attributes+1'], { n: 2, correct: 0, accuracy: 0 }, 'the options are recAccuracy’s');
});

test('recGroup: the kind, and for expressions by attributes the number of size and colour words', () => {
  assert.equal(recGroup({ kind: 'attributes', words: ['the', 'ring'] }), 'attributes+0');
  assert.equal(recGroup({ kind: 'attributes', words: ['the', 'red', 'ring'] }), 'attributes+1');
  assert.equal(recGroup({ kind: 'attributes', words: ['the', 'small', 'red', 'ring'] }), 'attributes+2');
  assert.equal(recGroup({ kind: 'extremal', words: ['the', 'leftmost', 'red', 'ring'] }), 'extremal');
  assert.equal(recGroup({ kind: 'relational', words: ['the', 'ring', 'left', 'of', 'the', 'blue', 'square'] }), 'relational');
});
