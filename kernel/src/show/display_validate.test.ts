import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildAlignmentBundle } from './alignment';
import { buildBoxesBundle } from './boxes';
import { buildCurvesBundle } from './curves';
import { DISPLAY_KINDS, DISPLAY_MIME, type DisplayBundle } from './display_schema';
import { validateDisplayPayload } from './display_validate';
import { buildPlanBundle } from './plan';
import { buildProgressBundle } from './progress';
import { buildTableBundle } from './table';

const raw = { rgb: new Uint8Array(4 * 4 * 3).fill(200), width: 4, height: 4 };

function bundles(): Record<string, DisplayBundle> {
  return {
    alignment: buildAlignmentBundle({ tokens: ['red', 'ball'], matrix: [[1, 0, 0, 0], [0, 0, 0, 1]], grid: 2, image: raw }),
    plan: buildPlanBundle([[0.5, 0], [0, 0.5]], { rowLabels: ['a', 'b'], colLabels: ['x', 'y'] }),
    curves: buildCurvesBundle({ loss: [3, 2, 1] }),
    boxes: buildBoxesBundle({ image: raw, groundTruth: [[0, 0, 2, 2]], predicted: [[0, 0, 2, 2]] }),
    table: buildTableBundle([{ a: 1, b: 'x' }]),
    progress: buildProgressBundle({ step: 1, total: 10 }),
  };
}

/** The payload of a fresh valid bundle of `kind`, as a mutable plain object. */
function valid(kind: string): Record<string, any> {
  return JSON.parse(JSON.stringify(bundles()[kind][DISPLAY_MIME]));
}

function reason(value: unknown): string {
  const r = validateDisplayPayload(value);
  assert.equal(r.ok, false, 'expected the payload to be rejected');
  return (r as { reason: string }).reason;
}

describe('validateDisplayPayload', () => {
  test('every kind built by the builders validates, as an object and as a JSON string', () => {
    const all = bundles();
    assert.deepEqual(Object.keys(all).sort(), [...DISPLAY_KINDS].sort());
    for (const [kind, bundle] of Object.entries(all)) {
      const p = bundle[DISPLAY_MIME];
      assert.equal(p.kind, kind);
      assert.equal(p.version, 1);
      assert.deepEqual(validateDisplayPayload(p), { ok: true, payload: p }, kind);
      const fromString = validateDisplayPayload(JSON.stringify(p));
      assert.ok(fromString.ok, kind);
      assert.deepEqual(fromString.payload, p);
    }
  });

  test('envelope errors name the field', () => {
    assert.match(reason(null), /^payload: expected an object, got null/);
    assert.match(reason([1]), /^payload: expected an object, got an array/);
    assert.match(reason('{"kind":'), /^payload: expected a JSON object, got a string that is not JSON/);
    assert.match(reason({ kind: 'sankey', version: 1 }), /^payload\.kind: expected alignment \| plan \| curves \| boxes \| table \| progress, got 'sankey'/);
    assert.match(reason({ ...valid('plan'), version: 2 }), /^plan\.version: expected 1 .*got number 2/);
    assert.match(reason({ ...valid('plan'), title: 7 }), /^plan\.title: expected a string, got number 7/);
  });

  test('alignment: matrix shape follows tokens and grid; image checked', () => {
    const a = valid('alignment');
    a.matrix[1] = [0, 1, 0];
    assert.equal(reason(a), 'alignment.matrix[1]: expected 4 cells (grid 2×2), got 3');
    const b = valid('alignment');
    b.tokens.push('extra');
    assert.equal(reason(b), 'alignment.matrix: expected 3 rows, got 2');
    const c = valid('alignment');
    c.matrix[0][2] = 'x';
    assert.match(reason(c), /^alignment\.matrix\[0\]\[2\]: expected a finite number or null, got 'x'/);
    const d = valid('alignment');
    d.image.dataUrl = 'javascript:alert(1)';
    assert.match(reason(d), /^alignment\.image\.dataUrl: expected a 'data:image\/png;base64,' URL/);
    const e = valid('alignment');
    e.selected = 5;
    assert.match(reason(e), /^alignment\.selected: expected a token index < 2, got number 5/);
    const f = valid('alignment');
    f.matrix[0][0] = null; // a non-finite value after JSON: a gap, allowed
    assert.ok(validateDisplayPayload(f).ok);
  });

  test('plan, curves, boxes, table, progress: the bad field is named', () => {
    const plan = valid('plan');
    plan.colLabels = ['x'];
    assert.equal(reason(plan), 'plan.colLabels: expected 2 labels, got 1');
    const curves = valid('curves');
    curves.series[0].y.pop();
    assert.equal(reason(curves), 'curves.series[0].y: expected 3 values (as many as x), got 2');
    const boxes = valid('boxes');
    boxes.predicted[0].w = -1;
    assert.match(reason(boxes), /^boxes\.predicted\[0\]\.w: expected a size ≥ 0/);
    const rgb = valid('boxes');
    rgb.image = { encoding: 'rgb', width: 2, height: 2, data: [0, 0, 0] };
    assert.equal(reason(rgb), 'boxes.image.data: expected 12 values (2×2×3), got 3');
    const table = valid('table');
    table.rows[0] = [1];
    assert.equal(reason(table), 'table.rows[0]: expected 2 values (one per column), got 1');
    const cell = valid('table');
    cell.rows[0][1] = { html: '<b>' };
    assert.match(reason(cell), /^table\.rows\[0\]\[1\]: expected a string, finite number, boolean or null, got an object/);
    const progress = valid('progress');
    progress.step = -1;
    assert.match(reason(progress), /^progress\.step: expected a number ≥ 0/);
    const status = valid('progress');
    status.status = 'paused';
    assert.match(reason(status), /^progress\.status: expected running \| done \| interrupted \| error, got 'paused'/);
  });
});
