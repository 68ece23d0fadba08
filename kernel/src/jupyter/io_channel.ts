/**
 * The main thread's side of the I/O thread: starts it, sends IOPub messages through it, routes
 * process.stdout/stderr writes to the cell that made them, and hears interrupts and shutdowns.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { IoThreadData, IoToMain, MainToIo } from './io_thread_protocol';
import type { MessageHeader } from './wire';

type Parent = MessageHeader | Record<string, never>;

export interface IoChannelEvents {
  onInterrupt(count: number): void;
  onShutdown(restart: boolean): void;
  onFatal(message: string): void;
}

/** Writes to the kernel's real stderr (the Jupyter server log), never to a cell. */
export type KernelLog = (line: string) => void;

export class IoChannel {
  private readonly worker: Worker;
  private readonly parents = new AsyncLocalStorage<Parent>();
  private latestParent: Parent | undefined;
  private closed?: Promise<void>;

  private constructor(worker: Worker) {
    this.worker = worker;
  }

  /** Starts the I/O thread and resolves once its sockets are bound. */
  static async start(data: IoThreadData, events: IoChannelEvents, log: KernelLog): Promise<IoChannel> {
    const ext = __filename.endsWith('.ts') ? '.ts' : '.js';
    const worker = new Worker(path.join(__dirname, `io_thread${ext}`), { workerData: data, stdout: true, stderr: true });
    // The worker's stdio would otherwise go through process.stdout/stderr, which cells' output replaces.
    worker.stdout.on('data', (b: Buffer) => log(b.toString('utf8')));
    worker.stderr.on('data', (b: Buffer) => log(b.toString('utf8')));
    const channel = new IoChannel(worker);
    await new Promise<void>((resolve, reject) => {
      worker.on('error', (e) => reject(e));
      worker.on('message', (msg: IoToMain) => {
        switch (msg.type) {
          case 'ready':
            resolve();
            break;
          case 'fatal':
            reject(new Error(msg.message));
            events.onFatal(msg.message);
            break;
          case 'interrupt':
            channel.post({ type: 'interrupt-ack', count: msg.count });
            events.onInterrupt(msg.count);
            break;
          case 'shutdown':
            events.onShutdown(msg.restart);
            break;
          case 'closed':
            break;
        }
      });
    });
    return channel;
  }

  private post(msg: MainToIo): void {
    this.worker.postMessage(msg);
  }

  /** Runs `fn` with `parent` as the parent of its output (across awaits). */
  withParent<T>(parent: MessageHeader, fn: () => T): T {
    this.latestParent = parent;
    return this.parents.run(parent, fn);
  }

  /** The parent for output now: the cell that is running this code, else the latest request. */
  currentParent(): Parent | undefined {
    return this.parents.getStore() ?? this.latestParent;
  }

  publish(msgType: string, content: unknown, parent: Parent, metadata?: Record<string, unknown>): void {
    this.post({ type: 'iopub', msgType, content, parent, ...(metadata ? { metadata } : {}) });
  }

  stream(name: 'stdout' | 'stderr', text: string): boolean {
    const parent = this.currentParent();
    if (!parent) return false;
    this.post({ type: 'stream', name, text, parent });
    return true;
  }

  /** Flushes IOPub, closes the I/O sockets and ends the thread. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        void this.worker.terminate().then(done, done);
      }, 3000);
      this.worker.on('exit', done);
      this.post({ type: 'close' });
    });
    return this.closed;
  }
}
