/**
 * Opening notebooks shipped with the extension (the experiment template, the examples) as untitled
 * copies — the user's edits and outputs never land in the extension's install directory — with our
 * controller preferred and selected.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONTROLLER_ID, NOTEBOOK_TYPE } from './controller';

interface IpynbCell {
  cell_type: string;
  source: string | string[];
}

interface Ipynb {
  metadata?: Record<string, unknown>;
  nbformat?: number;
  nbformat_minor?: number;
  cells?: IpynbCell[];
}

const text = (source: string | string[]): string => (Array.isArray(source) ? source.join('') : source);

/** The notebook's cells and metadata (outputs dropped) as NotebookData for the `jupyter-notebook` type. */
export function notebookDataFrom(file: string): vscode.NotebookData {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as Ipynb;
  const cells = (nb.cells ?? []).map((c) =>
    c.cell_type === 'markdown'
      ? new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, text(c.source), 'markdown')
      : new vscode.NotebookCellData(vscode.NotebookCellKind.Code, text(c.source), 'typescript'),
  );
  const data = new vscode.NotebookData(cells);
  const metadata = nb.metadata ?? {};
  // VS Code ≥ 1.88 keeps nbformat metadata at the top level; older versions under `custom`.
  data.metadata = { nbformat: 4, nbformat_minor: nb.nbformat_minor ?? 5, metadata, custom: { nbformat: 4, nbformat_minor: nb.nbformat_minor ?? 5, metadata } };
  return data;
}

/** Opens `file` as an untitled notebook and selects the alignscope controller for it. */
export async function openCopy(file: string, controller: vscode.NotebookController, extensionId: string): Promise<vscode.NotebookEditor> {
  const doc = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, notebookDataFrom(file));
  controller.updateNotebookAffinity(doc, vscode.NotebookControllerAffinity.Preferred);
  const editor = await vscode.window.showNotebookDocument(doc);
  try {
    await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, id: CONTROLLER_ID, extension: extensionId });
  } catch {
    // older VS Code: the Preferred affinity still puts us first in the picker
  }
  return editor;
}

export interface Example {
  file: string;
  title: string;
}

/** Example notebooks shipped in `<extension>/notebooks` (title: the first markdown heading). */
export function listExamples(extensionPath: string): Example[] {
  const dir = path.join(extensionPath, 'notebooks');
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.ipynb')).sort();
  } catch {
    return [];
  }
  return names.map((name) => {
    const file = path.join(dir, name);
    let title = name;
    try {
      const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as Ipynb;
      const md = nb.cells?.find((c) => c.cell_type === 'markdown');
      const heading = md ? /^#+\s*(.+)$/m.exec(text(md.source)) : null;
      if (heading) title = heading[1].trim();
    } catch {
      // keep the file name
    }
    return { file, title };
  });
}

/** The notebook a command is about: the toolbar's argument, else the active notebook editor. */
export function targetNotebook(arg: unknown): vscode.NotebookDocument | undefined {
  const a = arg as { notebookEditor?: { notebookUri?: vscode.Uri }; notebookUri?: vscode.Uri; uri?: vscode.Uri; notebook?: vscode.NotebookDocument } | undefined;
  const uri = a?.notebookEditor?.notebookUri ?? a?.notebookUri ?? a?.notebook?.uri ?? (a?.uri instanceof vscode.Uri ? a.uri : undefined);
  if (uri) {
    const doc = vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc) return doc;
  }
  return vscode.window.activeNotebookEditor?.notebook;
}
