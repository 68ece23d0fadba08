import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateRuns } from './aggregate';
import { escapeHtml, jsonForScript } from '../show/format_text';
import { buildReportHtml } from './report_html';
import type { RunResult } from './run_one';

const EVIL = '<img src=x onerror=alert(1)>';

function fakeRun(method: RunResult['method'], seed: number): RunResult {
  return {
    method,
    seed,
    stoppedReason: 'completed',
    message: 'ok',
    metrics: { 'grounding.own.hitAt1': 0.3 + seed / 10, 'retrieval.own.i2t.R@1': 0.1, 'retrieval.own.t2i.R@1': 0.1 },
    samples: [{ index: 0, words: ['[BOS]', 'a', EVIL, '</script><script>alert(2)</script>'], content: [false, false, true, true], matrix: [[0.1, 0.2, 0.3, 0.4], [0.9, 0.8, 0.7, 0.6], [0, 0, 0, 0], [0, 0, 0, 0]], kind: 'plan' }],
    lossCurve: [{ step: 1, loss: 2 }, { step: 2, loss: 1.5 }].map((p) => ({ ...p, parts: {} })),
    trainSec: 1,
    evalSec: 1,
    parameters: 10,
  };
}

test('escaping helpers', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  const json = jsonForScript({ s: '</script><!-- \u2028' });
  assert.ok(!json.includes('</script') && !json.includes('<!--') && !json.includes('\u2028'));
  assert.deepEqual(JSON.parse(json), { s: '</script><!-- \u2028' });
});

test('the report is self-contained, has its figures, and escapes every label', () => {
  const runs = [fakeRun('global', 0), fakeRun('global', 1), fakeRun('ot', 0), fakeRun('ot', 1)];
  const html = buildReportHtml(
    {
      name: 'r1',
      createdAt: 'now',
      wallSec: 12,
      backend: { backend: 'wasm', device: `CPU ${EVIL}` },
      config: { note: EVIL },
      summaries: aggregateRuns(runs, ['global', 'ot']),
      runs,
      targets: [],
      findings: [`finding with ${EVIL}`],
      testImages: new Map([[0, new Uint8Array(4 * 4 * 3).fill(200)]]),
      imageSize: 4,
      grid: 2,
    },
    '/* plotly stub */ window.Plotly = { newPlot: function () {} };',
  );
  assert.ok(html.startsWith('<!DOCTYPE html>'));
  assert.ok(html.includes('plotly stub'));
  assert.ok(!html.includes(EVIL), 'raw markup from data never reaches the page');
  assert.ok(!html.includes('<script>alert(2)'), 'no script injection through words');
  assert.equal(html.split('<script>').length - 1, 2, 'only our two script elements');
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'text is shown escaped');
  for (const part of ['"type":"heatmap"', 'Findings', 'Training loss', 'data:image/png;base64,', 'updatemenus', 'error_y']) {
    assert.ok(html.includes(part), `report has ${part}`);
  }
  assert.ok(!/src=["']?https?:/.test(html), 'no network resources');
});
