/**
 * IOPub → cell outputs, without VS Code: the operations CellOutputModel emits for each message kind,
 * and the nbformat that the output metadata round-trips to (what VS Code's ipynb serializer writes).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toNbformat, toNbformatOutput, type OutputSnapshot } from './nbformat_export';
import {
  CellOutputModel,
  ERROR_MIME,
  STDERR_MIME,
  STDOUT_MIME,
  bundleItems,
  mimeItem,
  type OutputItemSpec,
  type OutputOp,
  type OutputSpec,
} from './output_mapping';

const msg = (msg_type: string, content: Record<string, unknown>) => ({ header: { msg_type }, content });
const ALIGN = 'application/vnd.alignscope.v1+json';

/** Encodes an item spec to bytes the way NotebookCellOutputItem.json/.text/.error do. */
function bytes(item: OutputItemSpec): Uint8Array {
  const enc = new TextEncoder();
  switch (item.kind) {
    case 'json':
      return enc.encode(JSON.stringify(item.value));
    case 'text':
      return enc.encode(item.text);
    case 'bytes':
      return item.bytes;
    case 'error':
      return enc.encode(JSON.stringify(item.error));
  }
}

/** Applies ops to a plain output list, as the controller does on a NotebookCellExecution. */
function play(ops: OutputOp[], outputs: OutputSpec[] = []): OutputSpec[] {
  for (const op of ops) {
    if (op.op === 'append') outputs.push({ items: [...op.output.items], metadata: op.output.metadata });
    else if (op.op === 'appendItems') outputs[op.index].items.push(...op.items);
    else if (op.op === 'replaceItems') outputs[op.index] = { items: [...op.items], metadata: outputs[op.index].metadata };
    else outputs.length = 0;
  }
  return outputs;
}

function snapshot(o: OutputSpec): OutputSnapshot {
  return { items: o.items.map((i) => ({ mime: i.mime, data: bytes(i) })), metadata: o.metadata };
}

