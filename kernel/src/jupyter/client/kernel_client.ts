/**
 * A Jupyter client in TypeScript: talks to any Jupyter kernel over ZeroMQ with HMAC signing. Used by
 * the headless runner and the VS Code controller (it imports nothing from `vscode`).
 *
 *   const kernel = await KernelClient.launch({ cwd: notebookDir });          // or { kernelName: 'alignscope' }
 *   const run = kernel.execute('console.log(1 + 1)');
 *   for await (const msg of run.messages) console.log(msg.header.msg_type); // IOPub, until idle
 *   const reply = await run.reply;                                          // execute_reply
 *   await kernel.interrupt(); await kernel.restart(); await kernel.shutdown();
 */
import type * as zmq from 'zeromq';
import type { ConnectionInfo } from '../connection';
import { decodeMessage, encodeMessage, newHeader, WireError, type JupyterMessage } from '../wire';
import { launchKernelProcess, type KernelProcess, type LaunchOptions } from './kernel_process';
import { ClientSockets as Connection, type RequestChannel } from './client_sockets';
import { MessageQueue } from './message_queue';

export interface ExecuteOptions {
  silent?: boolean;
  storeHistory?: boolean;
  stopOnError?: boolean;
  allowStdin?: boolean;
}

export interface Execution {
  msgId: string;
  /** IOPub messages whose parent is this request, ending after its `status: idle`. */
  messages: AsyncIterable<JupyterMessage>;
  /** The execute_reply. */
  reply: Promise<JupyterMessage>;
}

type Channel = RequestChannel;

interface Pending {
  resolve(msg: JupyterMessage): void;
  reject(e: unknown): void;
}

/** Raised to pending requests when the kernel process ends or the client closes. */
export class KernelDiedError extends Error {
  override name = 'KernelDiedError';
}

/** The messages arriving on a socket, verified with `key`; unsigned or badly signed ones are dropped. */
async function* signedMessages(socket: AsyncIterable<unknown>, key: string): AsyncGenerator<JupyterMessage> {
  for await (const frames of socket) {
    try {
      yield decodeMessage(key, frames as Buffer[]);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
    }
  }
}

export class KernelClient {
  private conn!: Connection;
  private proc: KernelProcess | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly executions = new Map<string, MessageQueue<JupyterMessage>>();
  private readonly iopubListeners = new Set<(msg: JupyterMessage) => void>();
  /** The kernel_info request whose IOPub status proves the subscription is live (start-up only). */
  private readyProbe: { msgId: string; seen: boolean } | undefined;
  /** kernel_info_reply content from the last start. */
  kernelInfo: Record<string, unknown> = {};

  private constructor(private readonly launchOptions: LaunchOptions | undefined) {}

  /** Starts a kernel process (kernelspec or the alignscope kernel) and waits until it answers. */
  static async launch(options: LaunchOptions & { startupTimeoutMs?: number } = {}): Promise<KernelClient> {
    const client = new KernelClient(options);
    await client.start(options.startupTimeoutMs ?? 90_000);
    return client;
  }

  /** Connects to a running kernel (no process management: restart is unavailable). */
  static async connect(info: ConnectionInfo, startupTimeoutMs = 30_000): Promise<KernelClient> {
    const client = new KernelClient(undefined);
    client.attach(info);
    await client.waitForReady(startupTimeoutMs);
    return client;
  }

  get connection(): ConnectionInfo {
    return this.conn.info;
  }

  /** The kernel process id, when this client started it. */
  get pid(): number | undefined {
    return this.proc?.child.pid;
  }

  private async start(timeoutMs: number): Promise<void> {
    const proc = await launchKernelProcess(this.launchOptions);
    this.proc = proc;
    this.attach(proc.connection);
    void proc.exited.then(({ code, signal }) => {
      if (this.proc !== proc) return;
      this.failAll(new KernelDiedError(`the kernel exited (${signal ?? `code ${code}`}). Its log ends with:\n${proc.logTail()}`));
    });
    try {
      await Promise.race([
        this.waitForReady(timeoutMs),
        proc.exited.then(({ code, signal }) => {
          throw new KernelDiedError(`the kernel exited during start-up (${signal ?? `code ${code}`}). Its log:\n${proc.logTail()}`);
        }),
      ]);
    } catch (e) {
      await this.stopProcess();
      throw e;
    }
  }

  private attach(info: ConnectionInfo): void {
    const conn = new Connection(info);
    this.conn = conn;
    const key = info.key;
    const readReplies = async (socket: zmq.Dealer): Promise<void> => {
      try {
        for await (const msg of signedMessages(socket, key)) {
          const parentId = (msg.parent_header as { msg_id?: string }).msg_id;
          const p = parentId ? this.pending.get(parentId) : undefined;
          if (p) {
            this.pending.delete(parentId as string);
            p.resolve(msg);
          }
        }
      } catch {
        // socket closed
      }
    };
    void readReplies(conn.shell);
    void readReplies(conn.control);
    void (async () => {
      try {
        for await (const msg of signedMessages(conn.iopub, key)) {
          this.dispatchIopub(msg);
        }
      } catch {
        // socket closed
      }
    })();
  }

  private dispatchIopub(msg: JupyterMessage): void {
    const parentId = (msg.parent_header as { msg_id?: string }).msg_id;
    if (parentId) {
      if (this.readyProbe?.msgId === parentId) this.readyProbe.seen = true;
      const queue = this.executions.get(parentId);
      if (queue) {
        queue.push(msg);
        if (msg.header.msg_type === 'status' && (msg.content as { execution_state?: string }).execution_state === 'idle') {
          queue.end();
          this.executions.delete(parentId);
        }
      }
    }
    for (const listener of this.iopubListeners) listener(msg);
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    for (const q of this.executions.values()) q.end(error);
    this.executions.clear();
  }

