/**
 * Entry point: wires the controller, the status bar and the commands, and pushes their disposables.
 * Everything else lives in its own module (controller.ts owns execution).
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { AlignscopeController } from './controller';
import { KernelStatusBar } from './status_bar';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('alignscope');
  const controller = new AlignscopeController(context.extensionPath, log);
  const statusBar = new KernelStatusBar(controller);
  context.subscriptions.push(log, controller, statusBar, ...registerCommands({ extension: context, controller, log }));
}

export function deactivate(): void {
  // The controller's dispose (via context.subscriptions) shuts the kernels down.
}
