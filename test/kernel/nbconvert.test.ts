/**
 * Our kernel under a real Jupyter front end: Debian's `jupyter nbconvert --to notebook --execute` runs
 * the fixture notebook with our kernelspec (installed into a temporary prefix).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { FIXTURES, installSpecInTempPrefix, jupyterToolsMissing, KERNEL_ENV, SYSTEM_PYTHON } from './support';

const missing = jupyterToolsMissing(['nbconvert', 'nbclient', 'nbformat']);

interface NbOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
}

const text = (v: unknown): string => (Array.isArray(v) ? v.join('') : String(v ?? ''));

test('jupyter nbconvert --execute runs the fixture notebook with the alignscope kernelspec', { skip: missing, timeout: 240_000 }, () => {
  const spec = installSpecInTempPrefix('alignscope-nbconvert');
  const out = mkdtempSync(path.join(os.tmpdir(), 'alignscope-nbconvert-'));
  try {
    const r = spawnSync(
      SYSTEM_PYTHON,
      ['-m', 'nbconvert', '--to', 'notebook', '--execute', path.join(FIXTURES, 'basic.ipynb'), '--output-dir', out, '--output', 'basic.executed.ipynb',
        `--ExecutePreprocessor.kernel_name=${spec.name}`, '--ExecutePreprocessor.timeout=180'],
      { encoding: 'utf8', timeout: 220_000, env: { ...process.env, ...KERNEL_ENV, JUPYTER_PATH: spec.jupyterPath } },
    );
    assert.equal(r.status, 0, `nbconvert failed:\n${r.stderr.slice(-4000)}`);
    const nb = JSON.parse(readFileSync(path.join(out, 'basic.executed.ipynb'), 'utf8')) as { cells: { id: string; outputs?: NbOutput[]; execution_count?: number }[] };
    const byId = new Map(nb.cells.map((c) => [c.id, c]));
    const all = nb.cells.flatMap((c) => c.outputs ?? []);
    assert.ok(!all.some((o) => o.output_type === 'error'), 'no error outputs');

    const tensor = byId.get('tensor')?.outputs ?? [];
    assert.match(text(tensor.find((o) => o.output_type === 'stream')?.text), /sum 10/);
    assert.match(text(tensor.find((o) => o.output_type === 'execute_result')?.data?.['text/plain']), /Tensor float32 \[2, 2\]/);

    // The display: a multi-MIME bundle with a JSON object, updated in place through its display_id.
    const display = (byId.get('display')?.outputs ?? []).find((o) => o.output_type === 'display_data');
    assert.deepEqual(display?.data?.['application/vnd.alignscope.v1+json'], { kind: 'progress', version: 1, step: 2, total: 2 });
    assert.equal(text(display?.data?.['text/plain']), 'step 2/2');
    assert.ok((byId.get('display')?.outputs ?? []).some((o) => o.output_type === 'stream' && o.name === 'stderr'));

    assert.equal(text(byId.get('state')?.outputs?.[0]?.data?.['text/plain']), '3');
    assert.equal(text(byId.get('await')?.outputs?.[0]?.data?.['text/plain']), "'awaited 3'");
    assert.deepEqual(nb.cells.filter((c) => c.outputs).map((c) => c.execution_count), [1, 2, 3, 4]);
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(spec.prefix, { recursive: true, force: true });
  }
});
