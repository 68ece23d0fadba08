import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cocoMAP } from './coco_map';
import { cocoBoxIoU } from './coco_match';
import { defaultCocoParams } from './coco_params';
import type { CocoDetection, CocoGtAnnotation } from './coco_params';

const close = (a: number, b: number, what = '') => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);
const ann = (imageId: number, bbox: [number, number, number, number], extra: Partial<CocoGtAnnotation> = {}): CocoGtAnnotation => ({ imageId, categoryId: 1, bbox, ...extra });
/** Precision is tp / (tp + fp + np.spacing(1)) in pycocotools, so a perfect AP is 1 − 2.2e−16: compare with a tolerance. */
const closeAll = (a: number[], b: number[]) => a.forEach((v, i) => close(v, b[i], `stat ${i}`));
const det = (imageId: number, bbox: [number, number, number, number], score: number, categoryId = 1): CocoDetection => ({ imageId, categoryId, bbox, score });

test('params are numpy linspace values (0.8999999999999999 included)', () => {
  const p = defaultCocoParams();
  assert.equal(p.iouThrs.length, 10);
  assert.equal(p.iouThrs[5], 0.75);
  assert.equal(p.iouThrs[8], 0.8999999999999999);
  assert.equal(p.recThrs.length, 101);
  assert.equal(p.recThrs[100], 1);
});

test('one perfect detection: AP 1; undefined area ranges are -1', () => {
  const r = cocoMAP({ imageIds: [1], categoryIds: [1], annotations: [ann(1, [0, 0, 10, 10])] }, [det(1, [0, 0, 10, 10], 0.9)]);
  closeAll(r.stats, [1, 1, 1, 1, -1, -1, 1, 1, 1, 1, -1, -1]);
});

test('missed object: recall 1/2 → AP = 51/101 (101-point interpolation)', () => {
  const r = cocoMAP({ imageIds: [1], categoryIds: [1], annotations: [ann(1, [0, 0, 10, 10]), ann(1, [50, 50, 10, 10])] }, [det(1, [0, 0, 10, 10], 0.9)]);
  close(r.AP, 51 / 101, 'AP');
  close(r.AR100, 0.5, 'AR100');
});

test('duplicates: after all TPs they cost nothing; between TPs they lower the interpolated precision', () => {
  const gt = { imageIds: [1], categoryIds: [1], annotations: [ann(1, [0, 0, 10, 10])] };
  close(cocoMAP(gt, [det(1, [0, 0, 10, 10], 0.9), det(1, [0, 0, 10, 10], 0.8)]).AP, 1, 'dup after');
  const gt2 = { imageIds: [1], categoryIds: [1], annotations: [ann(1, [0, 0, 10, 10]), ann(1, [50, 50, 10, 10])] };
  const r = cocoMAP(gt2, [det(1, [0, 0, 10, 10], 0.9), det(1, [0, 0, 10, 10], 0.8), det(1, [50, 50, 10, 10], 0.7)]);
  // tp [1,1,2], fp [0,1,1] → rc [.5,.5,1], pr [1,.5,2/3] → interpolated [1, 2/3, 2/3]: 51 points at 1, 50 at 2/3.
  close(r.AP, (51 + 50 * (2 / 3)) / 101, 'AP');
  // A false positive ranked first halves the precision everywhere.
  close(cocoMAP(gt, [det(1, [60, 60, 10, 10], 0.95), det(1, [0, 0, 10, 10], 0.9)]).AP, 0.5, 'FP first');
});

test('maxDets: AR1 counts only the top detection of each image', () => {
  const gt = { imageIds: [1], categoryIds: [1], annotations: [ann(1, [0, 0, 10, 10]), ann(1, [50, 50, 10, 10])] };
  const r = cocoMAP(gt, [det(1, [0, 0, 10, 10], 0.9), det(1, [50, 50, 10, 10], 0.8)]);
  close(r.AR1, 0.5, 'AR1');
  close(r.AR10, 1, 'AR10');
  close(r.AP, 1, 'AP');
});

test('IoU thresholds: IoU exactly 0.6 matches at .50, .55, .60 → AP = 3/10', () => {
  const r = cocoMAP({ imageIds: [1], categoryIds: [1], annotations: [ann(1, [0, 0, 10, 6])] }, [det(1, [0, 0, 10, 10], 0.9)]);
  close(r.AP50, 1, 'AP50');
  close(r.AP75, 0, 'AP75');
  close(r.AP, 0.3, 'AP');
});

