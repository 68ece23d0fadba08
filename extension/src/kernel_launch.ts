/**
 * Where the kernel is and how to start it from the extension host. No `vscode` import (unit-tested).
 *
 * The kernel is the @alignscope/kernel package: inside the installed .vsix it sits at
 * `<extension>/extension/node_modules/@alignscope/kernel` (see extension/package/stage.mjs); in a source
 * checkout, `<root>/node_modules/@alignscope/kernel` is the npm workspace link to `kernel/`. It runs on a real Node: the extension host's own binary when that is
 * Node (code-server, VS Code server), else `node` from PATH, else the Electron binary in Node mode.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KernelSpec } from '../../kernel/src/jupyter/kernelspec';

export const BACKEND_CHOICES = ['auto', 'gpu', 'webgpu', 'node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export function isBackendChoice(value: unknown): value is BackendChoice {
  return typeof value === 'string' && (BACKEND_CHOICES as readonly string[]).includes(value);
}

/** The kernel package root below the extension, or an Error saying what is missing. */
export function kernelRoot(extensionPath: string): string {
  const candidates = [
    path.join(extensionPath, 'extension', 'node_modules', '@alignscope', 'kernel'),
    path.join(extensionPath, 'node_modules', '@alignscope', 'kernel'),
    path.join(extensionPath, 'kernel'),
  ];
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'dist', 'cli', 'main.js'))) return dir;
  }
  throw new Error(
    `the alignscope kernel is not built: none of ${candidates.map((d) => path.join(d, 'dist', 'cli', 'main.js')).join(', ')} exists ` +
      '(in a source checkout run `npm run build`).',
  );
}

export interface NodeRuntime {
  /** The executable. */
  command: string;
  /** Extra environment it needs (ELECTRON_RUN_AS_NODE for Electron). */
  env: Record<string, string>;
  /** How it was chosen, for the log. */
  source: 'setting' | 'extension host' | 'PATH' | 'electron';
}

function onPath(name: string, envPath: string | undefined): string | undefined {
  for (const dir of (envPath ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, process.platform === 'win32' ? `${name}.exe` : name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // next
    }
  }
  return undefined;
}

export interface RuntimeInputs {
  setting?: string;
  execPath: string;
  isElectron: boolean;
  envPath: string | undefined;
}

/** Chooses the Node binary that runs the kernel (see the file comment). */
export function resolveNodeRuntime(inputs: RuntimeInputs): NodeRuntime {
  if (inputs.setting && inputs.setting.trim() !== '') return { command: inputs.setting.trim(), env: {}, source: 'setting' };
  if (!inputs.isElectron) return { command: inputs.execPath, env: {}, source: 'extension host' };
  const node = onPath('node', inputs.envPath);
  if (node) return { command: node, env: {}, source: 'PATH' };
  return { command: inputs.execPath, env: { ELECTRON_RUN_AS_NODE: '1' }, source: 'electron' };
}

/** The kernelspec our controller launches: absolute argv, message interrupts, the chosen backend. */
export function controllerKernelSpec(root: string, runtime: NodeRuntime, backend: BackendChoice): KernelSpec {
  return {
    argv: [runtime.command, path.join(root, 'dist', 'cli', 'main.js'), 'kernel', '--connection-file', '{connection_file}'],
    display_name: 'alignscope (TypeScript)',
    language: 'typescript',
    interrupt_mode: 'message',
    env: { ...runtime.env, ...(backend === 'auto' ? {} : { ALIGNSCOPE_BACKEND: backend }) },
    metadata: { alignscope: { packageRoot: root } },
  };
}

/** The kernelspec name a notebook asks for (nbformat `metadata.kernelspec.name`), in either layout VS Code uses. */
export function notebookKernelspecName(metadata: Record<string, unknown> | undefined): string | undefined {
  const pick = (m: unknown): string | undefined => {
    const spec = (m as { kernelspec?: { name?: unknown } } | undefined)?.kernelspec;
    return typeof spec?.name === 'string' ? spec.name : undefined;
  };
  const md = metadata ?? {};
  return pick(md.metadata) ?? pick((md.custom as { metadata?: unknown } | undefined)?.metadata) ?? pick(md);
}

/** The last `count` non-empty lines of a log. */
export function lastLines(text: string, count = 12): string {
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(-count)
    .join('\n');
}
