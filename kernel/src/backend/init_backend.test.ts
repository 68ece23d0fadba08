import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { formatBackendReport } from './backend_report';
import { backendReport, initBackend } from './init_backend';
import { probeWebgpuAdapter } from './loaders/webgpu';

const run = promisify(execFile);
const CHILD = path.join(__dirname, 'test_support', 'init_backend_child.ts');

/** initBackend in a fresh process with `env` added; returns its report or error message. */
async function initInChild(env: Record<string, string>): Promise<{ ok: boolean; message?: string; report?: { backend: string } }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line);
}

/** Runs `fn` with ALIGNSCOPE_BACKEND set (or unset), restoring it afterwards. */
async function withEnv<T>(value: string | undefined, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.ALIGNSCOPE_BACKEND;
  if (value === undefined) delete process.env.ALIGNSCOPE_BACKEND;
  else process.env.ALIGNSCOPE_BACKEND = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.ALIGNSCOPE_BACKEND;
    else process.env.ALIGNSCOPE_BACKEND = saved;
  }
}

describe('initBackend', () => {
  test('forced wasm: runs on wasm and says so', async () => {
    const lines: string[] = [];
    const report = await initBackend({ backend: 'wasm', log: (l) => lines.push(l) });
    assert.equal(report.backend, 'wasm');
    assert.equal(report.tfBackend, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(report.forced, true);
    assert.deepEqual(report.skipped, []);
    assert.match(report.device, /^CPU: .*WebAssembly/);
    assert.equal(report.adapter, undefined);
    assert.deepEqual(backendReport(), report);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /alignscope backend: wasm/);
  });

  test('forced cpu through ALIGNSCOPE_BACKEND', async () => {
    const report = await withEnv('cpu', () => initBackend({ log: null }));
    assert.equal(report.backend, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
    assert.equal(report.forced, true);
    assert.match(report.device, /pure JavaScript/);
  });

  test('the option wins over ALIGNSCOPE_BACKEND', async () => {
    const report = await withEnv('cpu', () => initBackend({ backend: 'wasm', log: null }));
    assert.equal(report.backend, 'wasm');
  });

  test('an invalid ALIGNSCOPE_BACKEND names the variable, the value and the choices', async () => {
    await withEnv('tpu', () =>
      assert.rejects(initBackend({ log: null }), (e: Error) => {
        assert.match(e.message, /ALIGNSCOPE_BACKEND/);
        assert.match(e.message, /'tpu'/);
        assert.match(e.message, /auto, gpu, webgpu, node, wasm, cpu/);
        return true;
      }),
    );
  });

  test('an invalid option names the option and the value', async () => {
    await assert.rejects(initBackend({ backend: 'cuda' as never, log: null }), /option `backend`.*'cuda'/);
  });

  test('a forced unavailable backend says what is missing and how to get it', async () => {
    await assert.rejects(initBackend({ backend: 'node', log: null }), (e: Error) => {
      assert.match(e.message, /'node' was forced \(initBackend\(\{ backend: 'node' \}\)\)/);
      assert.match(e.message, /@tensorflow\/tfjs-node/);
      assert.match(e.message, /npm install @tensorflow\/tfjs-node/);
      return true;
    });
    await withEnv('gpu', () =>
      assert.rejects(initBackend({ log: null }), (e: Error) => {
        assert.match(e.message, /ALIGNSCOPE_BACKEND=gpu/);
        assert.match(e.message, /tfjs-node-gpu/);
        return true;
      }),
    );
  });

  test('auto reports every skipped backend with a reason, and never picks a software adapter', async () => {
    const report = await initBackend({ backend: 'auto', log: null });
    assert.equal(report.forced, false);
    const order = ['gpu', 'webgpu', 'node', 'wasm', 'cpu'];
    const skippedNames = report.skipped.map((s) => s.name);
    assert.deepEqual(skippedNames, order.slice(0, order.indexOf(report.backend)));
    for (const s of report.skipped) assert.ok(s.reason.length > 20, `${s.name}: reason '${s.reason}' too short`);
    const probe = await probeWebgpuAdapter();
    if (!('reason' in probe) && probe.software) {
      assert.notEqual(report.backend, 'webgpu');
      const webgpu = report.skipped.find((s) => s.name === 'webgpu');
      assert.match(webgpu?.reason ?? '', /software WebGPU adapter.*auto never picks it.*ALIGNSCOPE_BACKEND=webgpu/);
    }
    const text = formatBackendReport(report);
    for (const s of report.skipped) assert.ok(text.includes(`- ${s.name}: `));
  });

  test('forced webgpu: runs on the adapter and names vendor, architecture, device and driver', async (t) => {
    const probe = await probeWebgpuAdapter();
    if ('reason' in probe) {
      if (process.env.CI === 'true') assert.fail(`webgpu is required under CI=true: ${probe.reason}`);
      t.skip(`no WebGPU adapter: ${probe.reason}`);
      return;
    }
    const report = await initBackend({ backend: 'webgpu', log: null });
    assert.equal(report.backend, 'webgpu');
    assert.equal(report.tfBackend, 'webgpu');
    assert.equal(tf.getBackend(), 'webgpu');
    const adapter = report.adapter!;
    assert.ok(adapter, 'report.adapter is set');
    for (const field of ['vendor', 'architecture', 'device', 'driver'] as const) {
      assert.ok(adapter[field].length > 0, `adapter.${field} is empty`);
      assert.ok(report.device.includes(adapter[field]), `device line names the ${field}`);
    }
    if (adapter.software) assert.match(report.device, /software/);
    t.diagnostic(report.device);
    const sum = tf.tidy(() => tf.sum(tf.matMul(tf.ones([64, 64]), tf.ones([64, 64]))).dataSync()[0]);
    assert.equal(sum, 64 * 64 * 64);
  });

  test('forced webgpu without a Vulkan driver says what is missing and how to get it', async (t) => {
    const probe = await probeWebgpuAdapter();
    if ('reason' in probe && /npm package 'webgpu'/.test(probe.reason)) {
      t.skip('the webgpu package is not installed');
      return;
    }
    const result = await initInChild({ ALIGNSCOPE_BACKEND: 'webgpu', VK_DRIVER_FILES: '/nonexistent/icd.json', VK_ICD_FILENAMES: '' });
    assert.equal(result.ok, false);
    assert.match(result.message!, /'webgpu' was forced \(ALIGNSCOPE_BACKEND=webgpu\)/);
    assert.match(result.message!, /no Vulkan (driver|loader)/);
    assert.match(result.message!, /mesa-vulkan-drivers/);
    assert.match(result.message!, /NVIDIA/);
  });
});
