/**
 * Regression: a shorthand property naming a variable of an earlier cell (`{ policy }`) used to throw
 * "ReferenceError: policy is not defined" (tslab's converter misses it; see jupyter/expand_shorthand.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ensureBuilt, FIXTURES, KERNEL_ENV, RUN_CLI } from './support';

test('a shorthand property refers to a variable of an earlier cell', { timeout: 120_000 }, () => {
  ensureBuilt();
  const out = mkdtempSync(path.join(os.tmpdir(), 'alignscope-shorthand-'));
  try {
    const r = spawnSync(process.execPath, [RUN_CLI, path.join(FIXTURES, 'cross_cell_shorthand.ipynb'), '--out', out, '--no-html'], {
      encoding: 'utf8',
      env: { ...process.env, ...KERNEL_ENV },
      timeout: 110_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const nb = JSON.parse(readFileSync(path.join(out, 'cross_cell_shorthand.ipynb'), 'utf8')) as { cells: { outputs?: { output_type: string }[] }[] };
    assert.ok(!nb.cells.flatMap((c) => c.outputs ?? []).some((o) => o.output_type === 'error'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
