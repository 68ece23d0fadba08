/**
 * KernelSession against the real kernel process (no VS Code): start, identity from kernel_info, a cell,
 * a crash reported as an unexpected exit with the log tail, restart with another backend, shutdown
 * reported as expected. Uses the built kernel (kernel/dist) and the cpu backend (fast to start).
 */
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { describe, test } from 'node:test';
import * as path from 'node:path';
import { controllerKernelSpec, kernelRoot, resolveNodeRuntime } from './kernel_launch';
import { KernelSession, type ExitInfo } from './kernel_session';

const ROOT = path.join(__dirname, '..', '..');
const runtime = resolveNodeRuntime({ execPath: process.execPath, isElectron: false, envPath: process.env.PATH });

async function runCode(session: KernelSession, code: string): Promise<{ status: string; texts: string[] }> {
  const run = session.client.execute(code);
  const texts: string[] = [];
  for await (const msg of run.messages) {
    const c = msg.content as { text?: string; data?: Record<string, unknown> };
    if (msg.header.msg_type === 'stream' && c.text) texts.push(c.text);
    if (msg.header.msg_type === 'execute_result' && typeof c.data?.['text/plain'] === 'string') texts.push(c.data['text/plain'] as string);
  }
  return { status: String((await run.reply).content.status), texts };
}

describe('KernelSession', { timeout: 240_000 }, () => {
  test('start, run, crash → unexpected exit with the log, restart with another backend, shutdown → expected exit', async () => {
    const session = await KernelSession.start({ spec: controllerKernelSpec(kernelRoot(ROOT), runtime, 'cpu'), cwd: os.tmpdir() });
    const states: string[] = [];
    const exits: ExitInfo[] = [];
    session.onState((s) => states.push(s));
    session.onExit((e) => exits.push(e));
    try {
      assert.equal(session.state, 'idle');
      assert.equal(session.identity.backend, 'cpu');
      assert.match(session.identity.banner ?? '', /alignscope/);
      const first = await runCode(session, "console.log('hi'); 40 + 2");
      assert.deepEqual(first, { status: 'ok', texts: ['hi\n', '42'] });
      assert.ok(states.includes('busy') && states.at(-1) === 'idle', `states: ${states.join(' ')}`);

      process.kill(session.pid as number, 'SIGKILL');
      const crash = await session.exited;
      assert.equal(crash.expected, false);
      assert.equal(crash.signal, 'SIGKILL');
      assert.match(crash.logTail, /alignscope backend: cpu/, 'the log tail comes with the crash report');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(session.state, 'dead');
      assert.equal(exits.length, 1);

      await session.restart({ spec: controllerKernelSpec(kernelRoot(ROOT), runtime, 'wasm') });
      assert.equal(session.state, 'idle');
      assert.equal(session.identity.backend, 'wasm');
      assert.deepEqual((await runCode(session, '6 * 7')).texts, ['42']);
    } finally {
      await session.shutdown();
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(session.state, 'dead');
    assert.equal(exits.length, 2);
    assert.equal(exits[1].expected, true, 'a shutdown is not reported as a crash');
  });
});
