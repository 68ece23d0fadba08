/** Choosing the kernel's Node binary and spec, and reading a notebook's kernelspec name. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { controllerKernelSpec, kernelRoot, lastLines, notebookKernelspecName, resolveNodeRuntime } from './kernel_launch';
import { identityFrom } from './kernel_session';

describe('kernel launch', () => {
  test('node runtime: setting, then a Node extension host, then node on PATH, then Electron as Node', () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'alignscope-node-'));
    const fakeNode = path.join(bin, 'node');
    fs.writeFileSync(fakeNode, '#!/bin/sh\n', { mode: 0o755 });
    try {
      assert.equal(resolveNodeRuntime({ setting: ' /opt/node ', execPath: '/x', isElectron: true, envPath: bin }).command, '/opt/node');
      assert.deepEqual(resolveNodeRuntime({ execPath: '/usr/bin/node24', isElectron: false, envPath: bin }), { command: '/usr/bin/node24', env: {}, source: 'extension host' });
      assert.deepEqual(resolveNodeRuntime({ execPath: '/app/code', isElectron: true, envPath: `/nonexistent${path.delimiter}${bin}` }), { command: fakeNode, env: {}, source: 'PATH' });
      assert.deepEqual(resolveNodeRuntime({ execPath: '/app/code', isElectron: true, envPath: '/nonexistent' }), { command: '/app/code', env: { ELECTRON_RUN_AS_NODE: '1' }, source: 'electron' });
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });

  test('spec: absolute argv, message interrupts, ALIGNSCOPE_BACKEND only when not auto', () => {
    const runtime = { command: '/n/node', env: { ELECTRON_RUN_AS_NODE: '1' }, source: 'electron' as const };
    const spec = controllerKernelSpec('/ext/k', runtime, 'wasm');
    assert.deepEqual(spec.argv, ['/n/node', path.join('/ext/k', 'dist', 'cli', 'main.js'), 'kernel', '--connection-file', '{connection_file}']);
    assert.equal(spec.interrupt_mode, 'message');
    assert.deepEqual(spec.env, { ELECTRON_RUN_AS_NODE: '1', ALIGNSCOPE_BACKEND: 'wasm' });
    assert.deepEqual(controllerKernelSpec('/ext/k', { ...runtime, env: {} }, 'auto').env, {});
  });

  test('kernel root: the packaged layout first, the workspace-linked package in a checkout; a clear error when not built', () => {
    const repo = path.join(__dirname, '..', '..');
    assert.equal(fs.realpathSync(kernelRoot(repo)), fs.realpathSync(path.join(repo, 'kernel')));
    const ext = fs.mkdtempSync(path.join(os.tmpdir(), 'alignscope-ext-'));
    try {
      assert.throws(() => kernelRoot(ext), /kernel is not built/);
      const packaged = path.join(ext, 'extension', 'node_modules', '@alignscope', 'kernel');
      fs.mkdirSync(path.join(packaged, 'dist', 'cli'), { recursive: true });
      fs.writeFileSync(path.join(packaged, 'dist', 'cli', 'main.js'), '');
      assert.equal(kernelRoot(ext), packaged);
    } finally {
      fs.rmSync(ext, { recursive: true, force: true });
    }
  });

  test('kernelspec name from notebook metadata in both layouts', () => {
    assert.equal(notebookKernelspecName({ metadata: { kernelspec: { name: 'alignscope' } } }), 'alignscope');
    assert.equal(notebookKernelspecName({ custom: { metadata: { kernelspec: { name: 'python3' } } } }), 'python3');
    assert.equal(notebookKernelspecName({}), undefined);
    assert.equal(notebookKernelspecName(undefined), undefined);
  });

  test('identity from kernel_info: the alignscope field, else parsed from the banner', () => {
    assert.deepEqual(identityFrom({ banner: 'b', alignscope: { backend: 'wasm', device: 'CPU: x' } }), { banner: 'b', backend: 'wasm', device: 'CPU: x' });
    const banner = "alignscope 0.1.0 — TypeScript 5\nalignscope backend: cpu (tfjs 'cpu') on CPU: AMD EPYC, 2 cores\nimport …";
    assert.deepEqual(identityFrom({ banner }), { banner, backend: 'cpu', device: 'CPU: AMD EPYC, 2 cores' });
  });

  test('lastLines keeps the last non-empty lines', () => {
    assert.equal(lastLines('a\n\nb\nc\n', 2), 'b\nc');
  });
});
