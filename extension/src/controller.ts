/**
 * The NotebookController "alignscope (TypeScript)" for `.ipynb` (notebook type `jupyter-notebook`):
 * one kernel process per notebook, cells run one after another over the Jupyter protocol, IOPub
 * mapped to outputs by output_mapping.ts. Owns execution, interrupt, restart and crash reporting.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { appendError, runOnKernel } from './cell_execution';
import { controllerKernelSpec, isBackendChoice, kernelRoot, lastLines, notebookKernelspecName, resolveNodeRuntime, type BackendChoice } from './kernel_launch';
import { KernelSession, type ExitInfo, type KernelState } from './kernel_session';

export const CONTROLLER_ID = 'alignscope-kernel';
export const CONTROLLER_LABEL = 'alignscope (TypeScript)';
export const NOTEBOOK_TYPE = 'jupyter-notebook';
/** Notebooks whose kernelspec has one of these names prefer our controller. */
export const OUR_KERNELSPECS = ['alignscope'];
const INTERRUPT_GRACE_MS = 10_000;

interface Running {
  execution: vscode.NotebookCellExecution;
  interruptedAt?: number;
}

export interface SessionChange {
  notebook: vscode.NotebookDocument;
  state: KernelState | 'none';
}

export class AlignscopeController implements vscode.Disposable {
  readonly controller: vscode.NotebookController;
  private readonly sessions = new Map<string, KernelSession>();
  private readonly starting = new Map<string, Promise<KernelSession>>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly running = new Map<string, Running>();
  private readonly selected = new Set<string>();
  private readonly changed = new vscode.EventEmitter<SessionChange>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Fires when a notebook's kernel starts, changes state or stops. */
  readonly onDidChangeSession = this.changed.event;