  /** Sends a request and resolves with its reply. */
  request(channel: Channel, msgType: string, content: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<JupyterMessage> {
    const { msgId, reply } = this.send(channel, msgType, content, timeoutMs);
    void msgId;
    return reply;
  }

  private send(channel: Channel, msgType: string, content: Record<string, unknown>, timeoutMs: number): { msgId: string; reply: Promise<JupyterMessage> } {
    const header = newHeader(msgType, this.conn.session, 'alignscope-client');
    const reply = new Promise<JupyterMessage>((resolve, reject) => {
      const timer = timeoutMs > 0 && Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            this.pending.delete(header.msg_id);
            reject(new Error(`no ${msgType.replace(/_request$/, '_reply')} within ${timeoutMs} ms`));
          }, timeoutMs)
        : undefined;
      this.pending.set(header.msg_id, {
        resolve: (m) => {
          if (timer) clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          if (timer) clearTimeout(timer);
          reject(e);
        },
      });
    });
    void this.conn.out[channel].send(encodeMessage(this.conn.info.key, { header, parent_header: {}, metadata: {}, content }));
    return { msgId: header.msg_id, reply };
  }

  /**
   * Waits until the kernel answers kernel_info_request on shell AND its IOPub status for that request
   * arrives (so the IOPub subscription is live and no output of the first cell is lost).
   */
  private async waitForReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      const { msgId, reply } = this.send('shell', 'kernel_info_request', {}, Math.max(1, Math.min(10_000, deadline - Date.now())));
      try {
        const probe = { msgId, seen: false };
        this.readyProbe = probe;
        const msg = await reply;
        this.kernelInfo = msg.content;
        const until = Date.now() + 1000;
        while (!probe.seen && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        if (probe.seen) {
          this.readyProbe = undefined;
          return;
        }
      } catch (e) {
        if (e instanceof KernelDiedError) throw e;
        lastError = e;
      }
    }
    throw new Error(`the kernel did not become ready within ${timeoutMs} ms${lastError ? `: ${(lastError as Error).message}` : ''}`);
  }

  /** Runs code; IOPub messages for it stream from `messages`, the execute_reply resolves `reply`. */
  execute(code: string, options: ExecuteOptions = {}): Execution {
    const queue = new MessageQueue<JupyterMessage>();
    const header = newHeader('execute_request', this.conn.session, 'alignscope-client');
    this.executions.set(header.msg_id, queue);
    const reply = new Promise<JupyterMessage>((resolve, reject) => {
      this.pending.set(header.msg_id, { resolve, reject });
    });
    reply.catch(() => {});
    const content = {
      code,
      silent: options.silent ?? false,
      store_history: options.storeHistory ?? true,
      user_expressions: {},
      allow_stdin: options.allowStdin ?? false,
      stop_on_error: options.stopOnError ?? true,
    };
    void this.conn.out.shell.send(encodeMessage(this.conn.info.key, { header, parent_header: {}, metadata: {}, content }));
    return { msgId: header.msg_id, messages: queue, reply };
  }

  /** Every IOPub message (all parents); returns an unsubscribe. */
  onIopub(listener: (msg: JupyterMessage) => void): () => void {
    this.iopubListeners.add(listener);
    return () => this.iopubListeners.delete(listener);
  }

  complete(code: string, cursorPos = code.length): Promise<JupyterMessage> {
    return this.request('shell', 'complete_request', { code, cursor_pos: cursorPos });
  }

  inspect(code: string, cursorPos = code.length, detailLevel: 0 | 1 = 0): Promise<JupyterMessage> {
    return this.request('shell', 'inspect_request', { code, cursor_pos: cursorPos, detail_level: detailLevel });
  }

  isComplete(code: string): Promise<JupyterMessage> {
    return this.request('shell', 'is_complete_request', { code });
  }

  /** interrupt_request on control (interrupt_mode "message"), or SIGINT for "signal" kernels we started. */
  async interrupt(): Promise<void> {
    if (this.proc && this.proc.spec.interrupt_mode !== 'message') {
      this.proc.child.kill('SIGINT');
      return;
    }
    await this.request('control', 'interrupt_request', {}, 10_000);
  }

  private async stopProcess(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = undefined;
    const timeout = (ms: number): Promise<'timeout'> => new Promise((r) => setTimeout(() => r('timeout'), ms).unref());
    if ((await Promise.race([proc.exited, timeout(5000)])) === 'timeout') {
      proc.child.kill('SIGKILL');
      await Promise.race([proc.exited, timeout(2000)]);
    }
    await proc.cleanup();
  }

  /** shutdown_request on control, then waits for the process (killing it after 5 s) and closes sockets. */
  async shutdown(): Promise<void> {
    if (!this.conn.closed) {
      try {
        await this.request('control', 'shutdown_request', { restart: false }, 5000);
      } catch {
        // not answering: the process is stopped below
      }
    }
    await this.stopProcess();
    this.failAll(new KernelDiedError('the kernel was shut down'));
    this.conn.close();
  }

  /** Shuts the kernel down and starts a fresh one with the same options (all state is lost). */
  async restart(timeoutMs = 90_000): Promise<void> {
    if (!this.launchOptions) throw new Error('restart needs a kernel started by KernelClient.launch');
    await this.shutdown();
    await this.start(timeoutMs);
  }
}
