/**
 * One cell on the kernel: sends the code, turns its IOPub messages into outputs of the
 * NotebookCellExecution (through output_mapping.ts) and ends the execution with the reply's status.
 * A kernel that dies meanwhile ends the cell with an error output holding its last log lines.
 */
import * as vscode from 'vscode';
import { lastLines } from './kernel_launch';
import type { ExitInfo, KernelSession } from './kernel_session';
import { CellOutputModel, type OutputItemSpec, type OutputOp, type OutputSpec } from './output_mapping';

/** Runs `code`; resolves true (ok) / false (error, or the kernel died) / undefined (aborted). Ends the execution. */
export async function runOnKernel(
  execution: vscode.NotebookCellExecution,
  session: KernelSession,
  code: string,
  log: (line: string) => void,
): Promise<boolean | undefined> {
  const model = new CellOutputModel();
  const outputs: vscode.NotebookCellOutput[] = [];
  const died = session.exited.then((info) => ({ died: info }) as const);
  try {
    const run = session.client.execute(code, { stopOnError: true });
    const messages = run.messages[Symbol.asyncIterator]();
    for (;;) {
      const next = await Promise.race([messages.next(), died]).catch((e: unknown) => ({ failed: e as Error }) as const);
      if ('died' in next) return await endOnExit(execution, next.died);
      if ('failed' in next) throw next.failed;
      if (next.done) break;
      for (const op of model.apply(next.value)) await perform(execution, outputs, op);
      for (const effect of model.takeEffects()) {
        if (effect.effect === 'executionCount') execution.executionOrder = effect.count;
        if (effect.effect === 'updateElsewhere') log(`[kernel] update for display '${effect.displayId}' of another cell: shown when that cell re-runs`);
      }
    }
    const reply = await Promise.race([run.reply, died]);
    if ('died' in reply) return await endOnExit(execution, reply.died);
    const content = reply.content as { status?: string; execution_count?: number };
    if (typeof content.execution_count === 'number') execution.executionOrder = content.execution_count;
    const ok = content.status === 'ok' ? true : content.status === 'error' ? false : undefined;
    execution.end(ok, Date.now());
    return ok;
  } catch (e) {
    await appendError(execution, 'KernelError', (e as Error).message);
    execution.end(false, Date.now());
    return false;
  }
}

async function endOnExit(execution: vscode.NotebookCellExecution, info: ExitInfo): Promise<false> {
  const how = info.signal ? `signal ${info.signal}` : `exit code ${info.code}`;
  const message = info.expected ? 'the kernel was restarted or shut down while this cell ran' : `the kernel stopped (${how}) while this cell ran`;
  await appendError(execution, info.expected ? 'KernelRestarted' : 'KernelDied', message, lastLines(info.logTail, 12));
  execution.end(false, Date.now());
  return false;
}

/** An error output made by the extension (not the kernel), saved as an nbformat error. */
export async function appendError(execution: vscode.NotebookCellExecution, name: string, message: string, detail = ''): Promise<void> {
  const stack = detail ? `${name}: ${message}\n${detail}` : `${name}: ${message}`;
  await execution.appendOutput(
    new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name, message, stack })], {
      outputType: 'error',
      originalError: { output_type: 'error', ename: name, evalue: message, traceback: stack.split('\n') },
    }),
  );
}

async function perform(execution: vscode.NotebookCellExecution, outputs: vscode.NotebookCellOutput[], op: OutputOp): Promise<void> {
  switch (op.op) {
    case 'append': {
      const output = toOutput(op.output);
      outputs.push(output);
      await execution.appendOutput(output);
      return;
    }
    case 'appendItems':
      await execution.appendOutputItems(op.items.map(toItem), outputs[op.index]);
      return;
    case 'replaceItems':
      await execution.replaceOutputItems(op.items.map(toItem), outputs[op.index]);
      return;
    case 'clear':
      outputs.length = 0;
      await execution.clearOutput();
      return;
  }
}

function toItem(item: OutputItemSpec): vscode.NotebookCellOutputItem {
  switch (item.kind) {
    case 'json':
      return vscode.NotebookCellOutputItem.json(item.value, item.mime);
    case 'text':
      return vscode.NotebookCellOutputItem.text(item.text, item.mime);
    case 'bytes':
      return new vscode.NotebookCellOutputItem(item.bytes, item.mime);
    case 'error':
      return vscode.NotebookCellOutputItem.error(item.error);
  }
}

function toOutput(spec: OutputSpec): vscode.NotebookCellOutput {
  return new vscode.NotebookCellOutput(spec.items.map(toItem), { ...spec.metadata });
}