  constructor(
    private readonly extensionPath: string,
    private readonly log: vscode.OutputChannel,
  ) {
    this.controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, CONTROLLER_LABEL);
    this.controller.supportedLanguages = ['typescript', 'javascript'];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'TypeScript + TF.js kernel';
    this.controller.detail = 'alignscope: optimal transport, alignment models, inline plots';
    this.controller.executeHandler = (cells, notebook, controller) => this.execute(cells, notebook, controller);
    this.controller.interruptHandler = (notebook) => this.interrupt(notebook);
    this.disposables.push(
      this.controller,
      this.changed,
      this.controller.onDidChangeSelectedNotebooks(({ notebook, selected }) => {
        const key = notebook.uri.toString();
        if (selected) this.selected.add(key);
        else {
          this.selected.delete(key);
          void this.shutdown(notebook);
        }
        this.changed.fire({ notebook, state: this.sessions.get(key)?.state ?? 'none' });
      }),
      vscode.workspace.onDidOpenNotebookDocument((nb) => this.preferForOurKernelspec(nb)),
      vscode.workspace.onDidCloseNotebookDocument((nb) => void this.shutdown(nb)),
    );
    for (const nb of vscode.workspace.notebookDocuments) this.preferForOurKernelspec(nb);
  }

  /** True for `.ipynb` notebooks saved with our kernelspec. */
  prefersUs(nb: vscode.NotebookDocument): boolean {
    if (nb.notebookType !== NOTEBOOK_TYPE) return false;
    const name = notebookKernelspecName(nb.metadata as Record<string, unknown>);
    return name !== undefined && OUR_KERNELSPECS.includes(name);
  }

  /** Preferred affinity for notebooks saved with our kernelspec (so VS Code picks us without asking). */
  preferForOurKernelspec(nb: vscode.NotebookDocument): void {
    if (this.prefersUs(nb)) this.controller.updateNotebookAffinity(nb, vscode.NotebookControllerAffinity.Preferred);
  }

  isSelectedFor(nb: vscode.NotebookDocument): boolean {
    return this.selected.has(nb.uri.toString());
  }

  session(nb: vscode.NotebookDocument): KernelSession | undefined {
    return this.sessions.get(nb.uri.toString());
  }

  /** Any running session (for commands run without an active notebook). */
  anySession(): KernelSession | undefined {
    return [...this.sessions.values()][0];
  }


  private backend(): BackendChoice {
    const value = vscode.workspace.getConfiguration('alignscope').get<string>('backend', 'auto');
    return isBackendChoice(value) ? value : 'auto';
  }

  private spec() {
    const config = vscode.workspace.getConfiguration('alignscope');
    const runtime = resolveNodeRuntime({
      setting: config.get<string>('kernel.nodePath', ''),
      execPath: process.execPath,
      isElectron: typeof process.versions.electron === 'string',
      envPath: process.env.PATH,
    });
    return controllerKernelSpec(kernelRoot(this.extensionPath), runtime, this.backend());
  }

  private kernelCwd(nb: vscode.NotebookDocument): string {
    if (nb.uri.scheme === 'file') {
      const dir = path.dirname(nb.uri.fsPath);
      if (fs.existsSync(dir)) return dir;
    }
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
  }

  private async ensureSession(nb: vscode.NotebookDocument): Promise<KernelSession> {
    const key = nb.uri.toString();
    const existing = this.sessions.get(key);
    if (existing && existing.state !== 'dead') return existing;
    const pending = this.starting.get(key);
    if (pending) return pending;
    const start = (async () => {
      const spec = this.spec();
      this.log.appendLine(`[kernel] starting for ${nb.uri.toString(true)}: ${spec.argv.join(' ')} (backend ${this.backend()})`);
      this.changed.fire({ notebook: nb, state: 'starting' });
      const session = await KernelSession.start({
        spec,
        cwd: this.kernelCwd(nb),
        onLog: (text) => this.log.append(text),
        startupTimeoutMs: vscode.workspace.getConfiguration('alignscope').get<number>('kernel.startupTimeoutSeconds', 120) * 1000,
      });
      session.onState((state) => this.changed.fire({ notebook: nb, state }));
      session.onExit((info) => this.reportExit(nb, info));
      this.sessions.set(key, session);
      this.changed.fire({ notebook: nb, state: session.state });
      this.log.appendLine(`[kernel] ready: ${session.identity.backend ?? '?'} on ${session.identity.device ?? '?'}`);
      return session;
    })();
    this.starting.set(key, start);
    try {
      return await start;
    } catch (e) {
      this.changed.fire({ notebook: nb, state: 'dead' });
      throw e;
    } finally {
      this.starting.delete(key);
    }
  }

  private reportExit(nb: vscode.NotebookDocument, info: ExitInfo): void {
    this.changed.fire({ notebook: nb, state: 'dead' });
    if (info.expected) return;
    const how = info.signal ? `signal ${info.signal}` : `exit code ${info.code}`;
    const tail = lastLines(info.logTail, 8);
    this.log.appendLine(`[kernel] crashed (${how}). Last log lines:\n${tail}`);
    void vscode.window
      .showErrorMessage(`alignscope: the kernel stopped (${how}). Last log lines:\n${tail || '(no output)'}`, 'Restart Kernel', 'Show Log')
      .then((choice) => {
        if (choice === 'Restart Kernel') void this.restart(nb);
        if (choice === 'Show Log') this.log.show(true);
      });
  }

  async restart(nb: vscode.NotebookDocument): Promise<void> {
    const session = this.sessions.get(nb.uri.toString());
    if (!session) {
      await this.ensureSession(nb);
      return;
    }
    this.log.appendLine(`[kernel] restarting (backend ${this.backend()})`);
    await session.restart({ spec: this.spec() });
    this.changed.fire({ notebook: nb, state: session.state });
    this.log.appendLine(`[kernel] ready: ${session.identity.backend ?? '?'} on ${session.identity.device ?? '?'}`);
  }

  async shutdown(nb: vscode.NotebookDocument): Promise<void> {
    const key = nb.uri.toString();
    const session = this.sessions.get(key);
    if (!session) return;
    this.sessions.delete(key);
    await session.shutdown();
    this.changed.fire({ notebook: nb, state: 'none' });
  }


  private async execute(cells: vscode.NotebookCell[], nb: vscode.NotebookDocument, controller: vscode.NotebookController): Promise<void> {
    const key = nb.uri.toString();
    // Executions are created now so the cells show as queued; they run one after another.
    const executions = cells.map((cell) => {
      try {
        return controller.createNotebookCellExecution(cell);
      } catch {
        return undefined; // already running
      }
    });
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.runCells(nb, executions));
    this.queues.set(key, run.catch(() => {}));
    await run;
  }

  private async runCells(nb: vscode.NotebookDocument, executions: (vscode.NotebookCellExecution | undefined)[]): Promise<void> {
    let stop = false;
    for (const execution of executions) {
      if (!execution) continue;
      if (stop || execution.token.isCancellationRequested) {
        execution.start();
        execution.end(undefined);
        continue;
      }
      const ok = await this.runCell(nb, execution);
      if (ok === false) stop = true; // Jupyter's stop_on_error: the queued cells are not run
    }
  }

  /** Runs one cell; resolves true / false (error) / undefined (interrupted or not run). */
  private async runCell(nb: vscode.NotebookDocument, execution: vscode.NotebookCellExecution): Promise<boolean | undefined> {
    const code = execution.cell.document.getText();
    execution.start(Date.now());
    await execution.clearOutput();
    if (code.trim() === '') {
      execution.end(undefined, Date.now());
      return undefined;
    }
    let session: KernelSession;
    try {
      session = await this.ensureSession(nb);
    } catch (e) {
      await appendError(execution, 'KernelStartError', `the alignscope kernel did not start: ${(e as Error).message}`);
      execution.end(false, Date.now());
      void vscode.window.showErrorMessage(`alignscope: the kernel did not start. ${(e as Error).message.split('\n')[0]}`, 'Show Log').then((c) => {
        if (c === 'Show Log') this.log.show(true);
      });
      return false;
    }
    const key = nb.uri.toString();
    this.running.set(key, { execution });
    const cancel = execution.token.onCancellationRequested(() => void this.interrupt(nb));
    try {
      return await runOnKernel(execution, session, code, (line) => this.log.appendLine(line));
    } finally {
      cancel.dispose();
      if (this.running.get(key)?.execution === execution) this.running.delete(key);
    }
  }

  /** interrupt_request; after 10 s without the cell ending, offers a restart. */
  async interrupt(nb: vscode.NotebookDocument): Promise<void> {
    const key = nb.uri.toString();
    const session = this.sessions.get(key);
    const running = this.running.get(key);
    if (!session || !running) return;
    if (running.interruptedAt !== undefined) return;
    running.interruptedAt = Date.now();
    this.log.appendLine('[kernel] interrupt_request');
    try {
      await session.interrupt();
    } catch (e) {
      this.log.appendLine(`[kernel] interrupt failed: ${(e as Error).message}`);
    }
    setTimeout(() => {
      if (this.running.get(key) !== running) return;
      void vscode.window
        .showWarningMessage(`alignscope: the kernel has not stopped ${INTERRUPT_GRACE_MS / 1000} s after the interrupt. Restart it? (Variables are lost.)`, 'Restart Kernel')
        .then((choice) => {
          if (choice === 'Restart Kernel') void this.restart(nb);
        });
    }, INTERRUPT_GRACE_MS).unref?.();
  }

  dispose(): void {
    for (const session of this.sessions.values()) void session.shutdown();
    this.sessions.clear();
    for (const d of this.disposables) d.dispose();
  }
}
