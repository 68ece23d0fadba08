import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { alignment, buildAlignmentBundle } from './alignment';
import { buildBoxesBundle, iou } from './boxes';
import { buildCurvesBundle } from './curves';
import {
  DISPLAY_MIME,
  type AlignmentPayload,
  type BoxesPayload,
  type CurvesPayload,
  type DisplayBundle,
  type PlanPayload,
  type TablePayload,
} from './display_schema';
import { validateDisplayPayload } from './display_validate';
import { toDisplayImage } from './image_input';
import { buildPlanBundle } from './plan';
import { buildProgressBundle, formatDuration } from './progress';
import { setDisplayPublisher } from './publisher';
import { buildTableBundle } from './table';
import { tensorHeatmapBundle } from './tensor_heatmap';

let baseline = 0;

before(async () => {
  await initBackend({ backend: 'wasm', log: null });
  baseline = tf.memory().numTensors;
});

function payloadOf<T>(b: DisplayBundle): T {
  const checked = validateDisplayPayload(JSON.parse(JSON.stringify(b[DISPLAY_MIME])));
  assert.ok(checked.ok, checked.ok ? '' : checked.reason);
  return b[DISPLAY_MIME] as T;
}

/** Decodes a PNG data URL made by our encoder back to { width, height, rgb }. */
function decodePng(url: string): { width: number; height: number; rgb: Uint8Array } {
  const bytes = Buffer.from(url.slice('data:image/png;base64,'.length), 'base64');
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const idatLength = bytes.readUInt32BE(33);
  assert.equal(bytes.toString('latin1', 37, 41), 'IDAT');
  const raw = inflateSync(bytes.subarray(41, 41 + idatLength));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) rgb.set(raw.subarray(y * (width * 3 + 1) + 1, (y + 1) * (width * 3 + 1)), y * width * 3);
  return { width, height, rgb };
}

