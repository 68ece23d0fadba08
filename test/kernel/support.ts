/**
 * Shared set-up for the kernel tests: the built kernel (tests spawn kernel/dist, so the process under
 * test is what Jupyter runs), the Debian Jupyter tools, and a kernelspec in a temporary prefix.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
export const KERNEL_CLI = path.join(REPO, 'kernel', 'dist', 'cli', 'kernel_command.js');
export const RUN_CLI = path.join(REPO, 'kernel', 'dist', 'cli', 'run_command.js');
export const FIXTURES = path.join(__dirname, 'fixtures');
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** Environment for kernels under test: skip the slow backend probing, the wasm backend is what runs here. */
export const KERNEL_ENV = { ALIGNSCOPE_BACKEND: process.env.ALIGNSCOPE_BACKEND ?? 'wasm' };

/** Builds the kernel package when its dist is missing (npm test builds it before the tests anyway). */
export function ensureBuilt(): void {
  if (existsSync(KERNEL_CLI) && existsSync(RUN_CLI)) return;
  execFileSync('npx', ['tsc', '-b', 'kernel'], { cwd: REPO, stdio: 'inherit' });
}

/**
 * Why the Debian Jupyter tools cannot be used, or undefined when they can. Under CI=true a missing tool
 * throws (scripts/setup/10-jupyter.sh must have installed them).
 */
export function jupyterToolsMissing(modules = ['jupyter_kernel_test', 'nbclient', 'nbformat', 'nbconvert']): string | undefined {
  let reason: string | undefined;
  if (!existsSync(SYSTEM_PYTHON)) reason = `${SYSTEM_PYTHON} not found`;
  else {
    const r = spawnSync(SYSTEM_PYTHON, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
    if (r.status !== 0) reason = `system Python lacks ${modules.join('/')} (run scripts/setup/10-jupyter.sh): ${r.stderr.trim().split('\n').pop()}`;
  }
  if (reason && process.env.CI === 'true') throw new Error(`CI=true and the Jupyter tools are missing: ${reason}`);
  return reason;
}

/** Installs the kernelspec into a fresh temp prefix; returns the JUPYTER_PATH entry for it. */
export function installSpecInTempPrefix(name = 'alignscope-test'): { jupyterPath: string; prefix: string; name: string } {
  ensureBuilt();
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'alignscope-spec-'));
  execFileSync(process.execPath, [KERNEL_CLI, 'install', '--prefix', prefix, '--name', name], { stdio: 'pipe' });
  return { jupyterPath: path.join(prefix, 'share', 'jupyter'), prefix, name };
}
