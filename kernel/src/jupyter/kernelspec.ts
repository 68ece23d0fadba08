/**
 * The kernelspec: how Jupyter (and our own client) starts the alignscope kernel. `argv` is absolute —
 * this Node binary and the built CLI — so nothing depends on PATH.
 *
 * Source: https://jupyter-client.readthedocs.io/en/stable/kernels.html#kernel-specs
 */
import { promises as fs, existsSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kernelPackageRoot } from './module_resolution';

export const DEFAULT_KERNEL_NAME = 'alignscope';
export const KERNEL_LANGUAGE = 'typescript';
export const KERNEL_DISPLAY_NAME = 'alignscope (TypeScript)';

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode?: 'signal' | 'message';
  env?: Record<string, string>;
  metadata?: Record<string, unknown>;
}

export interface SpecLocation {
  /** Per-user directory (default when not root). */
  user?: boolean;
  /** `<prefix>/share/jupyter/kernels` (e.g. a virtualenv or a test's temp dir). */
  prefix?: string;
}

export interface InstalledSpec {
  name: string;
  dir: string;
  spec: KernelSpec;
}

/** Jupyter's per-user data directory. */
export function userDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return process.env.JUPYTER_DATA_DIR;
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Jupyter');
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'jupyter');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'jupyter');
}

export function kernelsDir(location: SpecLocation): string {
  if (location.prefix) return path.join(path.resolve(location.prefix), 'share', 'jupyter', 'kernels');
  if (location.user) return path.join(userDataDir(), 'kernels');
  return process.platform === 'win32'
    ? path.join(process.env.PROGRAMDATA ?? 'C:\\ProgramData', 'jupyter', 'kernels')
    : '/usr/local/share/jupyter/kernels';
}

/** Every directory Jupyter searches for kernelspecs, most specific first. */
export function searchDirs(): string[] {
  const dirs = (process.env.JUPYTER_PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'kernels'));
  dirs.push(path.join(userDataDir(), 'kernels'));
  if (process.platform !== 'win32') dirs.push('/usr/local/share/jupyter/kernels', '/usr/share/jupyter/kernels');
  return [...new Set(dirs)];
}

/** The command that runs the kernel: node + the built CLI (main.js when the dispatcher exists). */
export function kernelArgv(packageRoot = kernelPackageRoot()): string[] {
  const main = path.join(packageRoot, 'dist', 'cli', 'main.js');
  if (existsSync(main)) return [process.execPath, main, 'kernel', '--connection-file', '{connection_file}'];
  const direct = path.join(packageRoot, 'dist', 'cli', 'kernel_command.js');
  if (!existsSync(direct)) {
    throw new Error(`the kernel is not built: ${direct} is missing (run \`npx tsc -b kernel\` first)`);
  }
  return [process.execPath, direct, '--connection-file', '{connection_file}'];
}

/**
 * The alignscope kernelspec. `packageRoot` (the @alignscope/kernel directory) defaults to the package
 * this file lives in; a bundled caller (the VS Code extension) passes it explicitly.
 */
export function makeKernelSpec(displayName = KERNEL_DISPLAY_NAME, packageRoot?: string): KernelSpec {
  const root = packageRoot ?? kernelPackageRoot();
  let version = '0.0.0';
  try {
    version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // keep 0.0.0
  }
  return {
    argv: kernelArgv(root),
    display_name: displayName,
    language: KERNEL_LANGUAGE,
    interrupt_mode: 'message',
    env: {},
    metadata: { alignscope: { version, packageRoot: root }, debugger: false },
  };
}

/** Writes `<kernels>/<name>/kernel.json`; returns the spec directory. */
export async function installKernelspec(options: SpecLocation & { name?: string; displayName?: string } = {}): Promise<string> {
  const name = options.name ?? DEFAULT_KERNEL_NAME;
  if (!/^[a-z0-9._-]+$/i.test(name)) throw new Error(`kernel name must match [a-zA-Z0-9._-]+; got '${name}'`);
  const dir = path.join(kernelsDir(options), name);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'kernel.json'), `${JSON.stringify(makeKernelSpec(options.displayName), null, 2)}\n`);
  return dir;
}

/** Removes the spec directory; returns it, or undefined when there was none. */
export async function uninstallKernelspec(options: SpecLocation & { name?: string } = {}): Promise<string | undefined> {
  const dir = path.join(kernelsDir(options), options.name ?? DEFAULT_KERNEL_NAME);
  if (!existsSync(path.join(dir, 'kernel.json'))) return undefined;
  await fs.rm(dir, { recursive: true, force: true });
  return dir;
}

async function readSpec(dir: string): Promise<KernelSpec | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, 'kernel.json'), 'utf8')) as KernelSpec;
  } catch {
    return undefined;
  }
}

/** The first kernelspec named `name` on Jupyter's search path. */
export async function findKernelspec(name: string): Promise<InstalledSpec | undefined> {
  for (const base of searchDirs()) {
    const dir = path.join(base, name);
    const spec = await readSpec(dir);
    if (spec) return { name, dir, spec };
  }
  return undefined;
}

/** alignscope kernelspecs on Jupyter's search path (first occurrence of each name). */
export async function listKernelspecs(): Promise<InstalledSpec[]> {
  const seen = new Set<string>();
  const found: InstalledSpec[] = [];
  for (const base of searchDirs()) {
    let names: string[] = [];
    try {
      names = await fs.readdir(base);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      if (seen.has(name)) continue;
      const spec = await readSpec(path.join(base, name));
      if (!spec || !(spec.metadata && 'alignscope' in spec.metadata)) continue;
      seen.add(name);
      found.push({ name, dir: path.join(base, name), spec });
    }
  }
  return found;
}
