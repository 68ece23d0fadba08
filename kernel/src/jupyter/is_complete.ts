/**
 * is_complete_request: would the console run this code now, wait for more lines, or reject it?
 * Parsed with tslab's TypeScript: a parse error exactly at the end ("'}' expected.") means more input
 * can complete it; any other parse error makes it invalid.
 */
import { tslabTypeScript } from './module_resolution';

export type IsCompleteReply = { status: 'complete' } | { status: 'incomplete'; indent: string } | { status: 'invalid' };

interface ParseDiagnostic {
  start?: number;
  length?: number;
  messageText: string | { messageText: string };
}

interface TsParse {
  createSourceFile(name: string, text: string, target: number, setParents?: boolean, kind?: number): { parseDiagnostics?: ParseDiagnostic[] };
  ScriptTarget: { Latest: number };
  ScriptKind: { TS: number };
}

export function isComplete(code: string): IsCompleteReply {
  if (code.trim() === '') return { status: 'complete' };
  const ts = tslabTypeScript() as unknown as TsParse;
  const file = ts.createSourceFile('cell.ts', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const diagnostics = file.parseDiagnostics ?? [];
  if (diagnostics.length === 0) return { status: 'complete' };
  const end = code.length;
  const trailing = code.length - code.trimEnd().length;
  const atEnd = diagnostics.every((d) => (d.start ?? 0) >= end - trailing);
  if (atEnd && !/(^|\n)\s*\n\s*\n\s*$/.test(code)) {
    const lastLine = code.slice(code.lastIndexOf('\n') + 1);
    const indent = (/^\s*/.exec(lastLine)?.[0] ?? '') + (/[{([]\s*$/.test(code) ? '  ' : '');
    return { status: 'incomplete', indent };
  }
  return { status: 'invalid' };
}
