import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planDiagnostics } from './plan_diagnostics';

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

test('a diagonal (permutation) plan: entropy log 2, marginals exact, sharp columns', () => {
  const d = planDiagnostics([0.5, 0, 0, 0.5], 2, 2);
  close(d.entropy, Math.log(2), 'entropy');
  close(d.normEntropy, 0.5, 'normEntropy');
  close(d.marginalError, 0, 'marginalError');
  close(d.columnEntropy, 0, 'columnEntropy');
  close(d.massOnPadding, 0, 'massOnPadding');
});

test('the uniform plan has normalised entropy 1', () => {
  close(planDiagnostics(Array(6).fill(1 / 6), 2, 3).normEntropy, 1, 'normEntropy');
});

test('padding: mass on a masked token column is reported and counts as marginal error', () => {
  const d = planDiagnostics([0.25, 0.2, 0.05, 0.25, 0.2, 0.05], 2, 3, { colMask: [1, 1, 0] });
  close(d.massOnPadding, 0.1, 'massOnPadding');
  close(d.rowError, 0, 'rowError');
  close(d.colError, 0.2, 'colError: |0.5−0.5| + |0.4−0.5| + |0.1−0|');
  close(d.columnEntropy, Math.log(2), 'columns 0 and 1 are split evenly over the 2 patches');
  assert.throws(() => planDiagnostics([1, 2, 3], 2, 2), /3 entries, expected n·m = 2·2 = 4/);
});
