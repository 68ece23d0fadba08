/**
 * The headless runner `alignscope run`: executes the fixture through the TypeScript Jupyter client,
 * writes a valid nbformat 4.5 notebook (checked with Python's nbformat when available) and an HTML
 * report, names a failing cell with a non-zero exit, and refuses a malformed file without touching it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureBuilt, FIXTURES, jupyterToolsMissing, KERNEL_ENV, RUN_CLI, SYSTEM_PYTHON } from './support';

let work: string;
before(() => {
  ensureBuilt();
  work = mkdtempSync(path.join(os.tmpdir(), 'alignscope-run-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

function run(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [RUN_CLI, ...args], { encoding: 'utf8', timeout: 180_000, env: { ...process.env, ...KERNEL_ENV } });
  return { status: r.status, stderr: r.stderr };
}

interface Cell {
  id: string;
  cell_type: string;
  execution_count?: number | null;
  outputs?: { output_type: string; data?: Record<string, unknown>; text?: string }[];
}

test('runs every cell and writes the executed notebook and an HTML report', { timeout: 180_000 }, () => {
  const out = path.join(work, 'out');
  const r = run([path.join(FIXTURES, 'basic.ipynb'), '--out', out, '--timeout', '120']);
  assert.equal(r.status, 0, r.stderr);
  const nb = JSON.parse(readFileSync(path.join(out, 'basic.ipynb'), 'utf8')) as { nbformat: number; nbformat_minor: number; cells: Cell[] };
  assert.equal(nb.nbformat, 4);
  assert.ok(nb.nbformat_minor >= 5);
  assert.ok(nb.cells.every((c) => typeof c.id === 'string' && c.id.length > 0));
  const byId = new Map(nb.cells.map((c) => [c.id, c]));
  const tensor = byId.get('tensor')?.outputs ?? [];
  assert.deepEqual(tensor.map((o) => o.output_type), ['stream', 'execute_result']);
  const display = byId.get('display')?.outputs?.find((o) => o.output_type === 'display_data');
  assert.deepEqual(display?.data?.['application/vnd.alignscope.v1+json'], { kind: 'progress', version: 1, step: 2, total: 2 }, 'update_display_data applied');
  assert.equal(byId.get('await')?.outputs?.[0]?.data?.['text/plain'], "'awaited 3'");
  assert.ok(existsSync(path.join(out, 'basic.html')));
  assert.match(readFileSync(path.join(out, 'basic.html'), 'utf8'), /awaited 3/);

  const noNbformat = jupyterToolsMissing(['nbformat']);
  if (!noNbformat) {
    const v = spawnSync(SYSTEM_PYTHON, ['-c', 'import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))', path.join(out, 'basic.ipynb')], { encoding: 'utf8' });
    assert.equal(v.status, 0, `nbformat.validate: ${v.stderr}`);
  }
});

test('a failing cell: exit 1, the cell named, later cells skipped, outputs saved beside the untouched input', { timeout: 180_000 }, () => {
  const input = path.join(work, 'failing.ipynb');
  copyFileSync(path.join(FIXTURES, 'failing.ipynb'), input);
  const before = readFileSync(input, 'utf8');
  const r = run([input, '--no-html']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cell 2 \(id boom\) failed: Error: fixture failure 2/);
  assert.equal(readFileSync(input, 'utf8'), before, 'the input is never overwritten');
  const nb = JSON.parse(readFileSync(path.join(work, 'failing.executed.ipynb'), 'utf8')) as { cells: Cell[] };
  const boom = nb.cells[1].outputs?.[0] as { output_type: string; traceback?: string[] } | undefined;
  assert.equal(boom?.output_type, 'error');
  assert.ok(boom?.traceback?.some((l) => l.includes('cell line 2')), `traceback maps to the cell line: ${JSON.stringify(boom?.traceback)}`);
  assert.deepEqual(nb.cells[2].outputs, []);
  assert.equal(nb.cells[2].execution_count, null);
});

test('a malformed notebook: exit 2 with a clear message, the file untouched, nothing written', { timeout: 60_000 }, () => {
  const input = path.join(work, 'malformed.ipynb');
  copyFileSync(path.join(FIXTURES, 'malformed.ipynb'), input);
  const before = readFileSync(input, 'utf8');
  const r = run([input, '--out', path.join(work, 'never')]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /malformed\.ipynb is not valid JSON.*not modified/s);
  assert.equal(readFileSync(input, 'utf8'), before);
  assert.ok(!existsSync(path.join(work, 'never')));
});
