/**
 * The headless runner: executes every code cell of a notebook through the Jupyter client (the same one
 * the VS Code controller uses), in the notebook's directory, and writes the executed notebook — never
 * over the input. Stops at the first failing cell and names it.
 *
 *   const result = await runNotebook({ input: 'nb.ipynb', outDir: 'out', timeoutS: 600 });
 *   if (result.failed) console.error(result.failed.message);
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { KernelClient } from '../client/kernel_client';
import type { JupyterMessage } from '../wire';
import { renderHtmlReport } from './html_report';
import { readNotebook, serializeNotebook, sourceText, type CodeCell, type Notebook } from './notebook';
import { OutputCollector } from './output_collector';

export interface RunOptions {
  /** The .ipynb to run (read only). */
  input: string;
  /** Where the executed notebook goes; default: the input's directory. */
  outDir?: string;
  /** Per-cell limit in seconds; default 600. */
  timeoutS?: number;
  /** A kernelspec name; default: the alignscope kernel of this package. */
  kernelName?: string;
  /** Also write a self-contained HTML report next to the executed notebook (default true). */
  html?: boolean;
  /** Progress lines ("cell 3/7 …"). */
  onProgress?: (line: string) => void;
}

export interface CellFailure {
  /** 1-based position among all cells. */
  index: number;
  id: string;
  ename: string;
  evalue: string;
  message: string;
}

export interface RunResult {
  /** The executed notebook's path. */
  output: string;
  html?: string;
  cellsRun: number;
  failed?: CellFailure;
}

/** `<out>/<name>.ipynb`, or `<name>.executed.ipynb` when that would be the input itself. */
export function outputPath(input: string, outDir?: string): string {
  const dir = path.resolve(outDir ?? path.dirname(input));
  const base = path.basename(input, '.ipynb');
  const candidate = path.join(dir, `${base}.ipynb`);
  return path.resolve(candidate) === path.resolve(input) ? path.join(dir, `${base}.executed.ipynb`) : candidate;
}

async function runCell(
  kernel: KernelClient,
  cell: CodeCell,
  collector: OutputCollector,
  timeoutS: number,
): Promise<{ reply?: JupyterMessage; timedOut: boolean }> {
  const run = kernel.execute(sourceText(cell.source));
  const state = { clearOnNext: false };
  const consume = (async () => {
    for await (const msg of run.messages) {
      if (msg.header.msg_type === 'execute_input') {
        const n = (msg.content as { execution_count?: unknown }).execution_count;
        if (typeof n === 'number') cell.execution_count = n;
      } else collector.apply(cell.outputs, msg, state);
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutS * 1000);
  });
  try {
    const first = await Promise.race([Promise.all([run.reply, consume]).then(([r]) => r), timeout]);
    if (first !== 'timeout') return { reply: first, timedOut: false };
    // Interrupt, and give the cell a moment to stop and report.
    await kernel.interrupt().catch(() => {});
    const late = await Promise.race([Promise.all([run.reply, consume]).then(([r]) => r), new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000))]);
    return { reply: late, timedOut: true };
  } finally {
    clearTimeout(timer);
  }
}

export async function runNotebook(options: RunOptions): Promise<RunResult> {
  const input = path.resolve(options.input);
  const nb: Notebook = await readNotebook(input);
  const output = outputPath(input, options.outDir);
  const timeoutS = options.timeoutS ?? 600;
  const progress = options.onProgress ?? (() => {});
  const kernel = await KernelClient.launch({ cwd: path.dirname(input), ...(options.kernelName ? { kernelName: options.kernelName } : {}) });
  let failed: CellFailure | undefined;
  let cellsRun = 0;
  try {
    const info = kernel.kernelInfo as { language_info?: Record<string, unknown> };
    nb.metadata.kernelspec = { name: options.kernelName ?? 'alignscope', display_name: 'alignscope (TypeScript)', language: 'typescript' };
    if (info.language_info) nb.metadata.language_info = info.language_info;
    const collector = new OutputCollector();
    const codeCells = nb.cells.filter((c): c is CodeCell => c.cell_type === 'code');
    for (const [i, cell] of nb.cells.entries()) {
      if (cell.cell_type !== 'code') continue;
      const index = i + 1;
      if (sourceText(cell.source).trim() === '') continue;
      progress(`cell ${index}/${nb.cells.length} (code ${codeCells.indexOf(cell) + 1}/${codeCells.length}, id ${cell.id})`);
      const started = Date.now();
      const { reply, timedOut } = await runCell(kernel, cell, collector, timeoutS);
      cellsRun++;
      const content = (reply?.content ?? {}) as { status?: string; ename?: string; evalue?: string };
      if (timedOut || !reply || content.status !== 'ok') {
        const ename = timedOut ? 'CellTimeoutError' : content.ename ?? content.status ?? 'Error';
        const evalue = timedOut ? `the cell did not finish within ${timeoutS} s (interrupted)` : content.evalue ?? '';
        if (timedOut) cell.outputs.push({ output_type: 'error', ename, evalue, traceback: [`${ename}: ${evalue}`] });
        failed = { index, id: cell.id, ename, evalue, message: `cell ${index} (id ${cell.id}) failed: ${ename}: ${evalue}` };
        break;
      }
      progress(`  ok in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    await kernel.shutdown().catch(() => {});
  }
  await fs.mkdir(path.dirname(output), { recursive: true });
  await fs.writeFile(output, serializeNotebook(nb));
  let html: string | undefined;
  if (options.html !== false) {
    html = output.replace(/\.ipynb$/, '.html');
    await fs.writeFile(html, renderHtmlReport(nb, path.basename(input)));
  }
  return { output, ...(html ? { html } : {}), cellsRun, ...(failed ? { failed } : {}) };
}
