/**
 * execute_request, one cell at a time: busy → execute_input → outputs → execute_result | error →
 * execute_reply → idle. Cells queue; after a failing cell (stop_on_error), the cells already queued are
 * answered `status: "aborted"` without running.
 *
 * Interrupts: the cell's cancellation token turns true at once (interrupt.ts); a cell that still runs
 * `graceMs` later (an await that never checks the token) is abandoned — tslab rejects its await — and a
 * second interrupt abandons it immediately. Synchronous code is stopped by SIGINT (io_thread.ts).
 */
import { beginCellScope, interruptCount, isInterruptError, notifyInterrupt, runInCellScope, scopeInterrupted } from './interrupt';
import { compileErrorContent, interruptedContent, runtimeErrorContent, type ErrorContent } from './error_report';
import { formatValue } from './format_value';
import { History } from './history';
import type { IoChannel } from './io_channel';
import type { TsEngine } from './ts_engine';
import type { JupyterMessage } from './wire';

interface ExecuteContent {
  code?: string;
  silent?: boolean;
  store_history?: boolean;
  stop_on_error?: boolean;
}

export type SendReply = (req: JupyterMessage, msgType: string, content: Record<string, unknown>) => void;

/** When the request was sent (header.date), or undefined. */
function sentAt(req: JupyterMessage): number | undefined {
  const t = Date.parse(String(req.header.date ?? ''));
  return Number.isFinite(t) ? t : undefined;
}

export class CellExecutor {
  private executionCount = 0;
  /** The executed cells, for history_request. */
  readonly history = new History();
  private readonly queue: JupyterMessage[] = [];
  private running: { abandon: () => void; timer?: NodeJS.Timeout; startCount: number } | undefined;
  private draining = false;
  /** When the last stop_on_error failure was answered: executes sent before it are aborted. */
  private failedAt = 0;

  constructor(
    private readonly engine: TsEngine,
    private readonly io: IoChannel,
    private readonly sendReply: SendReply,
    private readonly graceMs: number,
  ) {}

  enqueue(req: JupyterMessage): void {
    this.queue.push(req);
    if (!this.draining) void this.drain();
  }

  /** Called whenever the main thread hears of an interrupt (message or SIGINT); idempotent per interrupt. */
  interrupt(): void {
    notifyInterrupt();
    const running = this.running;
    if (!running) return;
    const interrupts = interruptCount() - running.startCount;
    if (interrupts >= 2) running.abandon();
    else if (interrupts === 1) running.timer ??= setTimeout(() => running.abandon(), this.graceMs);
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let req = this.queue.shift(); req; req = this.queue.shift()) {
        const sent = sentAt(req);
        if (sent !== undefined && sent < this.failedAt) this.abort(req);
        else await this.run(req);
      }
    } finally {
      this.draining = false;
    }
  }

  private abort(req: JupyterMessage): void {
    this.io.publish('status', { execution_state: 'busy' }, req.header);
    this.sendReply(req, 'execute_reply', { status: 'aborted', execution_count: this.executionCount });
    this.io.publish('status', { execution_state: 'idle' }, req.header);
  }

  private async run(req: JupyterMessage): Promise<void> {
    const content = req.content as ExecuteContent;
    const code = typeof content.code === 'string' ? content.code : '';
    const silent = content.silent === true;
    const storeHistory = content.store_history !== false && !silent;
    const stopOnError = content.stop_on_error !== false;
    this.io.publish('status', { execution_state: 'busy' }, req.header);
    if (storeHistory) this.executionCount++;
    const count = this.executionCount;
    if (storeHistory) this.history.record(count, code);
    if (!silent) this.io.publish('execute_input', { code, execution_count: count }, req.header);

    const scope = beginCellScope();
    let error: ErrorContent | undefined;
    try {
      const outcome = await this.io.withParent(req.header, () =>
        runInCellScope(scope, () => {
          const pending = this.engine.execute(code);
          this.running = { abandon: () => this.engine.abandonAsync(), startCount: scope.start };
          // An interrupt that arrived while the cell's synchronous part ran was not seen yet.
          if (scopeInterrupted(scope)) this.interrupt();
          return pending;
        }),
      );
      if (outcome.kind === 'compile-error') error = compileErrorContent(outcome.diagnostics);
      else if (outcome.kind === 'runtime-error') {
        const abandoned = (outcome.error as { message?: unknown } | null)?.message === 'Interrupted asynchronously';
        error = scopeInterrupted(scope) && !isInterruptError(outcome.error)
          ? interruptedContent(abandoned)
          : runtimeErrorContent(outcome.error, outcome.generated, code);
      } else if (scopeInterrupted(scope)) {
        error = interruptedContent();
      } else if (outcome.hasValue && !silent) {
        const data = formatValue(outcome.value);
        this.io.publish('execute_result', { execution_count: count, data, metadata: {} }, req.header);
        if (storeHistory) this.history.recordOutput(count, String(data['text/plain'] ?? ''));
      }
    } catch (e) {
      error = runtimeErrorContent(e, undefined, code);
    } finally {
      if (this.running?.timer) clearTimeout(this.running.timer);
      this.running = undefined;
    }

    if (error) {
      // Cells sent before the client could see this failure (queued here or still in the socket) are aborted.
      if (stopOnError) this.failedAt = Date.now();
      if (!silent) this.io.publish('error', error, req.header);
      this.sendReply(req, 'execute_reply', { status: 'error', execution_count: count, ...error });
    } else {
      this.sendReply(req, 'execute_reply', { status: 'ok', execution_count: count, user_expressions: {}, payload: [] });
    }
    this.io.publish('status', { execution_state: 'idle' }, req.header);
  }
}
