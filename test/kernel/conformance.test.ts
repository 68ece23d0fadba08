/**
 * Jupyter kernel conformance: Debian's python3-jupyter-kernel-test (jupyter_kernel_test.KernelTests)
 * against our kernelspec, installed into a temporary prefix. See test_conformance.py for the samples.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { installSpecInTempPrefix, jupyterToolsMissing, KERNEL_ENV, SYSTEM_PYTHON } from './support';

const missing = jupyterToolsMissing(['jupyter_kernel_test', 'jupyter_client']);

test('the kernel passes jupyter_kernel_test (Debian python3-jupyter-kernel-test)', { skip: missing, timeout: 240_000 }, () => {
  const spec = installSpecInTempPrefix('alignscope-conformance');
  try {
    const r = spawnSync(SYSTEM_PYTHON, ['-m', 'unittest', '-v', 'test_conformance'], {
      cwd: __dirname,
      encoding: 'utf8',
      timeout: 220_000,
      env: { ...process.env, ...KERNEL_ENV, JUPYTER_PATH: spec.jupyterPath, ALIGNSCOPE_KERNEL_NAME: spec.name },
    });
    const out = `${r.stdout}\n${r.stderr}`;
    const ran = Number(/Ran (\d+) tests?/.exec(out)?.[1] ?? 0);
    const skipped = (out.match(/\.\.\. skipped/g) ?? []).length;
    const passed = (out.match(/\.\.\. ok$/gm) ?? []).length;
    assert.equal(r.status, 0, `jupyter_kernel_test failed:\n${out.slice(-6000)}`);
    // Every test with samples runs: kernel_info, stdout, stderr, execute_result, display_data, error,
    // completion, is_complete, inspect, clear_output, history (the pager has no sample and skips).
    assert.ok(passed >= 11, `expected at least 11 passing conformance tests, got ${passed} (ran ${ran}, skipped ${skipped}):\n${out}`);
    console.log(`conformance: ${passed} passed, ${skipped} skipped of ${ran}`);
  } finally {
    rmSync(spec.prefix, { recursive: true, force: true });
  }
});
