/**
 * Every example notebook in notebooks/ is an integration test: it is executed by Debian's
 * `jupyter nbconvert --execute` with our kernelspec and by our headless runner `alignscope run`; the
 * executed notebooks must hold no error output, at least one alignscope display, and every alignscope
 * payload must validate against the shared display schema.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { validateDisplayPayload } from '../../kernel/src/show/display_validate';
import { DISPLAY_MIME } from '../../kernel/src/show/display_schema';
import { ensureBuilt, installSpecInTempPrefix, jupyterToolsMissing, KERNEL_ENV, REPO, RUN_CLI, SYSTEM_PYTHON } from '../kernel/support';

const NOTEBOOKS = path.join(REPO, 'notebooks');
const notebooks = readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.ipynb')).sort();
const TIMEOUT_S = 600;

interface Output {
  output_type: string;
  ename?: string;
  evalue?: string;
  data?: Record<string, unknown>;
}
interface Notebook {
  nbformat: number;
  cells: { cell_type: string; id?: string; outputs?: Output[] }[];
}

/** The checks shared by both runners. */
function checkExecuted(file: string, label: string): void {
  const nb = JSON.parse(readFileSync(file, 'utf8')) as Notebook;
  assert.equal(nb.nbformat, 4);
  const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
  const errors = outputs.filter((o) => o.output_type === 'error');
  assert.deepEqual(errors.map((e) => `${e.ename}: ${e.evalue}`), [], `${label}: error outputs`);
  const payloads = outputs.map((o) => o.data?.[DISPLAY_MIME]).filter((p) => p !== undefined);
  assert.ok(payloads.length > 0, `${label}: no ${DISPLAY_MIME} output`);
  for (const payload of payloads) {
    const result = validateDisplayPayload(payload);
    assert.ok(result.ok, `${label}: invalid display payload: ${result.ok ? '' : result.reason}`);
  }
  for (const o of outputs) {
    if (o.data?.[DISPLAY_MIME] !== undefined) assert.equal(typeof o.data[DISPLAY_MIME], 'object', 'JSON MIME data is an object, not a string');
  }
}

let work: string;
before(() => {
  ensureBuilt();
  work = mkdtempSync(path.join(os.tmpdir(), 'alignscope-notebooks-'));
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('example notebooks under `alignscope run`', () => {
  for (const name of notebooks) {
    test(name, { timeout: (TIMEOUT_S + 60) * 1000 }, () => {
      const out = path.join(work, 'run');
      const r = spawnSync(process.execPath, [RUN_CLI, path.join(NOTEBOOKS, name), '--out', out, '--timeout', String(TIMEOUT_S)], {
        encoding: 'utf8',
        env: { ...process.env, ...KERNEL_ENV },
        timeout: (TIMEOUT_S + 30) * 1000,
      });
      assert.equal(r.status, 0, `alignscope run failed:\n${r.stderr.slice(-4000)}`);
      checkExecuted(path.join(out, name), `alignscope run ${name}`);
    });
  }
});

const missing = jupyterToolsMissing(['nbconvert', 'nbclient', 'nbformat']);
describe('example notebooks under jupyter nbconvert --execute', { skip: missing }, () => {
  for (const name of notebooks) {
    test(name, { timeout: (TIMEOUT_S + 60) * 1000 }, () => {
      const spec = installSpecInTempPrefix(`alignscope-nb-${path.basename(name, '.ipynb')}`);
      const out = path.join(work, 'nbconvert');
      try {
        const r = spawnSync(
          SYSTEM_PYTHON,
          ['-m', 'nbconvert', '--to', 'notebook', '--execute', path.join(NOTEBOOKS, name), '--output-dir', out, '--output', name,
            `--ExecutePreprocessor.kernel_name=${spec.name}`, `--ExecutePreprocessor.timeout=${TIMEOUT_S}`],
          { encoding: 'utf8', env: { ...process.env, ...KERNEL_ENV, JUPYTER_PATH: spec.jupyterPath }, timeout: (TIMEOUT_S + 30) * 1000 },
        );
        assert.equal(r.status, 0, `nbconvert failed:\n${r.stderr.slice(-4000)}`);
        checkExecuted(path.join(out, name), `nbconvert ${name}`);
      } finally {
        rmSync(spec.prefix, { recursive: true, force: true });
      }
    });
  }
});
