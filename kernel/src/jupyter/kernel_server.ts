/**
 * The alignscope Jupyter kernel process: reads the connection file, initialises the compute backend,
 * starts the I/O thread (control, heartbeat, IOPub, stdin) and serves the shell channel here, on the
 * thread that runs the cells.
 *
 *   await runKernel({ connectionFile });   // resolves with the exit code after shutdown_request
 */
import { randomUUID } from 'node:crypto';
import * as zmq from 'zeromq';
import { initBackend, type BackendReport } from '../backend';
import { setDisplayPublisher } from '../show/publisher';
import { tensorHeatmapBundle } from '../show/tensor_heatmap';
import { setAmbientCancellation } from '../train/cancellation';
import { CellExecutor } from './cell_executor';
import { endpoint, readConnectionFile } from './connection';
import { publishDisplay, setDisplaySink } from './display_bridge';
import { currentCancellation, interruptCounterBuffer, notifyInterrupt, requestInterrupt, takeSigintFromIoThread } from './interrupt';
import { registerValueFormatter } from './format_value';
import { IoChannel, type KernelLog } from './io_channel';
import type { HistoryRequest } from './history';
import { isComplete } from './is_complete';
import { kernelInfoContent } from './kernel_info';
import { SerialSender } from './socket_sender';
import { installTslabDisplay } from './tslab_display';
import { createTsEngine, type TsEngine } from './ts_engine';
import { decodeMessage, encodeMessage, replyTo, WireError, type JupyterMessage } from './wire';

export interface KernelOptions {
  connectionFile: string;
  /** ms an interrupted cell may take to reach a cancellation check before it is abandoned. */
  interruptGraceMs?: number;
}

function installOutputCapture(io: IoChannel): void {
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, cb?: unknown): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const callback = typeof encoding === 'function' ? encoding : cb;
      if (!io.stream(name, text)) return original(chunk as string, encoding as BufferEncoding, callback as () => void);
      if (typeof callback === 'function') process.nextTick(callback as () => void);
      return true;
    }) as typeof stream.write;
  }
}

