import { test } from 'node:test';
import assert from 'node:assert/strict';
import { namePRF } from './name_prf';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

test('object names: micro and macro P/R/F1 by hand; duplicates collapse', () => {
  const r = namePRF([
    { predicted: ['circle', 'square'], truth: ['circle'] }, // tp circle, fp square
    { predicted: [], truth: ['triangle'] }, // fn triangle
    { predicted: ['square', 'square'], truth: ['square', 'circle'] }, // tp square, fn circle
  ]);
  assert.deepEqual([r.micro.tp, r.micro.fp, r.micro.fn], [2, 1, 2]);
  close(r.micro.precision, 2 / 3, 'micro P');
  close(r.micro.recall, 1 / 2, 'micro R');
  close(r.micro.f1, 4 / 7, 'micro F1');
  // circle P 1 R .5; square P .5 R 1; triangle P 0 (never predicted) R 0.
  close(r.macro.precision, 0.5, 'macro P');
  close(r.macro.recall, 0.5, 'macro R');
  close(r.macro.f1, 4 / 9, 'macro F1');
  assert.equal(r.perName.triangle.support, 1);
  assert.equal(r.exactMatch, 0);
  const perfect = namePRF([{ predicted: ['a'], truth: ['a'] }, { predicted: [], truth: [] }]);
  assert.deepEqual([perfect.micro.f1, perfect.macro.f1, perfect.exactMatch], [1, 1, 1]);
  assert.ok(Number.isNaN(namePRF([{ predicted: [], truth: [] }]).micro.f1));
});
