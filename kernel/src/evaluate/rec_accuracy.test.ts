import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxGIoU, boxIoU } from './box_iou';
import type { BoxXYXY } from './box_iou';
import { recAccuracy } from './rec_accuracy';
import { recMisses } from './rec_misses';

test('IoU and GIoU by hand', () => {
  assert.equal(boxIoU([0, 0, 2, 2], [1, 1, 3, 3]), 1 / 7);
  assert.equal(boxGIoU([0, 0, 1, 1], [2, 0, 3, 1]), -1 / 3);
  assert.ok(Math.abs(boxGIoU([0, 0, 10, 10], [5, 5, 15, 15]) - (1 / 7 - 50 / 225)) < 1e-12);
  assert.equal(boxIoU([1, 1, 1, 1], [1, 1, 1, 1]), 1, 'identical zero-area boxes');
});

test('REC Acc@0.5: >= vs >, IoU vs GIoU, parse failures count as misses in N', () => {
  const rows = [
    { id: 'exact-half', predicted: [0, 0, 10, 10] as const, truth: [0, 0, 10, 20] as const }, // IoU = GIoU = 0.5
    { id: 'good', predicted: [0, 0, 10, 10] as const, truth: [0, 0, 10, 11] as const }, // IoU 10/11
    { id: 'overlap', predicted: [0, 0, 10, 10] as const, truth: [3, 0, 13, 10] as const }, // IoU 70/130 = 0.538, GIoU = IoU
    { id: 'parse-failure', predicted: null, truth: [0, 0, 5, 5] as const },
  ];
  const geq = recAccuracy(rows);
  assert.equal(geq.n, 4);
  assert.equal(geq.correct, 3);
  assert.equal(geq.accuracy, 0.75);
  assert.equal(geq.parseFailures, 1);
  assert.deepEqual(geq.rows[3], { id: 'parse-failure', overlap: null, correct: false });
  assert.equal(recAccuracy(rows, { strict: true }).correct, 2, 'IoU exactly 0.5 fails with >');
  const shifted = [{ predicted: [0, 0, 10, 10] as const, truth: [2, 2, 12, 12] as const }]; // IoU 64/136 = 0.47
  assert.equal(recAccuracy(shifted, { threshold: 0.45 }).correct, 1);
  assert.equal(recAccuracy(shifted, { threshold: 0.45, measure: 'giou' }).correct, 0, 'GIoU = 0.47 − 8/144 < 0.45');
  assert.ok(Number.isNaN(recAccuracy([]).accuracy));
});

test('REC misses: wrong object vs imprecise box vs parse failure, under the same criterion (hand-computed)', () => {
  const rows = [
    { predicted: [0, 0, 10, 10] as BoxXYXY, truth: [0, 0, 10, 11] as BoxXYXY, others: [[0, 0, 10, 10] as BoxXYXY] }, // correct (IoU 10/11): not a miss
    { predicted: [20, 0, 30, 10] as BoxXYXY, truth: [0, 0, 10, 10] as BoxXYXY, others: [[21, 0, 30, 10] as BoxXYXY] }, // another object's box (IoU 0.9)
    { predicted: [0, 0, 10, 10] as BoxXYXY, truth: [0, 0, 10, 30] as BoxXYXY, others: [[40, 40, 50, 50] as BoxXYXY] }, // IoU 1/3 with the truth, 0 with the other
    { predicted: null, truth: [0, 0, 5, 5] as BoxXYXY, others: [] },
    { predicted: [0, 0, 10, 10] as BoxXYXY, truth: [0, 0, 10, 20] as BoxXYXY, others: [] }, // IoU exactly 0.5
  ];
  assert.deepEqual(recMisses(rows), { n: 5, misses: 3, wrongObject: 1, imprecise: 1, parseFailure: 1 });
  assert.deepEqual(recMisses(rows, { strict: true }), { n: 5, misses: 4, wrongObject: 1, imprecise: 2, parseFailure: 1 }, 'IoU 0.5 misses under >');
  assert.equal(recMisses(rows).misses, rows.length - recAccuracy(rows).correct, 'misses agree with recAccuracy');
});
