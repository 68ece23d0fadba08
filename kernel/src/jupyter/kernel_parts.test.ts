import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConnectionInfo } from './connection';
import { clearOutput, publishDisplay, setDisplaySink, type DisplayContent } from './display_bridge';
import { mapGeneratedLine, runtimeErrorContent } from './error_report';
import { formatValue, registerValueFormatter, tensorSummary } from './format_value';
import { beginCellScope, currentCancellation, InterruptedError, requestInterrupt, runInCellScope } from './interrupt';
import { History } from './history';
import { isComplete } from './is_complete';
import { renderHtmlReport } from './runner/html_report';
import { OutputCollector } from './runner/output_collector';
import { parseNotebook, NotebookFormatError, type Output } from './runner/notebook';
import { outputPath } from './runner/run_notebook';
import type { JupyterMessage } from './wire';

test('connection files: defaults filled, bad ports and schemes named', () => {
  const ok = validateConnectionInfo({ shell_port: 1, control_port: 2, iopub_port: 3, stdin_port: 4, hb_port: 5, key: 'k' });
  assert.equal(ok.ip, '127.0.0.1');
  assert.equal(ok.signature_scheme, 'hmac-sha256');
  assert.throws(() => validateConnectionInfo({ shell_port: 'x' }), /shell_port must be a port number/);
  assert.throws(
    () => validateConnectionInfo({ shell_port: 1, control_port: 2, iopub_port: 3, stdin_port: 4, hb_port: 5, key: 'k', signature_scheme: 'hmac-md5' }),
    /not supported/,
  );
});

test('is_complete: complete, incomplete (with indent), invalid', () => {
  assert.deepEqual(isComplete('const x = 1;'), { status: 'complete' });
  assert.equal(isComplete('function f() {').status, 'incomplete');
  assert.deepEqual(isComplete('if (x) {\n  y();'), { status: 'incomplete', indent: '  ' });
  assert.equal(isComplete('x = );').status, 'invalid');
  assert.equal(isComplete('}').status, 'invalid');
});

test('error lines: generated JS lines map back to the TypeScript cell line', () => {
  const cell = 'const a: number = 1;\nfunction f(): void {\n  throw new Error("boom");\n}\nf()';
  const generated = 'var helper = 1;\nconst a = 1;\nexports.a = a;\nfunction f() {\n    throw new Error("boom");\n}\nexports.f = f;\nexports.tsLastExpr = f();';
  assert.equal(mapGeneratedLine(generated, cell, 5), 3);
  assert.equal(mapGeneratedLine(generated, cell, 8), 5);
  assert.equal(mapGeneratedLine(generated, cell, 2), 1);
  const e = new Error('boom');
  e.stack = 'Error: boom\n    at f (evalmachine.<anonymous>:5:11)\n    at evalmachine.<anonymous>:8:22\n    at Script.runInThisContext (node:vm:137:12)';
  const content = runtimeErrorContent(e, generated, cell);
  assert.deepEqual(content.traceback, ['Error: boom', '    at f (cell line 3)', '    at cell line 5']);
  assert.equal(runtimeErrorContent(new InterruptedError('interrupted at step 7', 7), undefined, '').evalue, 'interrupted at step 7');
  assert.equal(runtimeErrorContent('plain string', undefined, '').ename, 'Uncaught');
});

test('values: text/plain via inspect, tensors summarised, registered formatters first', () => {
  assert.deepEqual(formatValue('hi'), { 'text/plain': "'hi'" });
  const fakeTensor = {
    shape: [2, 2], dtype: 'float32', rank: 2, size: 4, isDisposed: false,
    dataSync: () => new Float32Array([1, 2, 3, Number.NaN]),
    toString: () => 'Tensor\n    [[1, 2],\n     [3, NaN]]',
  };
  const text = tensorSummary(fakeTensor);
  assert.match(text, /^Tensor float32 \[2, 2\] · 4 values\nmin 1 · max 3 · mean 2 · 1 non-finite\n\[\[1, 2\],\n {1}\[3, NaN\]\]$/);
  assert.match(tensorSummary({ ...fakeTensor, isDisposed: true }), /\(disposed\)/);
  const off = registerValueFormatter((v) => (v === 42 ? { 'text/html': '<b>42</b>' } : undefined));
  try {
    assert.deepEqual(formatValue(42), { 'text/html': '<b>42</b>', 'text/plain': '42' });
  } finally {
    off();
  }
  assert.deepEqual(formatValue(42), { 'text/plain': '42' });
  assert.deepEqual(formatValue({ [Symbol.for('alignscope.mimeBundle')]: () => ({ 'text/plain': 'custom' }) }), { 'text/plain': 'custom' });
});

test('display bridge: no-op outside a kernel, display/update through the installed sink', () => {
  assert.equal(publishDisplay({ 'text/plain': 'x' }), false);
  const seen: [string, DisplayContent | { wait: boolean }][] = [];
  const previous = setDisplaySink((type, content) => seen.push([type, content]));
  try {
    assert.equal(publishDisplay({ 'text/plain': 'a', 'application/vnd.alignscope.v1+json': { kind: 'table' } }, {}, { displayId: 'p' }), true);
    publishDisplay({ 'text/plain': 'b' }, { m: 1 }, { displayId: 'p', update: true });
    assert.deepEqual(seen.map(([t]) => t), ['display_data', 'update_display_data']);
    assert.deepEqual((seen[0][1] as DisplayContent).data['application/vnd.alignscope.v1+json'], { kind: 'table' });
    assert.deepEqual(seen[1][1], { data: { 'text/plain': 'b' }, metadata: { m: 1 }, transient: { display_id: 'p' } });
    assert.throws(() => publishDisplay({}, {}, { update: true }), /needs options.displayId/);
    assert.equal(clearOutput(true), true);
    assert.deepEqual(seen[2], ['clear_output', { wait: true }]);
  } finally {
    setDisplaySink(previous ?? null);
  }
});

