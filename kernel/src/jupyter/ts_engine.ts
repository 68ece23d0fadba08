/**
 * The TypeScript engine: tslab's converter (TS → JS with type checking, state across cells, top-level
 * await) and executor (runs the JS in this process with `vm` and breakOnSigint), wrapped so that
 *   - a cell's declarations stay known to later cells even when the cell threw or was interrupted
 *     (tslab forgets them; a researcher who interrupts a loop still wants its variables);
 *   - the last expression's value and the cell's errors come back as values, not console text.
 *
 * tslab's converter/executor are internal modules of tslab 1.0.22 (pinned); tests cover what we use.
 */
import { createConverter, type Converter } from 'tslab/dist/converter';
import { expandShorthandProperties } from './expand_shorthand';
import { createExecutor, type Executor } from 'tslab/dist/executor';
import { addRuntimeFallback, addTypeCheckFallback, fallbackNodeModules } from './module_resolution';

/** A compile (type-check) diagnostic, 1-based line/column in the cell. */
export interface CellDiagnostic {
  file?: string;
  line: number;
  column: number;
  message: string;
}

export type CellOutcome =
  | { kind: 'ok'; hasValue: boolean; value?: unknown }
  | { kind: 'compile-error'; diagnostics: CellDiagnostic[] }
  | { kind: 'runtime-error'; error: unknown; /** tslab's generated JS of the cell, for line mapping. */ generated?: string };

export interface CompletionResult {
  start: number;
  end: number;
  matches: string[];
}

export interface TsEngine {
  /** Transpiles, type-checks and runs one cell. Synchronous code runs before the promise is returned. */
  execute(src: string): Promise<CellOutcome>;
  complete(src: string, cursor: number): CompletionResult;
  /** Quick info (type and doc) at the cursor, or undefined. */
  inspect(src: string, cursor: number): string | undefined;
  /** Abandons the awaiting cell (its promise rejects with "Interrupted asynchronously"). */
  abandonAsync(): void;
  close(): void;
}

interface Capture {
  value?: { v: unknown };
  errors: unknown[][];
}

function toDiagnostic(args: unknown[]): CellDiagnostic | undefined {
  // tslab prints diagnostics as console.error("%s%d:%d - %s", fileName + " " | "", line, col, message).
  if (args.length !== 5 || args[0] !== '%s%d:%d - %s') return undefined;
  const file = String(args[1]).trim();
  return { ...(file ? { file } : {}), line: Number(args[2]), column: Number(args[3]), message: String(args[4]) };
}

function displayParts(parts: unknown): string {
  return Array.isArray(parts) ? parts.map((p) => (p as { text?: string }).text ?? '').join('') : '';
}

/** Creates the engine rooted at process.cwd() (the notebook's directory). */
export function createTsEngine(): TsEngine {
  const cwd = process.cwd();
  const fallback = fallbackNodeModules();
  addRuntimeFallback(fallback);
  addTypeCheckFallback(cwd, fallback);

  const inner = createConverter({ isJS: false, isBrowser: false });
  // We own the declarations carried between cells (see file comment): every converter call gets ours.
  let decls = '';
  let generated: string | undefined;
  const node: Converter = {
    convert: (_prev, src) => {
      const result = inner.convert(decls, expandShorthandProperties(src));
      generated = result.output;
      if (result.diagnostics.length === 0) decls = result.declOutput ?? '';
      return result;
    },
    inspect: (_prev, src, pos) => inner.inspect(decls, src, pos),
    complete: (_prev, src, pos) => inner.complete(decls, src, pos),
    close: () => inner.close(),
    addModule: (name, content, meta) => inner.addModule(name, content, meta),
  };

  let capture: Capture = { errors: [] };
  const executor: Executor = createExecutor(cwd, { node, browser: node, close: () => node.close() }, {
    // tslab hands the last expression's value to log, and thrown values / diagnostics to error.
    log: (value?: unknown) => {
      capture.value = { v: value };
    },
    error: (...args: unknown[]) => {
      capture.errors.push(args);
    },
  });

  return {
    async execute(src: string): Promise<CellOutcome> {
      const mine: Capture = { errors: [] };
      capture = mine;
      generated = undefined;
      const ok = await executor.execute(src);
      if (ok) return mine.value ? { kind: 'ok', hasValue: true, value: mine.value.v } : { kind: 'ok', hasValue: false };
      const diagnostics = mine.errors.map(toDiagnostic).filter((d): d is CellDiagnostic => d !== undefined);
      if (diagnostics.length > 0) return { kind: 'compile-error', diagnostics };
      const thrown = mine.errors.find((args) => args.length === 1);
      return { kind: 'runtime-error', error: thrown ? thrown[0] : new Error('the cell failed'), generated };
    },
    complete(src: string, cursor: number): CompletionResult {
      const info = executor.complete(src, cursor);
      return { start: info.start, end: info.end, matches: info.candidates };
    },
    inspect(src: string, cursor: number): string | undefined {
      const info = executor.inspect(src, cursor) as unknown as { displayParts?: unknown; documentation?: unknown } | undefined;
      if (!info) return undefined;
      const signature = displayParts(info.displayParts);
      const doc = displayParts(info.documentation);
      return doc ? `${signature}\n\n${doc}` : signature;
    },
    abandonAsync: () => executor.interrupt(),
    close: () => executor.close(),
  };
}
