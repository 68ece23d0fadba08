/**
 * The status bar item for the active notebook when our controller runs it: backend, device and kernel
 * state, e.g. `$(circle-filled) alignscope: wasm · CPU: AMD EPYC, 2 cores · idle`. Click → device info.
 */
import * as vscode from 'vscode';
import type { AlignscopeController } from './controller';
import type { KernelState } from './kernel_session';

const ICONS: Record<KernelState | 'none', string> = {
  none: '$(circle-outline)',
  starting: '$(loading~spin)',
  restarting: '$(loading~spin)',
  idle: '$(circle-filled)',
  busy: '$(sync~spin)',
  dead: '$(error)',
};

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export class KernelStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('alignscope.kernelStatus', vscode.StatusBarAlignment.Left, 100);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly controller: AlignscopeController) {
    this.item.name = 'alignscope kernel';
    this.item.command = 'alignscope.showDeviceInfo';
    this.disposables.push(
      this.item,
      controller.onDidChangeSession(() => this.refresh()),
      vscode.window.onDidChangeActiveNotebookEditor(() => this.refresh()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('alignscope.backend')) this.refresh();
      }),
    );
    this.refresh();
  }

  refresh(): void {
    const nb = vscode.window.activeNotebookEditor?.notebook;
    if (!nb || !(this.controller.isSelectedFor(nb) || this.controller.session(nb) || this.controller.prefersUs(nb))) {
      this.item.hide();
      return;
    }
    const session = this.controller.session(nb);
    const state: KernelState | 'none' = session?.state ?? 'none';
    const backend = session?.identity.backend ?? vscode.workspace.getConfiguration('alignscope').get<string>('backend', 'auto');
    const device = session?.identity.device;
    const label = state === 'none' ? 'not started' : state;
    this.item.text = `${ICONS[state]} alignscope: ${backend}${device ? ` · ${shorten(device, 32)}` : ''} · ${label}`;
    this.item.tooltip = session?.identity.banner ?? 'alignscope kernel: starts with the first cell you run';
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
