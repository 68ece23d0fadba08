/**
 * IOPub messages → notebook cell outputs, as pure data (no `vscode` import, so it is unit-tested in
 * plain Node). The controller turns each `OutputOp` into a `NotebookCellExecution` call.
 *
 *   const cell = new CellOutputModel();
 *   for (const msg of iopub) for (const op of cell.apply(msg)) perform(op);
 *
 * Output metadata follows what VS Code's built-in ipynb serializer reads back when it saves, so a
 * saved notebook is clean nbformat: `outputType` (stream | display_data | execute_result | error),
 * `metadata` (the message's metadata), `executionCount`, `transient` ({ display_id }) and, for errors,
 * `originalError` (the nbformat error with its traceback).
 *
 * Source: https://jupyter-client.readthedocs.io/en/stable/messaging.html#messages-on-the-iopub-pub-sub-channel
 */

export const STDOUT_MIME = 'application/vnd.code.notebook.stdout';
export const STDERR_MIME = 'application/vnd.code.notebook.stderr';
export const ERROR_MIME = 'application/vnd.code.notebook.error';

/** One output item; the controller builds it with NotebookCellOutputItem.json / .text / new(bytes). */
export type OutputItemSpec =
  | { mime: string; kind: 'json'; value: unknown }
  | { mime: string; kind: 'text'; text: string }
  | { mime: string; kind: 'bytes'; bytes: Uint8Array }
  | { mime: typeof ERROR_MIME; kind: 'error'; error: { name: string; message: string; stack: string } };

export type OutputType = 'stream' | 'display_data' | 'execute_result' | 'error';

export interface OutputMetadata {
  outputType: OutputType;
  metadata?: Record<string, unknown>;
  executionCount?: number | null;
  transient?: { display_id: string };
  originalError?: { output_type: 'error'; ename: string; evalue: string; traceback: string[] };
}

export interface OutputSpec {
  items: OutputItemSpec[];
  metadata: OutputMetadata;
}

/** What to do to the executing cell's outputs; `index` is the position in the cell's output list. */
export type OutputOp =
  | { op: 'append'; output: OutputSpec }
  | { op: 'appendItems'; index: number; items: OutputItemSpec[] }
  | { op: 'replaceItems'; index: number; items: OutputItemSpec[]; metadata: OutputMetadata }
  | { op: 'clear' };

/** Side information a message carries besides outputs. */
export type MessageEffect =
  | { effect: 'executionCount'; count: number }
  | { effect: 'status'; state: string }
  | { effect: 'updateElsewhere'; displayId: string; output: OutputSpec };

interface IopubMessage {
  header: { msg_type: string };
  content: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

const TEXT_MIMES = new Set(['text/plain', 'text/html', 'text/markdown', 'text/latex', 'image/svg+xml', 'application/javascript']);

function joinText(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join('');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || /\+json$/.test(mime) || /\/json$/.test(mime);
}

/** One MIME entry of a bundle → an item: JSON as a value (a JSON string is parsed), images from base64. */
export function mimeItem(mime: string, value: unknown): OutputItemSpec {
  if (isJsonMime(mime)) {
    if (typeof value === 'string') {
      try {
        return { mime, kind: 'json', value: JSON.parse(value) };
      } catch {
        return { mime, kind: 'text', text: value };
      }
    }
    return { mime, kind: 'json', value };
  }
  if (mime.startsWith('image/') && mime !== 'image/svg+xml' && typeof value === 'string') {
    return { mime, kind: 'bytes', bytes: new Uint8Array(Buffer.from(value.replace(/\s+/g, ''), 'base64')) };
  }
  if (TEXT_MIMES.has(mime) || mime.startsWith('text/') || typeof value === 'string' || Array.isArray(value)) {
    return { mime, kind: 'text', text: joinText(value) };
  }
  return { mime, kind: 'json', value };
}

/** All MIME items of a bundle, richest first as the kernel ordered them, text/plain last. */
export function bundleItems(data: unknown): OutputItemSpec[] {
  if (data === null || typeof data !== 'object') return [];
  const entries = Object.entries(data as Record<string, unknown>);
  entries.sort(([a], [b]) => Number(a === 'text/plain') - Number(b === 'text/plain'));
  return entries.map(([mime, value]) => mimeItem(mime, value));
}

function displayIdOf(content: Record<string, unknown>): string | undefined {
  const transient = content.transient as { display_id?: unknown } | undefined;
  return typeof transient?.display_id === 'string' ? transient.display_id : undefined;
}

/** Strips ANSI colour codes (tracebacks are often coloured; VS Code shows the stack as text). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

/** A rich output (display_data, execute_result, update_display_data) as a spec. */
export function richOutput(msgType: string, content: Record<string, unknown>): OutputSpec {
  const displayId = displayIdOf(content);
  const metadata: OutputMetadata = {
    outputType: msgType === 'execute_result' ? 'execute_result' : 'display_data',
    metadata: (content.metadata as Record<string, unknown> | undefined) ?? {},
  };
  if (msgType === 'execute_result') metadata.executionCount = typeof content.execution_count === 'number' ? content.execution_count : null;
  if (displayId !== undefined) metadata.transient = { display_id: displayId };
  return { items: bundleItems(content.data), metadata };
}

/** An `error` message → an error output (NotebookCellOutputItem.error shape) keeping the nbformat traceback. */
export function errorOutput(content: Record<string, unknown>): OutputSpec {
  const ename = String(content.ename ?? 'Error');
  const evalue = String(content.evalue ?? '');
  const traceback = Array.isArray(content.traceback) ? content.traceback.map(String) : [];
  const stack = stripAnsi(traceback.length > 0 ? traceback.join('\n') : `${ename}: ${evalue}`);
  return {
    items: [{ mime: ERROR_MIME, kind: 'error', error: { name: ename, message: evalue, stack } }],
    metadata: { outputType: 'error', originalError: { output_type: 'error', ename, evalue, traceback } },
  };
}

interface TrackedOutput {
  type: OutputType;
  streamName?: 'stdout' | 'stderr';
  displayId?: string;
}

/**
 * The outputs of one executing cell: turns each IOPub message into operations on them. Streams append
 * to the last output when it is a stream of the same name; `update_display_data` replaces the items of
 * the output with that display id (in this cell; otherwise an `updateElsewhere` effect); `clear_output`
 * with `wait: true` clears just before the next output.
 */
export class CellOutputModel {
  private outputs: TrackedOutput[] = [];
  private clearPending = false;
  readonly effects: MessageEffect[] = [];

