import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { formatDuration, ProgressBar } from './progress_bar';

function sink(isTTY: boolean): Writable & { isTTY: boolean; columns: number; text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }) as Writable & { isTTY: boolean; columns: number; text: () => string };
  w.isTTY = isTTY;
  w.columns = 200;
  w.text = () => chunks.join('');
  return w;
}

test('progress: overall fraction over all runs, active runs on the line, finished runs logged', () => {
  const out = sink(true);
  const bar = new ProgressBar(4, 100, out);
  bar.update(0, { label: 'global s0', step: 50, totalSteps: 100, loss: 1.2346, evaluating: false });
  bar.update(1, { label: 'ot s0', step: 100, totalSteps: 100, loss: NaN, evaluating: true });
  assert.equal(bar.fraction(), (50 + 100) / 400);
  const line = bar.line(200);
  assert.match(line, /\[#{9}-{15}\]\s+38% 0\/4 runs/);
  assert.match(line, /global s0 50\/100 loss 1\.235 \| ot s0 eval/);
  bar.finish(1, 'done ot seed 0');
  assert.equal(bar.fraction(), (50 + 100) / 400);
  assert.ok(out.text().includes('\r\x1b[2K'), 'a TTY line is rewritten in place');
  assert.ok(out.text().includes('done ot seed 0\n'));
});

test('progress on a non-TTY stream prints plain lines at each 10%, never carriage returns', () => {
  const out = sink(false);
  const bar = new ProgressBar(1, 10, out);
  for (let s = 1; s <= 10; s++) bar.update(0, { label: 'g', step: s, totalSteps: 10, loss: 1, evaluating: false });
  assert.ok(!out.text().includes('\r'));
  assert.equal(out.text().trim().split('\n').length, 10);
  assert.equal(formatDuration(125), '2m05s');
  assert.equal(formatDuration(9.6), '10s');
});
