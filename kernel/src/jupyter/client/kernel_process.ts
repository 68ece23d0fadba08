/**
 * Starting a kernel process: a connection file with random free ports and a random key in a private
 * temp directory, argv from a kernelspec ({connection_file} substituted) or the alignscope kernel itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createConnectionInfo, type ConnectionInfo } from '../connection';
import { findKernelspec, makeKernelSpec, type KernelSpec } from '../kernelspec';

export interface LaunchOptions {
  /** A kernelspec name on Jupyter's search path (JUPYTER_PATH, user and system dirs). */
  kernelName?: string;
  /** An explicit kernelspec; default: the alignscope kernel from this package's build. */
  spec?: KernelSpec;
  /** The kernel's working directory (a notebook's directory). Default: process.cwd(). */
  cwd?: string;
  /** Extra environment for the kernel. */
  env?: Record<string, string | undefined>;
  /** Receives the kernel's stderr/stdout (its log), as text. */
  onLog?: (text: string) => void;
}

export interface KernelProcess {
  child: ChildProcess;
  connection: ConnectionInfo;
  spec: KernelSpec;
  connectionFile: string;
  /** The last ~8 KB of the kernel's log, for error messages. */
  logTail(): string;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Removes the connection file's directory. */
  cleanup(): Promise<void>;
}

export async function resolveSpec(options: LaunchOptions): Promise<KernelSpec> {
  if (options.spec) return options.spec;
  if (options.kernelName) {
    const found = await findKernelspec(options.kernelName);
    if (!found) throw new Error(`no kernelspec named '${options.kernelName}' on the Jupyter path (JUPYTER_PATH, user and system kernels dirs)`);
    return found.spec;
  }
  return makeKernelSpec();
}

export async function launchKernelProcess(options: LaunchOptions = {}): Promise<KernelProcess> {
  const spec = await resolveSpec(options);
  if (!Array.isArray(spec.argv) || spec.argv.length === 0) throw new Error('kernelspec argv must be a non-empty array');
  const connection = await createConnectionInfo(options.kernelName);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alignscope-kernel-'));
  const connectionFile = path.join(dir, 'connection.json');
  await fs.writeFile(connectionFile, JSON.stringify(connection, null, 2), { mode: 0o600 });
  const argv = spec.argv.map((a) => a.replace('{connection_file}', connectionFile));
  const env: Record<string, string | undefined> = { ...process.env, ...(spec.env ?? {}), ...(options.env ?? {}) };
  const child = spawn(argv[0], argv.slice(1), { cwd: options.cwd ?? process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const onData = (b: Buffer): void => {
    const text = b.toString('utf8');
    tail = (tail + text).slice(-8192);
    options.onLog?.(text);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', (e) => {
      tail += `\nspawn failed: ${e.message}`;
      resolve({ code: -1, signal: null });
    });
  });
  return {
    child,
    connection,
    spec,
    connectionFile,
    logTail: () => tail,
    exited,
    cleanup: () => fs.rm(dir, { recursive: true, force: true }),
  };
}