  /** The outputs this cell has now (types, stream names, display ids). */
  get current(): readonly TrackedOutput[] {
    return this.outputs;
  }

  apply(msg: IopubMessage): OutputOp[] {
    const content = msg.content ?? {};
    switch (msg.header.msg_type) {
      case 'stream': {
        const name = content.name === 'stderr' ? 'stderr' : 'stdout';
        const text = joinText(content.text ?? '');
        const item: OutputItemSpec = { mime: name === 'stderr' ? STDERR_MIME : STDOUT_MIME, kind: 'text', text };
        const ops = this.flushClear();
        const last = this.outputs[this.outputs.length - 1];
        if (last && last.type === 'stream' && last.streamName === name) {
          ops.push({ op: 'appendItems', index: this.outputs.length - 1, items: [item] });
        } else {
          ops.push(this.append({ items: [item], metadata: { outputType: 'stream' } }, { type: 'stream', streamName: name }));
        }
        return ops;
      }
      case 'display_data':
      case 'execute_result': {
        const spec = richOutput(msg.header.msg_type, content);
        if (msg.header.msg_type === 'execute_result' && typeof content.execution_count === 'number') {
          this.effects.push({ effect: 'executionCount', count: content.execution_count });
        }
        const ops = this.flushClear();
        ops.push(this.append(spec, { type: spec.metadata.outputType, displayId: spec.metadata.transient?.display_id }));
        return ops;
      }
      case 'update_display_data': {
        const spec = richOutput('display_data', content);
        const displayId = spec.metadata.transient?.display_id;
        if (displayId === undefined) return [];
        const ops: OutputOp[] = [];
        this.outputs.forEach((o, index) => {
          if (o.displayId === displayId) ops.push({ op: 'replaceItems', index, items: spec.items, metadata: spec.metadata });
        });
        if (ops.length === 0) this.effects.push({ effect: 'updateElsewhere', displayId, output: spec });
        return ops;
      }
      case 'error': {
        const ops = this.flushClear();
        ops.push(this.append(errorOutput(content), { type: 'error' }));
        return ops;
      }
      case 'clear_output': {
        if (content.wait === true) {
          this.clearPending = true;
          return [];
        }
        this.clearPending = false;
        this.outputs = [];
        return [{ op: 'clear' }];
      }
      case 'execute_input': {
        if (typeof content.execution_count === 'number') this.effects.push({ effect: 'executionCount', count: content.execution_count });
        return [];
      }
      case 'status': {
        this.effects.push({ effect: 'status', state: String(content.execution_state ?? 'unknown') });
        return [];
      }
      default:
        return [];
    }
  }

  /** Effects gathered since the last call, oldest first. */
  takeEffects(): MessageEffect[] {
    return this.effects.splice(0, this.effects.length);
  }

  private append(output: OutputSpec, tracked: TrackedOutput): OutputOp {
    this.outputs.push(tracked);
    return { op: 'append', output };
  }

  private flushClear(): OutputOp[] {
    if (!this.clearPending) return [];
    this.clearPending = false;
    this.outputs = [];
    return [{ op: 'clear' }];
  }
}