describe('CellOutputModel', () => {
  test('stream: consecutive chunks of one name append to the last output; another name starts a new one', () => {
    const cell = new CellOutputModel();
    const ops = [
      ...cell.apply(msg('stream', { name: 'stdout', text: 'a\n' })),
      ...cell.apply(msg('stream', { name: 'stdout', text: 'b\n' })),
      ...cell.apply(msg('stream', { name: 'stderr', text: 'warn\n' })),
      ...cell.apply(msg('stream', { name: 'stdout', text: 'c' })),
    ];
    assert.deepEqual(ops.map((o) => o.op), ['append', 'appendItems', 'append', 'append']);
    assert.deepEqual(ops[1], { op: 'appendItems', index: 0, items: [{ mime: STDOUT_MIME, kind: 'text', text: 'b\n' }] });
    const outputs = play(ops);
    assert.equal(outputs.length, 3);
    assert.deepEqual(outputs.map((o) => o.metadata.outputType), ['stream', 'stream', 'stream']);
    assert.equal(outputs[1].items[0].mime, STDERR_MIME);
    assert.deepEqual(toNbformatOutput(snapshot(outputs[0])), { output_type: 'stream', name: 'stdout', text: 'a\nb\n' });
    assert.deepEqual(toNbformatOutput(snapshot(outputs[1])), { output_type: 'stream', name: 'stderr', text: 'warn\n' });
  });

  test('stream after a display starts a new stream output', () => {
    const cell = new CellOutputModel();
    const ops = [
      ...cell.apply(msg('stream', { name: 'stdout', text: 'x' })),
      ...cell.apply(msg('display_data', { data: { 'text/plain': 'd' }, metadata: {} })),
      ...cell.apply(msg('stream', { name: 'stdout', text: 'y' })),
    ];
    assert.deepEqual(ops.map((o) => o.op), ['append', 'append', 'append']);
  });

  test('display_data keeps every MIME item, JSON MIME as a value, text/plain last, and the display id', () => {
    const cell = new CellOutputModel();
    const payload = { kind: 'plan', version: 1, matrix: [[1, 2]] };
    const [op] = cell.apply(msg('display_data', { data: { 'text/plain': 'plan 1×2', [ALIGN]: payload, 'text/html': '<b>p</b>' }, metadata: { x: 1 }, transient: { display_id: 'd1' } }));
    assert.equal(op.op, 'append');
    const out = (op as { output: OutputSpec }).output;
    assert.deepEqual(out.items.map((i) => i.mime), [ALIGN, 'text/html', 'text/plain']);
    assert.deepEqual(out.items[0], { mime: ALIGN, kind: 'json', value: payload });
    assert.deepEqual(out.metadata, { outputType: 'display_data', metadata: { x: 1 }, transient: { display_id: 'd1' } });
    assert.deepEqual(toNbformatOutput(snapshot(out)), { output_type: 'display_data', data: { [ALIGN]: payload, 'text/html': '<b>p</b>', 'text/plain': 'plan 1×2' }, metadata: { x: 1 } });
  });

  test('a JSON MIME item sent as a string (tslab style) is parsed', () => {
    assert.deepEqual(mimeItem(ALIGN, '{"kind":"table"}'), { mime: ALIGN, kind: 'json', value: { kind: 'table' } });
    assert.deepEqual(mimeItem('application/json', 'not json'), { mime: 'application/json', kind: 'text', text: 'not json' });
  });

  test('multiline text and base64 images', () => {
    assert.deepEqual(mimeItem('text/plain', ['a\n', 'b']), { mime: 'text/plain', kind: 'text', text: 'a\nb' });
    const png = mimeItem('image/png', 'iVBO\nRw0K');
    assert.equal(png.kind, 'bytes');
    assert.deepEqual([...(png as { bytes: Uint8Array }).bytes.slice(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    assert.deepEqual(bundleItems(null), []);
  });

  test('execute_result carries its execution count into metadata and effects', () => {
    const cell = new CellOutputModel();
    cell.apply(msg('execute_input', { code: '1+1', execution_count: 7 }));
    const [op] = cell.apply(msg('execute_result', { execution_count: 7, data: { 'text/plain': '2' }, metadata: {} }));
    const out = (op as { output: OutputSpec }).output;
    assert.deepEqual(out.metadata, { outputType: 'execute_result', metadata: {}, executionCount: 7 });
    assert.deepEqual(cell.takeEffects(), [
      { effect: 'executionCount', count: 7 },
      { effect: 'executionCount', count: 7 },
    ]);
    assert.deepEqual(toNbformatOutput(snapshot(out)), { output_type: 'execute_result', execution_count: 7, data: { 'text/plain': '2' }, metadata: {} });
  });

  test('update_display_data replaces the items of the output with that display id only', () => {
    const cell = new CellOutputModel();
    const progress = (step: number) => ({ 'text/plain': `step ${step}`, [ALIGN]: { kind: 'progress', version: 1, step, total: 2 } });
    const ops = [
      ...cell.apply(msg('display_data', { data: progress(0), metadata: {}, transient: { display_id: 'p' } })),
      ...cell.apply(msg('display_data', { data: { 'text/plain': 'other' }, metadata: {}, transient: { display_id: 'q' } })),
      ...cell.apply(msg('update_display_data', { data: progress(2), metadata: {}, transient: { display_id: 'p' } })),
    ];
    assert.deepEqual(ops.map((o) => o.op), ['append', 'append', 'replaceItems']);
    assert.equal((ops[2] as { index: number }).index, 0);
    const outputs = play(ops);
    assert.deepEqual(outputs[0].items[0], { mime: ALIGN, kind: 'json', value: { kind: 'progress', version: 1, step: 2, total: 2 } });
    assert.equal(outputs[1].items[0].kind === 'text' && outputs[1].items[0].text, 'other');
  });

  test('update_display_data for a display of another cell becomes an effect, not an output', () => {
    const cell = new CellOutputModel();
    assert.deepEqual(cell.apply(msg('update_display_data', { data: { 'text/plain': 'x' }, metadata: {}, transient: { display_id: 'elsewhere' } })), []);
    const [effect] = cell.takeEffects();
    assert.equal(effect.effect, 'updateElsewhere');
    assert.equal(effect.effect === 'updateElsewhere' && effect.displayId, 'elsewhere');
    assert.deepEqual(cell.apply(msg('update_display_data', { data: { 'text/plain': 'x' }, metadata: {} })), [], 'no display id: ignored');
  });

  test('error → an error item with the traceback (ANSI stripped) and the nbformat error kept for saving', () => {
    const cell = new CellOutputModel();
    const traceback = ['\u001b[31mError: boom\u001b[0m', '    at cell line 1'];
    const [op] = cell.apply(msg('error', { ename: 'Error', evalue: 'boom', traceback }));
    const out = (op as { output: OutputSpec }).output;
    assert.deepEqual(out.items, [{ mime: ERROR_MIME, kind: 'error', error: { name: 'Error', message: 'boom', stack: 'Error: boom\n    at cell line 1' } }]);
    assert.equal(out.metadata.outputType, 'error');
    assert.deepEqual(toNbformatOutput(snapshot(out)), { output_type: 'error', ename: 'Error', evalue: 'boom', traceback });
  });

  test('clear_output clears now, or with wait: true just before the next output', () => {
    const cell = new CellOutputModel();
    const ops = [
      ...cell.apply(msg('stream', { name: 'stdout', text: 'a' })),
      ...cell.apply(msg('clear_output', { wait: false })),
      ...cell.apply(msg('stream', { name: 'stdout', text: 'b' })),
      ...cell.apply(msg('clear_output', { wait: true })),
    ];
    assert.deepEqual(ops.map((o) => o.op), ['append', 'clear', 'append']);
    const later = cell.apply(msg('stream', { name: 'stdout', text: 'c' }));
    assert.deepEqual(later.map((o) => o.op), ['clear', 'append'], 'the stream after a deferred clear starts a fresh output');
    assert.deepEqual(play([...ops, ...later]).map((o) => o.items.map((i) => (i.kind === 'text' ? i.text : ''))), [['c']]);
  });

  test('status and unknown messages produce no outputs; status is reported as an effect', () => {
    const cell = new CellOutputModel();
    assert.deepEqual(cell.apply(msg('status', { execution_state: 'busy' })), []);
    assert.deepEqual(cell.apply(msg('comm_open', {})), []);
    assert.deepEqual(cell.takeEffects(), [{ effect: 'status', state: 'busy' }]);
  });
});

describe('toNbformat', () => {
  test('cells, execution counts and outputs of other controllers (no outputType) by MIME', () => {
    const enc = new TextEncoder();
    const nb = toNbformat([
      { kind: 'markdown', source: '# Title', outputs: [] },
      {
        kind: 'code',
        source: 'console.log(1)',
        executionOrder: 3,
        outputs: [
          { items: [{ mime: STDOUT_MIME, data: enc.encode('1\n') }] },
          { items: [{ mime: ERROR_MIME, data: enc.encode(JSON.stringify({ name: 'E', message: 'm', stack: 'E: m\n  at x' })) }] },
          { items: [{ mime: 'text/plain', data: enc.encode('x') }] },
        ],
      },
    ]);
    assert.equal(nb.nbformat, 4);
    assert.deepEqual(nb.cells[0], { cell_type: 'markdown', id: 'cell-0', source: '# Title', metadata: {} });
    const code = nb.cells[1];
    assert.equal(code.cell_type, 'code');
    if (code.cell_type !== 'code') return;
    assert.equal(code.execution_count, 3);
    assert.deepEqual(code.outputs, [
      { output_type: 'stream', name: 'stdout', text: '1\n' },
      { output_type: 'error', ename: 'E', evalue: 'm', traceback: ['E: m', '  at x'] },
      { output_type: 'display_data', data: { 'text/plain': 'x' }, metadata: {} },
    ]);
  });
});
