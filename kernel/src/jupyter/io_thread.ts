/**
 * The kernel's I/O thread (a worker_threads Worker). It owns the sockets that must stay responsive while
 * a cell blocks the main thread:
 *   - heartbeat (REP): echoes every ping;
 *   - control (ROUTER): interrupt_request, shutdown_request, kernel_info_request;
 *   - IOPub (PUB): every IOPub message, forwarded from the main thread (stream text is coalesced for
 *     ~30 ms so a chatty loop sends a few messages, not thousands);
 *   - stdin (ROUTER): bound so clients can connect; input requests are not supported.
 *
 * On interrupt_request it bumps the shared interrupt counter (tokens see it at once), tells the main
 * thread, and if the main thread does not acknowledge within `sigintAfterMs` (it is stuck in synchronous
 * code), raises SIGINT on the process: vm's breakOnSigint then stops the running cell.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as zmq from 'zeromq';
import { endpoint } from './connection';
import type { IoThreadData, IoToMain, MainToIo } from './io_thread_protocol';
import { SerialSender } from './socket_sender';
import { decodeMessage, encodeMessage, newHeader, replyTo, WireError, type JupyterMessage, type MessageHeader } from './wire';

const STREAM_FLUSH_MS = 30;
const STREAM_MAX_CHARS = 64 * 1024;

interface PendingStream {
  name: 'stdout' | 'stderr';
  text: string;
  parent: MessageHeader | Record<string, never>;
}

function post(msg: IoToMain): void {
  parentPort?.postMessage(msg);
}

async function main(data: IoThreadData): Promise<void> {
  const { connection, session } = data;
  const key = connection.key;
  const counter = new Int32Array(data.interruptCounter);
  let acked = 0;

  const iopub = new zmq.Publisher({ linger: 1000 });
  const control = new zmq.Router({ linger: 0 });
  const stdin = new zmq.Router({ linger: 0 });
  const hb = new zmq.Reply({ linger: 0 });
  const iopubOut = new SerialSender(iopub);
  const controlOut = new SerialSender(control);

  await Promise.all([
    iopub.bind(endpoint(connection, 'iopub')),
    control.bind(endpoint(connection, 'control')),
    stdin.bind(endpoint(connection, 'stdin')),
    hb.bind(endpoint(connection, 'hb')),
  ]);

  // ---- IOPub with stream coalescing ----
  let pending: PendingStream | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  const sendIopub = (msgType: string, content: unknown, parent: MessageHeader | Record<string, never>, metadata: Record<string, unknown> = {}): void => {
    void iopubOut.send(
      encodeMessage(key, { header: newHeader(msgType, session), parent_header: parent, metadata, content }),
    );
  };
  const flushStream = (): void => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = undefined;
    if (!pending) return;
    const { name, text, parent } = pending;
    pending = undefined;
    sendIopub('stream', { name, text }, parent);
  };
  const addStream = (name: 'stdout' | 'stderr', text: string, parent: MessageHeader | Record<string, never>): void => {
    const sameParent = pending && (pending.parent as MessageHeader).msg_id === (parent as MessageHeader).msg_id;
    if (pending && (pending.name !== name || !sameParent)) flushStream();
    if (pending) pending.text += text;
    else pending = { name, text, parent };
    if (pending.text.length >= STREAM_MAX_CHARS) flushStream();
    else if (!flushTimer) flushTimer = setTimeout(flushStream, STREAM_FLUSH_MS);
  };

  // ---- messages from the main thread ----
  let closing = false;
  const close = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    flushStream();
    await iopubOut.drain();
    await controlOut.drain();
    for (const s of [control, stdin, hb, iopub]) s.close();
    post({ type: 'closed' });
    // With its sockets closed and the port closed, the thread ends on its own.
    parentPort?.close();
  };
  parentPort?.on('message', (msg: MainToIo) => {
    switch (msg.type) {
      case 'stream':
        addStream(msg.name, msg.text, msg.parent);
        break;
      case 'iopub':
        flushStream();
        sendIopub(msg.msgType, msg.content, msg.parent, msg.metadata);
        break;
      case 'interrupt-ack':
        acked = Math.max(acked, msg.count);
        break;
      case 'close':
        void close();
        break;
    }
  });

  // ---- heartbeat ----
  void (async () => {
    try {
      for await (const frames of hb) await hb.send(frames);
    } catch (e) {
      if (!closing) post({ type: 'fatal', message: `heartbeat socket failed: ${String(e)}` });
    }
  })();

  // ---- control ----
  const reply = (req: JupyterMessage, msgType: string, content: Record<string, unknown>): void => {
    void controlOut.send(encodeMessage(key, replyTo(req, session, msgType, content)));
  };
  const handleControl = (req: JupyterMessage): void => {
    sendIopub('status', { execution_state: 'busy' }, req.header);
    switch (req.header.msg_type) {
      case 'interrupt_request': {
        const count = Atomics.add(counter, 0, 1) + 1;
        reply(req, 'interrupt_reply', { status: 'ok' });
        post({ type: 'interrupt', count });
        setTimeout(() => {
          // The main thread did not answer: it is running synchronous code. SIGINT breaks vm scripts
          // started with breakOnSigint (the cell), and reaches the main thread's SIGINT handler otherwise.
          // (Not on Windows, where a signal to a process terminates it.)
          if (acked < count && !closing && process.platform !== 'win32') {
            Atomics.store(counter, 1, 1); // SIGINT_FROM_IO_SLOT: this interrupt is already counted
            process.kill(process.pid, 'SIGINT');
          }
        }, data.sigintAfterMs);

        break;
      }
      case 'shutdown_request': {
        const restart = Boolean((req.content as { restart?: unknown }).restart);
        reply(req, 'shutdown_reply', { status: 'ok', restart });
        post({ type: 'shutdown', restart });
        break;
      }
      case 'kernel_info_request':
        reply(req, 'kernel_info_reply', data.kernelInfo);
        break;
      default:
        // Unknown control requests get an error reply, so clients waiting on them do not hang.
        reply(req, req.header.msg_type.replace(/_request$/, '_reply'), {
          status: 'error',
          ename: 'NotImplemented',
          evalue: `control message '${req.header.msg_type}' is not supported by the alignscope kernel`,
          traceback: [],
        });
    }
    sendIopub('status', { execution_state: 'idle' }, req.header);
  };
  void (async () => {
    try {
      for await (const frames of control) {
        let req: JupyterMessage;
        try {
          req = decodeMessage(key, frames as Buffer[]);
        } catch (e) {
          if (e instanceof WireError) {
            process.stderr.write(`[alignscope kernel] control: dropped a message: ${e.message}\n`);
            continue;
          }
          throw e;
        }
        handleControl(req);
      }
    } catch (e) {
      if (!closing) post({ type: 'fatal', message: `control socket failed: ${String(e)}` });
    }
  })();

  post({ type: 'ready' });
}

main(workerData as IoThreadData).catch((e: unknown) => {
  post({ type: 'fatal', message: `I/O thread failed to start: ${e instanceof Error ? e.message : String(e)}` });
});
