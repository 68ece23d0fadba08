/**
 * Turns what a cell threw into a Jupyter `error` content: ename, evalue and a traceback whose frames in
 * the cell say "cell line N" rather than positions in tslab's generated JavaScript.
 *
 * tslab emits no source map, so a frame's generated line is matched back to the cell by text: the
 * generated line (types stripped, `exports.x =` added) is compared with every cell line by longest
 * common subsequence; the best match above a threshold wins.
 */
import { inspect } from 'node:util';
import { isInterruptError } from './interrupt';
import type { CellDiagnostic } from './ts_engine';

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

const VM_FILE = 'evalmachine.<anonymous>';

function normalize(line: string): string {
  return line
    .replace(/^\s*exports\.[\w$]+\s*=\s*/, '')
    .replace(/\s+/g, '')
    .replace(/;+$/, '');
}

function lcs(a: string, b: string): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    prev = cur;
  }
  return prev[b.length];
}

/** The 1-based cell line that generated JS line `jsLine` (1-based) came from, if it can be told. */
export function mapGeneratedLine(generated: string, cell: string, jsLine: number): number | undefined {
  const target = normalize(generated.split('\n')[jsLine - 1] ?? '');
  if (target.length === 0) return undefined;
  const lines = cell.split('\n');
  // TypeScript lines are the JS lines plus types: rank by how much of the JS line the cell line
  // contains, then by overall similarity (so `f()` prefers the line `f()` over `function f() {`).
  let best: { line: number; score: number; coverage: number } | undefined;
  lines.forEach((text, i) => {
    const candidate = normalize(text);
    if (candidate.length === 0) return;
    const common = candidate === target ? target.length : lcs(target, candidate);
    const coverage = common / target.length;
    const score = coverage + 0.5 * (common / Math.max(target.length, candidate.length));
    if (!best || score > best.score) best = { line: i + 1, score, coverage };
  });
  return best && best.coverage >= 0.8 ? best.line : undefined;
}

function isKernelFrame(frame: string): boolean {
  return /\((node:|internal\/)|^\s*at (node:|internal\/)|tslab[\\/]dist[\\/]|[\\/]jupyter[\\/](ts_engine|cell_executor|kernel_server|io_channel)\./.test(frame);
}

/** Rewrites a V8 stack: cell frames get cell lines, kernel and Node-internal frames are dropped. */
function cellFrames(stack: string, generated: string | undefined, cell: string): string[] {
  const frames = stack.split('\n').filter((l) => /^\s+at /.test(l));
  const out: string[] = [];
  for (const frame of frames) {
    if (frame.includes(VM_FILE)) {
      const m = /evalmachine\.<anonymous>:(\d+)(?::\d+)?/.exec(frame);
      const line = m && generated ? mapGeneratedLine(generated, cell, Number(m[1])) : undefined;
      if (!line && /^\s*at evalmachine\.<anonymous>:\d+(?::\d+)?$/.test(frame)) continue; // tslab's wrapper of the whole cell
      const where = line ? `cell line ${line}` : 'cell';
      out.push(frame.replace(/evalmachine\.<anonymous>:\d+(?::\d+)?/, where).replace(/^\s*at (Object\.)?<anonymous> \((cell[^)]*)\)/, '    at $2'));
    } else if (!isKernelFrame(frame)) {
      out.push(frame);
    }
  }
  return out;
}

/** The error content for a value thrown by a cell (runtime error or interrupt). */
export function runtimeErrorContent(thrown: unknown, generated: string | undefined, cell: string): ErrorContent {
  if (isInterruptError(thrown)) {
    const e = thrown as { name?: string; message?: string };
    const evalue = e.name === 'InterruptedError' && e.message ? e.message : 'interrupted';
    return {
      ename: 'KeyboardInterrupt',
      evalue,
      traceback: [`KeyboardInterrupt: ${evalue}`, 'The cell was interrupted. Variables defined so far are kept.'],
    };
  }
  if (thrown instanceof Error || (thrown !== null && typeof thrown === 'object' && 'stack' in thrown && 'message' in thrown)) {
    const e = thrown as Error;
    const ename = e.name || e.constructor?.name || 'Error';
    const evalue = String(e.message ?? '');
    const frames = typeof e.stack === 'string' ? cellFrames(e.stack, generated, cell) : [];
    return { ename, evalue, traceback: [`${ename}: ${evalue}`, ...frames] };
  }
  const evalue = inspect(thrown, { depth: 2 });
  return { ename: 'Uncaught', evalue, traceback: [`Uncaught ${evalue}`] };
}

/** The error content for type-check diagnostics. */
export function compileErrorContent(diagnostics: CellDiagnostic[]): ErrorContent {
  const lines = diagnostics.map((d) => `${d.file ? `${d.file} ` : 'cell '}line ${d.line}:${d.column} - ${d.message}`);
  return { ename: 'TypeScriptError', evalue: lines[0] ?? 'compilation failed', traceback: [`TypeScriptError: ${lines.length} error(s)`, ...lines] };
}

/**
 * The error content for an interrupted cell that did not throw an InterruptedError: it stopped on its own
 * at a cancellation check, or (`abandoned`) never reached one and was given up on after the grace period.
 */
export function interruptedContent(abandoned = false): ErrorContent {
  const evalue = abandoned ? 'interrupted (the cell did not reach a cancellation check in time and was abandoned)' : 'interrupted';
  return {
    ename: 'KeyboardInterrupt',
    evalue,
    traceback: [
      `KeyboardInterrupt: ${evalue}`,
      abandoned
        ? 'Work the cell started may still run in the background. Variables defined so far are kept.'
        : 'The cell stopped at an interrupt. Variables defined so far are kept.',
    ],
  };
}
