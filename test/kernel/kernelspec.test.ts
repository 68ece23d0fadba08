/** `alignscope kernel install|list|uninstall` with a temporary prefix (never the user's real Jupyter dirs). */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { ensureBuilt, KERNEL_CLI } from './support';

test('install writes an absolute-argv kernelspec with interrupt_mode "message"; list and uninstall find it', () => {
  ensureBuilt();
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'alignscope-spec-'));
  const env = { ...process.env, JUPYTER_PATH: path.join(prefix, 'share', 'jupyter') };
  try {
    execFileSync(process.execPath, [KERNEL_CLI, 'install', '--prefix', prefix, '--name', 'as-test'], { env });
    const file = path.join(prefix, 'share', 'jupyter', 'kernels', 'as-test', 'kernel.json');
    const spec = JSON.parse(readFileSync(file, 'utf8')) as { argv: string[]; language: string; interrupt_mode: string; display_name: string };
    assert.equal(spec.argv[0], process.execPath);
    assert.ok(path.isAbsolute(spec.argv[1]) && existsSync(spec.argv[1]), `built CLI at ${spec.argv[1]}`);
    assert.ok(spec.argv.includes('{connection_file}'));
    assert.equal(spec.interrupt_mode, 'message');
    assert.equal(spec.language, 'typescript');
    assert.equal(spec.display_name, 'alignscope (TypeScript)');
    assert.match(execFileSync(process.execPath, [KERNEL_CLI, 'list'], { env, encoding: 'utf8' }), /as-test/);
    execFileSync(process.execPath, [KERNEL_CLI, 'uninstall', '--prefix', prefix, '--name', 'as-test'], { env });
    assert.ok(!existsSync(file));
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
});