test('crowd: matches use inter / detection area and are ignored; crowds are never missed', () => {
  assert.deepEqual(cocoBoxIoU([[90, 0, 20, 20]], [[0, 0, 100, 100]], [true]), [[0.5]]);
  assert.deepEqual(cocoBoxIoU([[90, 0, 20, 20]], [[0, 0, 100, 100]], [false]), [[200 / 10200]]);
  const gt = { imageIds: [1], categoryIds: [1], annotations: [ann(1, [0, 0, 100, 100], { iscrowd: 1 }), ann(1, [200, 200, 10, 10])] };
  // A detection fully inside the crowd: ignored at every threshold → AP 1.
  close(cocoMAP(gt, [det(1, [10, 10, 20, 20], 0.9), det(1, [200, 200, 10, 10], 0.8)]).AP, 1, 'inside crowd');
  // Half inside (inter/area_d = 0.5): ignored at .50 only, a top-ranked FP elsewhere (AP_t = 0.5).
  const r = cocoMAP(gt, [det(1, [90, 0, 20, 20], 0.9), det(1, [200, 200, 10, 10], 0.8)]);
  close(r.AP50, 1, 'AP50');
  close(r.AP, (1 + 9 * 0.5) / 10, 'AP');
  close(r.AR100, 1, 'AR: the crowd is not a gt to find');
});

test('empty images and categories: detections on an image without gt are FPs; a category without gt is -1', () => {
  const gt = { imageIds: [1, 2, 3], categoryIds: [1, 2], annotations: [ann(1, [0, 0, 10, 10])] };
  const r = cocoMAP(gt, [det(2, [0, 0, 10, 10], 0.95), det(1, [0, 0, 10, 10], 0.9), det(1, [0, 0, 10, 10], 0.9, 2)]);
  close(r.AP, 0.5, 'FP on the empty image 2 ranked first');
  assert.equal(r.perCategoryAP[2], -1);
  close(r.perCategoryAP[1], 0.5);
  const none = cocoMAP({ imageIds: [1], categoryIds: [1], annotations: [] }, [det(1, [0, 0, 5, 5], 0.5)]);
  assert.deepEqual(none.stats, Array(12).fill(-1));
  const nothing = cocoMAP({ imageIds: [1], categoryIds: [1], annotations: [ann(1, [0, 0, 10, 10])] }, []);
  assert.deepEqual(nothing.stats, [0, 0, 0, 0, -1, -1, 0, 0, 0, 0, -1, -1]);
});

test('area ranges: small/medium/large use gt area; out-of-range matches are ignored', () => {
  const gt = {
    imageIds: [1],
    categoryIds: [1],
    annotations: [ann(1, [0, 0, 10, 10]), ann(1, [100, 100, 50, 50]), ann(1, [300, 300, 100, 100])],
  };
  // Medium object missed; small and large found.
  const r = cocoMAP(gt, [det(1, [0, 0, 10, 10], 0.9), det(1, [300, 300, 100, 100], 0.8)]);
  close(r.APs, 1, 'APs');
  close(r.APm, 0, 'APm');
  close(r.APl, 1, 'APl');
  close(r.AP, 67 / 101, 'AP (recall 2/3)');
  close(r.ARs, 1, 'ARs');
  close(r.ARm, 0, 'ARm');
  close(r.AR100, 2 / 3, 'AR100');
  // `area` overrides w·h (COCO's segmentation area): a 10×10 box declared 5000 px² is medium.
  const r2 = cocoMAP({ imageIds: [1], categoryIds: [1], annotations: [ann(1, [0, 0, 10, 10], { area: 5000 })] }, [det(1, [0, 0, 10, 10], 0.9)]);
  closeAll([r2.APs, r2.APm, r2.APl], [-1, 1, -1]);
});

test('bad input: detection on an unknown image throws; unknown category dropped and counted', () => {
  const gt = { imageIds: [1], categoryIds: [1], annotations: [ann(1, [0, 0, 10, 10])] };
  assert.throws(() => cocoMAP(gt, [det(7, [0, 0, 1, 1], 0.5)]), /detection 0 is on image 7/);
  assert.equal(cocoMAP(gt, [det(1, [0, 0, 10, 10], 0.5, 9)]).nDroppedDetections, 1);
});
