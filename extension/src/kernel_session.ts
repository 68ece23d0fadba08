/**
 * One running alignscope kernel for one notebook: the process (started with the shared client's
 * `launchKernelProcess`), the Jupyter client connected to it, its state and its log. No `vscode`
 * import: the controller listens to `onState` / `onExit` and owns all UI.
 *
 * The process is launched here rather than through `KernelClient.launch` so that its exit is
 * observable at any time (a crash between cells must be reported, never discovered as a hang).
 */
import { KernelClient, KernelDiedError, launchKernelProcess, type KernelProcess } from '../../kernel/src/jupyter/client';
import type { KernelSpec } from '../../kernel/src/jupyter/kernelspec';
import type { JupyterMessage } from '../../kernel/src/jupyter/wire';

export type KernelState = 'starting' | 'idle' | 'busy' | 'restarting' | 'dead';

export interface KernelIdentity {
  backend?: string;
  device?: string;
  banner?: string;
  error?: string;
}

export interface SessionOptions {
  spec: KernelSpec;
  cwd: string;
  env?: Record<string, string | undefined>;
  onLog?: (text: string) => void;
  startupTimeoutMs?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when we asked it to stop (shutdown/restart), false for a crash. */
  expected: boolean;
  logTail: string;
}

type Listener<T> = (value: T) => void;

export class KernelSession {
  private proc: KernelProcess | undefined;
  private clientRef: KernelClient | undefined;
  private stopping = false;
  private stateValue: KernelState = 'starting';
  private died: Promise<ExitInfo> = new Promise(() => {});
  private readonly stateListeners = new Set<Listener<KernelState>>();
  private readonly exitListeners = new Set<Listener<ExitInfo>>();
  identity: KernelIdentity = {};

  private constructor(private readonly options: SessionOptions) {}

  static async start(options: SessionOptions): Promise<KernelSession> {
    const session = new KernelSession(options);
    await session.launch();
    return session;
  }

  get state(): KernelState {
    return this.stateValue;
  }

  get client(): KernelClient {
    if (!this.clientRef) throw new KernelDiedError('the kernel is not running');
    return this.clientRef;
  }

  /** The kernel process id (undefined when not running). */
  get pid(): number | undefined {
    return this.proc?.child.pid;
  }

  get logTail(): string {
    return this.proc?.logTail() ?? '';
  }

  /** Resolves when the current process ends (for racing against an execution). */
  get exited(): Promise<ExitInfo> {
    return this.died;
  }

  onState(listener: Listener<KernelState>): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onExit(listener: Listener<ExitInfo>): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  private setState(state: KernelState): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    for (const l of this.stateListeners) l(state);
  }

  private async launch(): Promise<void> {
    this.stopping = false;
    this.setState('starting');
    const proc = await launchKernelProcess({ spec: this.options.spec, cwd: this.options.cwd, env: this.options.env, onLog: this.options.onLog });
    this.proc = proc;
    this.died = proc.exited.then(({ code, signal }) => ({ code, signal, expected: this.stopping || this.proc !== proc, logTail: proc.logTail() }));
    void this.died.then((info) => {
      if (this.proc !== proc) return;
      const orphan = this.clientRef;
      this.clientRef = undefined;
      // Closes the dead kernel's sockets (its shutdown_request times out; nothing waits on it).
      if (orphan) void orphan.shutdown().catch(() => {});
      this.setState('dead');
      for (const l of this.exitListeners) l(info);
      void proc.cleanup();
    });
    let client: KernelClient;
    try {
      client = await Promise.race([
        KernelClient.connect(proc.connection, this.options.startupTimeoutMs ?? 120_000),
        this.died.then((info): never => {
          throw new KernelDiedError(`the kernel exited during start-up (${info.signal ?? `code ${info.code}`}). Its log ends with:\n${info.logTail}`);
        }),
      ]);
    } catch (e) {
      await this.killProcess(proc);
      throw e;
    }
    this.clientRef = client;
    this.identity = identityFrom(client.kernelInfo);
    client.onIopub((msg: JupyterMessage) => {
      if (msg.header.msg_type !== 'status') return;
      const state = (msg.content as { execution_state?: string }).execution_state;
      if (state === 'busy' || state === 'idle') this.setState(state);
    });
    this.setState('idle');
  }

  async interrupt(): Promise<void> {
    await this.client.interrupt();
  }

  /** Stops the kernel (shutdown_request, then SIGKILL after 5 s). */
  async shutdown(): Promise<void> {
    this.stopping = true;
    const client = this.clientRef;
    this.clientRef = undefined;
    const proc = this.proc;
    if (client) await client.shutdown().catch(() => {});
    if (proc) await this.killProcess(proc);
    this.setState('dead');
  }

  /** A fresh kernel process with the same options, or with a new spec/env (e.g. another backend). */
  async restart(next?: Partial<Pick<SessionOptions, 'spec' | 'env'>>): Promise<void> {
    this.setState('restarting');
    await this.shutdown();
    if (next?.spec) this.options.spec = next.spec;
    if (next?.env) this.options.env = next.env;
    await this.launch();
  }

  private async killProcess(proc: KernelProcess): Promise<void> {
    this.stopping = true;
    const timeout = (ms: number): Promise<'timeout'> => new Promise((r) => setTimeout(() => r('timeout'), ms).unref());
    if ((await Promise.race([proc.exited, timeout(5000)])) === 'timeout') {
      proc.child.kill('SIGKILL');
      await Promise.race([proc.exited, timeout(2000)]);
    }
    await proc.cleanup().catch(() => {});
  }
}

/** Backend, device and banner from kernel_info_reply (the `alignscope` field, else the banner). */
export function identityFrom(info: Record<string, unknown>): KernelIdentity {
  const ours = (info.alignscope ?? {}) as { backend?: unknown; device?: unknown; error?: unknown };
  const banner = typeof info.banner === 'string' ? info.banner : undefined;
  const identity: KernelIdentity = { banner };
  if (typeof ours.backend === 'string') identity.backend = ours.backend;
  if (typeof ours.device === 'string') identity.device = ours.device;
  if (typeof ours.error === 'string') identity.error = ours.error;
  if (!identity.backend && banner) {
    const m = /alignscope backend: (\S+)(?: \([^)]*\))?(?: on (.+))?/.exec(banner);
    if (m) {
      identity.backend = m[1];
      if (m[2]) identity.device = m[2].trim();
    }
  }
  return identity;
}
