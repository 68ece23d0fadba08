/**
 * The manifest (the root package.json) agrees with the code: every contributed
 * command is registered and vice versa, toolbar buttons are scoped to our controller, the renderer
 * entry point is the one media/ builds, and untrusted workspaces are not supported.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const ROOT = path.join(__dirname, '..', '..');
const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
/** What the packaged manifest uses (extension/package/stage.mjs copies these blocks of the root). */
const manifest = Object.fromEntries(['main', 'activationEvents', 'capabilities', 'contributes'].map((k) => [k, root[k]]));

/** Command ids registered in commands.ts (read from the source: importing it needs `vscode`). */
function registeredCommands(): string[] {
  const source = fs.readFileSync(path.join(__dirname, 'commands.ts'), 'utf8');
  return [...source.matchAll(/wrap\('(alignscope\.[A-Za-z]+)'/g)].map((m) => m[1]).sort();
}

test('contributed commands = registered commands, all under the alignscope category', () => {
  const contributed = (manifest.contributes.commands as { command: string; category: string }[]).map((c) => c.command).sort();
  assert.deepEqual(contributed, registeredCommands());
  assert.equal(contributed.length, 8);
  for (const c of manifest.contributes.commands) assert.equal(c.category, 'alignscope');
});

test('toolbar buttons only show for our controller; main, renderer and trust settings', () => {
  for (const item of manifest.contributes.menus['notebook/toolbar']) {
    assert.match(item.when, /notebookKernel == alignscope\.alignscope\/alignscope-kernel/);
  }
  assert.equal(manifest.main, './extension/dist/extension.js');
  assert.deepEqual(manifest.contributes.notebookRenderer[0].mimeTypes, ['application/vnd.alignscope.v1+json']);
  assert.equal(manifest.contributes.notebookRenderer[0].entrypoint, './media/dist/renderer.js');
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, false);
  assert.ok(manifest.activationEvents.includes('onNotebook:jupyter-notebook'));
  assert.deepEqual(manifest.contributes.configuration.properties['alignscope.backend'].enum, ['auto', 'gpu', 'webgpu', 'node', 'wasm', 'cpu']);
});

test('the experiment template is a valid nbformat 4 notebook that asks for the alignscope kernelspec', () => {
  const nb = JSON.parse(fs.readFileSync(path.join(ROOT, 'extension', 'templates', 'alignment-experiment.ipynb'), 'utf8'));
  assert.equal(nb.nbformat, 4);
  assert.equal(nb.metadata.kernelspec.name, 'alignscope');
  assert.ok(nb.cells.some((c: { cell_type: string; source: string }) => c.cell_type === 'code' && c.source.includes("from '@alignscope/kernel'")));
});
