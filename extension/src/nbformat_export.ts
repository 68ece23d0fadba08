/**
 * Notebook cells as VS Code holds them (items of bytes + output metadata) → an nbformat 4 notebook,
 * for the HTML report. Pure (no `vscode` import): the controller passes plain snapshots. It reads the
 * same metadata the controller writes (see output_mapping.ts) and falls back to guessing from the
 * MIME types for outputs made by other controllers.
 */
import type { Cell, Notebook, Output } from '../../kernel/src/jupyter/runner/notebook';
import { ERROR_MIME, STDERR_MIME, STDOUT_MIME, type OutputMetadata } from './output_mapping';

export interface ItemSnapshot {
  mime: string;
  data: Uint8Array;
}

export interface OutputSnapshot {
  items: ItemSnapshot[];
  metadata?: Partial<OutputMetadata> | Record<string, unknown>;
}

export interface CellSnapshot {
  kind: 'code' | 'markdown';
  source: string;
  executionOrder?: number;
  outputs: OutputSnapshot[];
}

const decoder = new TextDecoder();

function itemValue(item: ItemSnapshot): unknown {
  const text = (): string => decoder.decode(item.data);
  if (item.mime === 'application/json' || /[+/]json$/.test(item.mime)) {
    try {
      return JSON.parse(text());
    } catch {
      return text();
    }
  }
  if (item.mime.startsWith('image/') && item.mime !== 'image/svg+xml') return Buffer.from(item.data).toString('base64');
  return text();
}

function bundle(items: ItemSnapshot[]): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const item of items) data[item.mime] = itemValue(item);
  return data;
}

export function toNbformatOutput(output: OutputSnapshot): Output {
  const meta = (output.metadata ?? {}) as Partial<OutputMetadata>;
  const isStream = output.items.length > 0 && output.items.every((i) => i.mime === STDOUT_MIME || i.mime === STDERR_MIME);
  const isError = output.items.length === 1 && output.items[0].mime === ERROR_MIME;
  const type = meta.outputType ?? (isError ? 'error' : isStream ? 'stream' : 'display_data');
  if (type === 'error') {
    if (meta.originalError) return { ...meta.originalError };
    const err = isError ? (JSON.parse(decoder.decode(output.items[0].data)) as { name?: string; message?: string; stack?: string }) : {};
    return { output_type: 'error', ename: err.name ?? 'Error', evalue: err.message ?? '', traceback: (err.stack ?? '').split('\n') };
  }
  if (type === 'stream') {
    const name = output.items[0]?.mime === STDERR_MIME ? 'stderr' : 'stdout';
    return { output_type: 'stream', name, text: output.items.map((i) => decoder.decode(i.data)).join('') };
  }
  if (type === 'execute_result') {
    return { output_type: 'execute_result', execution_count: meta.executionCount ?? null, data: bundle(output.items), metadata: meta.metadata ?? {} };
  }
  return { output_type: 'display_data', data: bundle(output.items), metadata: meta.metadata ?? {} };
}

export function toNbformat(cells: CellSnapshot[], metadata: Record<string, unknown> = {}): Notebook {
  const out: Cell[] = cells.map((c, i) => {
    const id = `cell-${i}`;
    if (c.kind === 'markdown') return { cell_type: 'markdown', id, source: c.source, metadata: {} };
    return { cell_type: 'code', id, source: c.source, metadata: {}, execution_count: c.executionOrder ?? null, outputs: c.outputs.map(toNbformatOutput) };
  });
  return { nbformat: 4, nbformat_minor: 5, metadata, cells: out };
}