describe('show builders', () => {
  test('alignment from tensors: matrix rows per token, image → PNG data URL, top patch per token in text/plain', () => {
    const before = tf.memory().numTensors;
    const sim = tf.tensor2d([[0.1, 0.9, 0.2, 0.3], [0.7, 0.1, NaN, 0.2]]); // [m=2, n=4]
    const image = tf.tensor3d([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0.5, 2], [2, 2, 3]); // [H, W, 3]; 2 is clipped
    const bundle = buildAlignmentBundle({ tokens: ['red', 'ball'], matrix: sim, image, grid: 2, valueLabel: 'cosine', title: 'pair 0' });
    sim.dispose();
    image.dispose();
    assert.equal(tf.memory().numTensors, before, 'no tensor created or leaked');
    const p = payloadOf<AlignmentPayload>(bundle);
    assert.deepEqual(p.matrix, [[0.1, 0.9, 0.2, 0.3], [0.7, 0.1, null, 0.2]]);
    assert.deepEqual(p.grid, { rows: 2, cols: 2 });
    assert.ok(p.image?.encoding === 'png');
    const png = decodePng(p.image.dataUrl);
    assert.deepEqual([png.width, png.height], [2, 2]);
    assert.deepEqual([...png.rgb], [255, 0, 0, 0, 255, 0, 0, 0, 255, 128, 128, 255]);
    assert.equal(
      bundle['text/plain'],
      ['alignment "pair 0": 2 tokens × 4 patches (grid 2×2), image 2×2, values: cosine', '  red   → patch 1 (row 0, col 1)  0.9', '  ball  → patch 0 (row 0, col 0)  0.7'].join('\n'),
    );
    assert.equal(bundle['text/html'], undefined);
  });

  test("alignment: an [n, m] plan with layout 'patch-token' is transposed; shape errors name the argument", () => {
    const planNM = [[0.5, 0], [0, 0.25], [0, 0.25], [0, 0]]; // [n=4 patches, m=2 tokens]
    const p = payloadOf<AlignmentPayload>(buildAlignmentBundle({ tokens: ['a', 'b'], matrix: planNM, layout: 'patch-token' }));
    assert.deepEqual(p.matrix, [[0.5, 0, 0, 0], [0, 0.25, 0.25, 0]]);
    assert.throws(() => buildAlignmentBundle({ tokens: ['a', 'b'], matrix: planNM }), /show\.alignment: matrix: expected 2 token rows .*got shape \[4, 2\] \(it looks \[n, m\]: pass layout: 'patch-token'\)/);
    assert.throws(() => buildAlignmentBundle({ tokens: ['a'], matrix: [[1, 2, 3]] }), /grid: 3 patches do not form a square grid/);
    assert.throws(() => buildAlignmentBundle({ tokens: ['a'], matrix: [[1, 2, 3, 4]], grid: { rows: 3, cols: 1 } }), /grid: expected rows × cols = 4 patches, got 3 × 1/);
    assert.throws(() => buildAlignmentBundle({ tokens: ['a'], matrix: [[1, 2, 3, 4]], selected: 1 }), /selected: expected a token index in \[0, 1\), got 1/);
  });

  test('images: [H, W] grey tensors, raw RGB (rgb encoding), data URLs read their size', () => {
    const grey = tf.tensor2d([[0, 1]]);
    const png = toDisplayImage(grey, 'img');
    grey.dispose();
    assert.ok(png.encoding === 'png');
    assert.deepEqual([...decodePng(png.dataUrl).rgb], [0, 0, 0, 255, 255, 255]);
    assert.deepEqual(toDisplayImage(png.dataUrl, 'img'), png);
    const raw = toDisplayImage({ rgb: new Uint8Array([1, 2, 3]), width: 1, height: 1 }, 'img', 'rgb');
    assert.deepEqual(raw, { encoding: 'rgb', width: 1, height: 1, data: [1, 2, 3] });
    assert.throws(() => toDisplayImage({ rgb: new Uint8Array(5), width: 1, height: 1 }, 'show.boxes: image'), /show\.boxes: image: rgb must hold width\*height\*3 = 3 bytes, got 5/);
    const bad = tf.zeros([2, 2, 2]);
    assert.throws(() => toDisplayImage(bad, 'img'), /img: expected an image tensor \[H, W, 3\] .*got shape \[2, 2, 2\]/);
    bad.dispose();
  });

  test('plan: labels checked, stats and a small matrix in text/plain', () => {
    const m = tf.tensor2d([[0.25, 0.25], [0.5, 0]]);
    const bundle = buildPlanBundle(m, { title: 'sinkhorn', rowLabels: ['p0', 'p1'], colLabels: ['red', 'ball'], rowTitle: 'patch', colTitle: 'token' });
    m.dispose();
    const p = payloadOf<PlanPayload>(bundle);
    assert.deepEqual(p.matrix, [[0.25, 0.25], [0.5, 0]]);
    assert.equal(bundle['text/plain'], ['plan sinkhorn: 2×2 (patch × token), sum 1, min 0, max 0.5', '    red ball', 'p0 0.25 0.25', 'p1  0.5    0'].join('\n'));
    assert.throws(() => buildPlanBundle([[1, 2]], { colLabels: ['a'] }), /show\.plan: colLabels: expected 2 labels \(one per column\), got 1/);
    assert.throws(() => buildPlanBundle([[1, 2], [3]]), /show\.plan: matrix: row 1 has 1 values, row 0 has 2/);
    const cube = tf.zeros([2, 2, 2]);
    assert.throws(() => buildPlanBundle(cube), /show\.plan: matrix: expected a rank-2 tensor, got shape \[2, 2, 2\]/);
    cube.dispose();
  });

  test('curves: tensors and arrays, default x, gaps for NaN, summary of last and min', () => {
    const y = tf.tensor1d([3, 1, 2]);
    const bundle = buildCurvesBundle({ train: y, val: { x: [0, 2], y: [2.5, NaN] } }, { title: 'loss', xTitle: 'step' });
    y.dispose();
    const p = payloadOf<CurvesPayload>(bundle);
    assert.deepEqual(p.series, [
      { name: 'train', x: [0, 1, 2], y: [3, 1, 2] },
      { name: 'val', x: [0, 2], y: [2.5, null] },
    ]);
    assert.equal(bundle['text/plain'], ['curves loss (x: step): 2 series', '  train: 3 points, last 2 at 2, min 1 at 1', '  val: 2 points, last 2.5 at 0, min 2.5 at 0'].join('\n'));
    assert.throws(() => buildCurvesBundle({ a: { x: [1], y: [1, 2] } }), /show\.curves: series 'a': x has 1 values, y has 2/);
  });

  test('boxes: IoU, index matching, xyxy normalised input, hit/miss in text/plain', () => {
    assert.equal(iou({ x: 0, y: 0, w: 2, h: 2 }, { x: 1, y: 0, w: 2, h: 2 }), 1 / 3);
    const image = { rgb: new Uint8Array(10 * 10 * 3), width: 10, height: 10 };
    const bundle = buildBoxesBundle({
      image,
      groundTruth: [[0, 0, 0.5, 0.5], [0.5, 0.5, 1, 1]],
      predicted: [[0, 0, 0.5, 0.4], [0, 0.5, 0.5, 1]],
      groundTruthLabels: ['red ball', 'cube'],
      predictedLabels: ['red ball', 'cube'],
      format: 'xyxy',
      normalized: true,
    });
    const p = payloadOf<BoxesPayload>(bundle);
    assert.deepEqual(p.groundTruth[1], { x: 5, y: 5, w: 5, h: 5, label: 'cube' });
    assert.deepEqual(p.predicted.map((b) => [b.hit, b.iou]), [[true, 0.8], [false, 0]]);
    assert.match(bundle['text/plain'], /^boxes: image 10×10, 2 ground truth, 2 predicted — 1 hit, 1 miss \(IoU ≥ 0\.5\)\n/);
    assert.match(bundle['text/plain'], /pred 0: "red ball" \[x 0, y 0, w 5, h 4\]  IoU 0\.8 hit/);
    const best = payloadOf<BoxesPayload>(buildBoxesBundle({ image, groundTruth: [[0, 0, 4, 4]], predicted: [[5, 5, 2, 2], [0, 0, 4, 4]] }));
    assert.deepEqual(best.predicted.map((b) => b.hit), [false, true], "'best' matching when the counts differ");
    const given = payloadOf<BoxesPayload>(buildBoxesBundle({ image, groundTruth: [[0, 0, 4, 4]], predicted: [{ x: 9, y: 9, w: 1, h: 1, hit: true }] }));
    assert.equal(given.predicted[0].hit, true, 'a given verdict is kept');
    assert.throws(() => buildBoxesBundle({ image, predicted: [[1, 2, 3]] }), /show\.boxes: predicted\[0\]: expected 4 finite numbers, got \[1, 2, 3\]/);
  });

  test('table: records, scalar tensors, escaped text/html, aligned text/plain', () => {
    const r1 = tf.scalar(0.4123456);
    const bundle = buildTableBundle(
      [
        { method: 'global', 'R@1': r1 },
        { method: '<b>OT</b> & co', 'R@1': 0.47, note: true },
      ],
      { caption: 'retrieval' },
    );
    r1.dispose();
    const p = payloadOf<TablePayload>(bundle);
    assert.deepEqual(p.columns, ['method', 'R@1', 'note']);
    assert.deepEqual(p.rows, [['global', 0.412346, null], ['<b>OT</b> & co', 0.47, true]]);
    assert.equal(
      bundle['text/plain'],
      ['retrieval', 'method             R@1  note', '--------------  ------  ----', 'global          0.4123  –', '<b>OT</b> & co    0.47  true'].join('\n'),
    );
    const html = bundle['text/html'] ?? '';
    assert.ok(html.includes('<td>&lt;b&gt;OT&lt;/b&gt; &amp; co</td>'), html);
    assert.ok(!html.includes('<b>OT'), 'no label is inserted as HTML');
    assert.throws(() => buildTableBundle({ columns: ['a', 'b'], rows: [[1]] }), /show\.table: rows\[0\]: expected 2 values \(one per column\), got 1/);
  });

  test('progress: a text bar, durations', () => {
    const b = buildProgressBundle({ step: 25, total: 100, message: 'loss 0.5', etaSeconds: 75, title: 'train' });
    assert.equal(b['text/plain'], 'train  [#####---------------] 25/100 (25%)  ETA 1m 15s — loss 0.5');
    assert.equal(buildProgressBundle({ step: 7 })['text/plain'], 'step 7');
    assert.equal(formatDuration(3725), '1h 02m');
    assert.throws(() => buildProgressBundle({ step: -1, total: 3 }), /show\.progress: step: expected a number ≥ 0, got -1/);
  });

  test('show.* publishes exactly one bundle through the installed publisher', () => {
    const seen: DisplayBundle[] = [];
    const previous = setDisplayPublisher((bundle, _m, options) => {
      assert.equal(options, undefined);
      seen.push(bundle);
    });
    try {
      alignment({ tokens: ['a'], matrix: [[1]] });
    } finally {
      setDisplayPublisher(previous);
    }
    assert.equal(seen.length, 1);
    assert.equal(seen[0][DISPLAY_MIME].kind, 'alignment');
  });

  test('a 2-D tensor as a last value: a heatmap bundle; other values fall through', () => {
    const t = tf.tensor2d([[1, 2], [3, 4]]);
    const bundle = tensorHeatmapBundle(t);
    assert.ok(bundle);
    const p = payloadOf<PlanPayload>(bundle);
    assert.equal(p.title, 'Tensor float32 [2, 2]');
    assert.deepEqual(p.matrix, [[1, 2], [3, 4]]);
    assert.match(bundle['text/plain'], /^Tensor float32 \[2, 2\] · min 1 · max 4 · mean 2\.5\n/);
    const v = tf.tensor1d([1, 2]);
    assert.equal(tensorHeatmapBundle(v), undefined);
    assert.equal(tensorHeatmapBundle([[1, 2]]), undefined);
    t.dispose();
    v.dispose();
    assert.equal(tensorHeatmapBundle(t), undefined, 'a disposed tensor is not read');
  });

  test('no tensor leaks: every tensor the tests made was disposed, none was created by a builder', () => {
    assert.equal(tf.memory().numTensors, baseline);
  });
});