export async function runKernel(options: KernelOptions): Promise<number> {
  const connection = await readConnectionFile(options.connectionFile);
  const session = randomUUID();
  const stderrWrite = process.stderr.write.bind(process.stderr);
  const log: KernelLog = (line) => {
    stderrWrite(line.endsWith('\n') ? line : `${line}\n`);
  };

  let backend: BackendReport | undefined;
  let backendError: string | undefined;
  try {
    backend = await initBackend({ log: (line) => log(line) });
  } catch (e) {
    backendError = (e as Error).message;
    log(`alignscope kernel: no compute backend: ${backendError}`);
  }
  const kernelInfo = kernelInfoContent({ backend, backendError });
  const engine: TsEngine = createTsEngine();
  const graceMs = options.interruptGraceMs ?? Number(process.env.ALIGNSCOPE_INTERRUPT_GRACE_MS ?? 5000);

  let shutdown: (restart: boolean) => void = () => {};
  let executor: CellExecutor | undefined;
  const io = await IoChannel.start(
    {
      connection,
      session,
      interruptCounter: interruptCounterBuffer(),
      kernelInfo,
      sigintAfterMs: 300,
    },
    {
      onInterrupt: () => executor?.interrupt(),
      onShutdown: (restart) => shutdown(restart),
      onFatal: (message) => log(`alignscope kernel: ${message}`),
    },
    log,
  );

  const shell = new zmq.Router({ linger: 1000 });
  const shellOut = new SerialSender(shell);
  await shell.bind(endpoint(connection, 'shell'));
  const sendReply = (req: JupyterMessage, msgType: string, content: Record<string, unknown>): void => {
    void shellOut.send(encodeMessage(connection.key, replyTo(req, session, msgType, content)));
  };
  executor = new CellExecutor(engine, io, sendReply, graceMs);

  installOutputCapture(io);
  setDisplaySink((msgType, content) => {
    const parent = io.currentParent();
    if (parent) io.publish(msgType, content, parent);
  });
  setDisplayPublisher((bundle, metadata, opts) => {
    publishDisplay(bundle as unknown as Record<string, unknown>, metadata, opts);
  });
  installTslabDisplay();
  // A 2-D tensor as a cell's last value renders as a heatmap; training loops stop on interrupt.
  registerValueFormatter((value) => tensorHeatmapBundle(value) as never);
  setAmbientCancellation(() => currentCancellation());
  // Ctrl+C on a kernel started in a terminal, or SIGINT from the I/O thread outside a vm script.
  process.on('SIGINT', () => {
    if (takeSigintFromIoThread()) notifyInterrupt();
    else requestInterrupt();
    executor?.interrupt();
  });
  process.on('uncaughtException', (err) => {
    process.stderr.write(`Uncaught exception (outside the cell's await chain): ${err?.stack ?? String(err)}\n`);
  });
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`Unhandled promise rejection: ${reason instanceof Error ? reason.stack : String(reason)}\n`);
  });

  const exited = new Promise<number>((resolve) => {
    let done = false;
    shutdown = (restart) => {
      if (done) return;
      done = true;
      log(`alignscope kernel: shutdown${restart ? ' (restart requested)' : ''}`);
      void (async () => {
        await shellOut.drain();
        await io.close();
        shell.close();
        engine.close();
        resolve(0);
      })();
    };
  });

  const handleShell = (req: JupyterMessage): void => {
    const type = req.header.msg_type;
    if (type === 'execute_request') {
      executor?.enqueue(req);
      return;
    }
    io.publish('status', { execution_state: 'busy' }, req.header);
    try {
      const c = req.content as { code?: string; cursor_pos?: number; restart?: boolean; comm_id?: string };
      switch (type) {
        case 'kernel_info_request':
          sendReply(req, 'kernel_info_reply', kernelInfo);
          break;
        case 'complete_request': {
          const code = c.code ?? '';
          const cursor = c.cursor_pos ?? code.length;
          let result = { start: cursor, end: cursor, matches: [] as string[] };
          try {
            result = engine.complete(code, cursor);
          } catch (e) {
            log(`complete failed: ${(e as Error).message}`);
          }
          sendReply(req, 'complete_reply', { status: 'ok', matches: result.matches, cursor_start: result.start, cursor_end: result.end, metadata: {} });
          break;
        }
        case 'inspect_request': {
          let text: string | undefined;
          try {
            text = engine.inspect(c.code ?? '', c.cursor_pos ?? (c.code ?? '').length);
          } catch (e) {
            log(`inspect failed: ${(e as Error).message}`);
          }
          sendReply(req, 'inspect_reply', { status: 'ok', found: Boolean(text), data: text ? { 'text/plain': text } : {}, metadata: {} });
          break;
        }
        case 'is_complete_request':
          sendReply(req, 'is_complete_reply', isComplete(c.code ?? ''));
          break;
        case 'comm_info_request':
          sendReply(req, 'comm_info_reply', { status: 'ok', comms: {} });
          break;
        case 'comm_open':
          // No comm targets: close it, so the front end does not wait on it.
          io.publish('comm_close', { comm_id: c.comm_id ?? '', data: {} }, req.header);
          break;
        case 'comm_msg':
        case 'comm_close':
          break;
        case 'history_request':
          sendReply(req, 'history_reply', { status: 'ok', history: executor?.history.query(req.content as HistoryRequest) ?? [] });
          break;
        case 'shutdown_request':
          sendReply(req, 'shutdown_reply', { status: 'ok', restart: Boolean(c.restart) });
          shutdown(Boolean(c.restart));
          break;
        default:
          log(`alignscope kernel: unsupported shell message '${type}'`);
      }
    } finally {
      io.publish('status', { execution_state: 'idle' }, req.header);
    }
  };

  void (async () => {
    try {
      for await (const frames of shell) {
        let req: JupyterMessage;
        try {
          req = decodeMessage(connection.key, frames as Buffer[]);
        } catch (e) {
          if (e instanceof WireError) {
            log(`alignscope kernel: shell: dropped a message: ${e.message}`);
            continue;
          }
          throw e;
        }
        handleShell(req);
      }
    } catch (e) {
      log(`alignscope kernel: shell socket failed: ${(e as Error).message}`);
    }
  })();

  log(`alignscope kernel: listening on ${connection.ip} (shell ${connection.shell_port}), session ${session}`);
  return exited;
}