test('cancellation: per-cell tokens; an old cell stays cancelled, a new cell starts clean', async () => {
  const first = beginCellScope();
  const token = runInCellScope(first, () => currentCancellation());
  let fired = 0;
  token.onCancellationRequested(() => fired++);
  assert.equal(token.isCancellationRequested, false);
  requestInterrupt();
  assert.equal(token.isCancellationRequested, true);
  assert.equal(fired, 1);
  assert.throws(() => token.throwIfCancellationRequested('training'), /interrupted during training/);
  const second = beginCellScope();
  await runInCellScope(second, async () => {
    await new Promise((r) => setTimeout(r, 1));
    assert.equal(currentCancellation().isCancellationRequested, false);
  });
  assert.equal(runInCellScope(first, () => currentCancellation().isCancellationRequested), true);
});

test('notebooks: malformed files are NotebookFormatErrors; ids are added; output path never the input', () => {
  assert.throws(() => parseNotebook('{', 'x.ipynb'), (e: unknown) => e instanceof NotebookFormatError && /x\.ipynb is not valid JSON/.test((e as Error).message));
  assert.throws(() => parseNotebook('{"nbformat": 3, "cells": []}', 'old.ipynb'), /only nbformat 4/);
  assert.throws(() => parseNotebook('{"nbformat": 4, "cells": [{"cell_type": "weird"}]}'), /cell 1 has cell_type "weird"/);
  const nb = parseNotebook(JSON.stringify({ nbformat: 4, nbformat_minor: 2, metadata: {}, cells: [{ cell_type: 'code', source: ['a', 'b'] }, { cell_type: 'markdown', id: 'same', source: '' }, { cell_type: 'markdown', id: 'same', source: '' }] }));
  assert.equal(nb.nbformat_minor, 5);
  assert.ok(nb.cells.every((c) => /^[a-zA-Z0-9-_]+$/.test(c.id)));
  assert.equal(new Set(nb.cells.map((c) => c.id)).size, 3);
  assert.equal(outputPath('/nb/a.ipynb'), '/nb/a.executed.ipynb');
  assert.equal(outputPath('/nb/a.ipynb', '/out'), '/out/a.ipynb');
});

test('history: tail, range, search with glob, unique and n', () => {
  const h = new History();
  ['6 * 7', 'let a = 1', '6 * 7', 'a + 1'].forEach((code, i) => h.record(i + 1, code));
  h.recordOutput(1, '42');
  assert.deepEqual(h.query({ hist_access_type: 'tail', n: 2 }), [[1, 3, '6 * 7'], [1, 4, 'a + 1']]);
  assert.deepEqual(h.query({ hist_access_type: 'range', session: 1, start: 1, stop: 2, output: true }), [[1, 1, ['6 * 7', '42']]]);
  assert.equal(h.query({ hist_access_type: 'search', pattern: '6*7' }).length, 2);
  assert.deepEqual(h.query({ hist_access_type: 'search', pattern: '6*7', unique: true }), [[1, 3, '6 * 7']]);
  assert.deepEqual(h.query({ hist_access_type: 'search', pattern: '?et*' }), [[1, 2, 'let a = 1']]);
});

test('outputs: streams merge, update_display_data rewrites every output with that id, clear_output(wait)', () => {
  const msg = (type: string, content: Record<string, unknown>) => ({ header: { msg_type: type }, content }) as unknown as JupyterMessage;
  const collector = new OutputCollector();
  const cellA: Output[] = [];
  const cellB: Output[] = [];
  const state = { clearOnNext: false };
  collector.apply(cellA, msg('stream', { name: 'stdout', text: 'a' }), state);
  collector.apply(cellA, msg('stream', { name: 'stdout', text: 'b' }), state);
  collector.apply(cellA, msg('display_data', { data: { 'text/plain': 'v1' }, metadata: {}, transient: { display_id: 'd' } }), state);
  collector.apply(cellB, msg('update_display_data', { data: { 'text/plain': 'v2' }, metadata: {}, transient: { display_id: 'd' } }), state);
  assert.deepEqual(cellA, [
    { output_type: 'stream', name: 'stdout', text: 'ab' },
    { output_type: 'display_data', data: { 'text/plain': 'v2' }, metadata: {} },
  ]);
  collector.apply(cellA, msg('clear_output', { wait: true }), state);
  assert.equal(cellA.length, 2);
  collector.apply(cellA, msg('stream', { name: 'stderr', text: 'new' }), state);
  assert.deepEqual(cellA, [{ output_type: 'stream', name: 'stderr', text: 'new' }]);
});

test('HTML report: alignscope curves become a plotly figure; labels stay text', () => {
  const evil = '<img src=x onerror=alert(1)>';
  const html = renderHtmlReport(
    {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        { cell_type: 'markdown', id: 'm', metadata: {}, source: `# ${evil}` },
        {
          cell_type: 'code', id: 'c', metadata: {}, source: 'show.curves(...)', execution_count: 1,
          outputs: [{ output_type: 'display_data', metadata: {}, data: { 'text/plain': 'curves', 'application/vnd.alignscope.v1+json': { kind: 'curves', version: 1, title: evil, series: [{ name: evil, x: [0, 1], y: [1, 0.5] }] } } }],
        },
      ],
    },
    'report <title>',
  );
  assert.match(html, /data-figure="0"/);
  assert.match(html, /Plotly\.newPlot/);
  assert.ok(!html.includes(evil), 'the payload label never appears as raw HTML');
  assert.match(html, /<title>report &lt;title&gt;<\/title>/);
});
