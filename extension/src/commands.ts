/**
 * The contributed commands (ids as in the root package.json manifest). Each is a small function over the
 * controller; registration is in `registerCommands`.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { renderHtmlReport } from '../../kernel/src/jupyter/runner/html_report';
import type { AlignscopeController } from './controller';
import { BACKEND_CHOICES, kernelRoot, resolveNodeRuntime, type BackendChoice } from './kernel_launch';
import { toNbformat, type CellSnapshot } from './nbformat_export';
import { listExamples, openCopy, targetNotebook } from './notebook_files';

const BACKEND_DETAIL: Record<BackendChoice, string> = {
  auto: 'the first that works: gpu → webgpu → node → wasm → cpu',
  gpu: '@tensorflow/tfjs-node-gpu (CUDA)',
  webgpu: 'WebGPU over Dawn (Vulkan/Metal/D3D12)',
  node: '@tensorflow/tfjs-node (libtensorflow, CPU)',
  wasm: 'WebAssembly (embedded, SIMD)',
  cpu: 'pure JavaScript (slow, always available)',
};

export interface CommandContext {
  extension: vscode.ExtensionContext;
  controller: AlignscopeController;
  log: vscode.OutputChannel;
}

async function newExperiment(c: CommandContext): Promise<void> {
  const template = path.join(c.extension.extensionPath, 'extension', 'templates', 'alignment-experiment.ipynb');
  await openCopy(template, c.controller.controller, c.extension.extension.id);
}

async function openExamples(c: CommandContext): Promise<void> {
  const examples = listExamples(c.extension.extensionPath);
  if (examples.length === 0) {
    void vscode.window.showInformationMessage('alignscope: no example notebooks are installed; opening the experiment template.');
    await newExperiment(c);
    return;
  }
  const pick = await vscode.window.showQuickPick(
    examples.map((e) => ({ label: e.title, description: path.basename(e.file), example: e })),
    { title: 'alignscope: Open Example Notebook', placeHolder: 'opens an untitled copy' },
  );
  if (pick) await openCopy(pick.example.file, c.controller.controller, c.extension.extension.id);
}

async function selectBackend(c: CommandContext): Promise<void> {
  const config = vscode.workspace.getConfiguration('alignscope');
  const current = config.get<string>('backend', 'auto');
  const pick = await vscode.window.showQuickPick(
    BACKEND_CHOICES.map((b) => ({ label: b, description: b === current ? '(current)' : '', detail: BACKEND_DETAIL[b] })),
    { title: 'alignscope: Select Compute Backend', placeHolder: `current: ${current}; applied when the kernel (re)starts` },
  );
  if (!pick) return;
  await config.update('backend', pick.label, vscode.ConfigurationTarget.Global);
  const nb = targetNotebook(undefined);
  if (nb && c.controller.session(nb)) {
    const choice = await vscode.window.showInformationMessage(`alignscope: backend set to '${pick.label}'. Restart the kernel to apply it? (Variables are lost.)`, 'Restart Kernel');
    if (choice === 'Restart Kernel') await c.controller.restart(nb);
  } else {
    void vscode.window.showInformationMessage(`alignscope: backend set to '${pick.label}'; the next kernel start uses it.`);
  }
}

function showDeviceInfo(c: CommandContext): void {
  const nb = targetNotebook(undefined);
  const session = (nb && c.controller.session(nb)) ?? c.controller.anySession();
  const setting = vscode.workspace.getConfiguration('alignscope').get<string>('backend', 'auto');
  if (!session) {
    void vscode.window.showInformationMessage(`alignscope: no kernel is running (backend setting: ${setting}). Run a cell to start one.`);
    return;
  }
  const id = session.identity;
  c.log.appendLine(`[device] ${id.banner ?? ''}`);
  const what = id.backend ? `backend ${id.backend}${id.device ? ` on ${id.device}` : ''}` : `no backend (${id.error ?? 'unknown'})`;
  void vscode.window.showInformationMessage(`alignscope kernel: ${what} (setting: ${setting}, state: ${session.state})`, 'Show Log').then((choice) => {
    if (choice === 'Show Log') c.log.show(true);
  });
}

async function restartKernel(c: CommandContext, arg: unknown): Promise<void> {
  const nb = targetNotebook(arg);
  if (!nb) {
    void vscode.window.showWarningMessage('alignscope: open a notebook first.');
    return;
  }
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'alignscope: restarting the kernel…' }, () => c.controller.restart(nb));
}

async function interruptKernel(c: CommandContext, arg: unknown): Promise<void> {
  const nb = targetNotebook(arg);
  if (nb) await c.controller.interrupt(nb);
}

async function installKernel(c: CommandContext): Promise<void> {
  const root = kernelRoot(c.extension.extensionPath);
  const runtime = resolveNodeRuntime({
    setting: vscode.workspace.getConfiguration('alignscope').get<string>('kernel.nodePath', ''),
    execPath: process.execPath,
    isElectron: typeof process.versions.electron === 'string',
    envPath: process.env.PATH,
  });
  const args = [path.join(root, 'dist', 'cli', 'main.js'), 'kernel', 'install', '--user'];
  c.log.appendLine(`[kernelspec] ${runtime.command} ${args.join(' ')}`);
  const result = await new Promise<{ ok: boolean; text: string }>((resolve) => {
    execFile(runtime.command, args, { env: { ...process.env, ...runtime.env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ ok: !error, text: `${stdout}${stderr}${error && !stderr ? error.message : ''}`.trim() });
    });
  });
  c.log.appendLine(result.text);
  if (!result.ok) {
    void vscode.window.showErrorMessage(`alignscope: installing the Jupyter kernel failed: ${result.text.split('\n').pop() ?? ''}`, 'Show Log').then((x) => {
      if (x === 'Show Log') c.log.show(true);
    });
    return;
  }
  const note = runtime.source === 'electron' ? ' Note: no `node` was found on PATH; set alignscope.kernel.nodePath and install again for Jupyter to start it.' : '';
  void vscode.window.showInformationMessage(`alignscope: Jupyter kernel 'alignscope' installed. ${result.text.split('\n')[0]}${note}`);
}

async function exportHtml(c: CommandContext, arg: unknown): Promise<void> {
  const nb = targetNotebook(arg);
  if (!nb) {
    void vscode.window.showWarningMessage('alignscope: open a notebook to export.');
    return;
  }
  const cells: CellSnapshot[] = nb.getCells().map((cell) => ({
    kind: cell.kind === vscode.NotebookCellKind.Markup ? 'markdown' : 'code',
    source: cell.document.getText(),
    executionOrder: cell.executionSummary?.executionOrder,
    outputs: cell.outputs.map((o) => ({ items: o.items.map((i) => ({ mime: i.mime, data: i.data })), metadata: o.metadata })),
  }));
  const title = path.basename(nb.uri.path).replace(/\.ipynb$/, '') || 'alignscope report';
  const html = renderHtmlReport(toNbformat(cells), title);
  let target: vscode.Uri | undefined =
    nb.uri.scheme === 'file' ? vscode.Uri.file(nb.uri.fsPath.replace(/\.ipynb$/, '') + '.html') : undefined;
  if (!target) target = await vscode.window.showSaveDialog({ filters: { HTML: ['html'] }, saveLabel: 'Export report' });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(html));
  c.log.appendLine(`[export] ${target.toString(true)} (${html.length} chars)`);
  const choice = await vscode.window.showInformationMessage(`alignscope: report written to ${target.fsPath}`, 'Open');
  if (choice === 'Open') await vscode.env.openExternal(target);
}

export function registerCommands(c: CommandContext): vscode.Disposable[] {
  const wrap = (name: string, fn: (arg: unknown) => unknown) =>
    vscode.commands.registerCommand(name, async (arg: unknown) => {
      try {
        await fn(arg);
      } catch (e) {
        c.log.appendLine(`[${name}] ${(e as Error).stack ?? String(e)}`);
        void vscode.window.showErrorMessage(`alignscope: ${(e as Error).message}`);
      }
    });
  return [
    wrap('alignscope.newExperiment', () => newExperiment(c)),
    wrap('alignscope.openExamples', () => openExamples(c)),
    wrap('alignscope.selectBackend', () => selectBackend(c)),
    wrap('alignscope.showDeviceInfo', () => showDeviceInfo(c)),
    wrap('alignscope.restartKernel', (arg) => restartKernel(c, arg)),
    wrap('alignscope.interruptKernel', (arg) => interruptKernel(c, arg)),
    wrap('alignscope.installKernel', () => installKernel(c)),
    wrap('alignscope.exportHtml', (arg) => exportHtml(c, arg)),
  ];
}

/** For tests and the README: every command id this module registers. */
export const COMMAND_IDS = [
  'alignscope.newExperiment',
  'alignscope.openExamples',
  'alignscope.selectBackend',
  'alignscope.showDeviceInfo',
  'alignscope.restartKernel',
  'alignscope.interruptKernel',
  'alignscope.installKernel',
  'alignscope.exportHtml',
] as const;

