/**
 * The kernel process end to end through our TypeScript Jupyter client: execute_result / error / display
 * messages, aborted queues, comm and history replies, signature checks on the wire, heartbeat while a
 * cell blocks, and interrupt — cooperative (cancellation token) and forced (a busy `while (true) {}`) —
 * with the variables kept.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import * as zmq from 'zeromq';
import { KernelClient } from '../../kernel/src/jupyter/client';
import { endpoint } from '../../kernel/src/jupyter/connection';
import { encodeMessage, newHeader, type JupyterMessage } from '../../kernel/src/jupyter/wire';
import { ensureBuilt, KERNEL_ENV, REPO } from './support';

const INTERRUPT_MODULE = path.join(REPO, 'kernel', 'dist', 'jupyter', 'interrupt').split(path.sep).join('/');
const DISPLAY_MODULE = path.join(REPO, 'kernel', 'dist', 'jupyter', 'display_bridge').split(path.sep).join('/');

let kernel: KernelClient;

before(async () => {
  ensureBuilt();
  kernel = await KernelClient.launch({ cwd: '/tmp', env: { ...KERNEL_ENV, ALIGNSCOPE_INTERRUPT_GRACE_MS: '1000' } });
});
after(async () => {
  await kernel?.shutdown();
});

async function run(code: string, options: { interruptAfterMs?: number } = {}): Promise<{ reply: JupyterMessage; messages: JupyterMessage[] }> {
  const execution = kernel.execute(code);
  const timer = options.interruptAfterMs !== undefined ? setTimeout(() => void kernel.interrupt(), options.interruptAfterMs) : undefined;
  const messages: JupyterMessage[] = [];
  for await (const msg of execution.messages) messages.push(msg);
  clearTimeout(timer);
  return { reply: await execution.reply, messages };
}

const ofType = (messages: JupyterMessage[], type: string): Record<string, unknown>[] =>
  messages.filter((m) => m.header.msg_type === type).map((m) => m.content);

test('kernel_info reports TypeScript and the compute backend', () => {
  const info = kernel.kernelInfo as { language_info: { name: string; file_extension: string }; banner: string; protocol_version: string };
  assert.equal(info.language_info.name, 'typescript');
  assert.equal(info.language_info.file_extension, '.ts');
  assert.match(info.banner, /backend: wasm\b/);
  assert.equal(info.protocol_version, '5.3');
});

test('execute: busy, execute_input, stream, execute_result, idle, in that order', { timeout: 60_000 }, async () => {
  const { reply, messages } = await run('console.log("hi");\n[1, 2].length');
  assert.equal(reply.content.status, 'ok');
  assert.deepEqual(messages.map((m) => m.header.msg_type), ['status', 'execute_input', 'stream', 'execute_result', 'status']);
  assert.deepEqual(ofType(messages, 'execute_result')[0].data, { 'text/plain': '2' });
});

test("'@alignscope/kernel' resolves from a notebook outside the package; show.* reaches the notebook; a tensor result is summarised", { timeout: 90_000 }, async () => {
  // The kernel's cwd is /tmp (see before()): no node_modules there.
  const { reply, messages } = await run(
    "import { tf, show } from '@alignscope/kernel';\n" +
      "show.table([{ metric: 'R@1', value: 0.5 }]);\n" +
      'tf.tensor1d([1, 2, 3])',
  );
  assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
  const [table] = ofType(messages, 'display_data') as { data: Record<string, unknown> }[];
  assert.equal((table.data['application/vnd.alignscope.v1+json'] as { kind: string }).kind, 'table');
  assert.equal(typeof table.data['text/plain'], 'string');
  const [result] = ofType(messages, 'execute_result') as { data: Record<string, string> }[];
  assert.match(result.data['text/plain'], /^Tensor float32 \[3\] · 3 values\nmin 1 · max 3 · mean 2/);
});

test('a runtime error: error message with ename/evalue and a traceback in cell lines; reply carries them', { timeout: 60_000 }, async () => {
  const { reply, messages } = await run('const a: number = 1;\nfunction fail(): never {\n  throw new RangeError("bad " + a);\n}\nfail();');
  assert.equal(reply.content.status, 'error');
  const [error] = ofType(messages, 'error') as { ename: string; evalue: string; traceback: string[] }[];
  assert.equal(error.ename, 'RangeError');
  assert.equal(error.evalue, 'bad 1');
  assert.ok(error.traceback.some((l) => /at fail \(cell line 3\)/.test(l)), error.traceback.join('\n'));
  assert.ok(error.traceback.some((l) => /cell line 5/.test(l)), error.traceback.join('\n'));
  assert.equal(reply.content.ename, 'RangeError');
});

test('a type error is reported as TypeScriptError with its cell line', { timeout: 60_000 }, async () => {
  const { reply } = await run('const n = 1;\nconst s: string = n;');
  assert.equal(reply.content.status, 'error');
  assert.equal(reply.content.ename, 'TypeScriptError');
  assert.match(String(reply.content.evalue), /line 2:7 - Type 'number' is not assignable to type 'string'/);
});

test('after a failing cell, cells already sent are answered "aborted" (stop_on_error)', { timeout: 60_000 }, async () => {
  const first = kernel.execute('throw new Error("stop here")');
  const second = kernel.execute('console.log("never")');
  const third = kernel.execute('1', { stopOnError: false });
  const replies = await Promise.all([first.reply, second.reply, third.reply]);
  assert.deepEqual(replies.map((r) => r.content.status), ['error', 'aborted', 'aborted']);
  for (const e of [first, second, third]) for await (const _ of e.messages); // drain to idle
  const { reply } = await run('"runs again"');
  assert.equal(reply.content.status, 'ok', 'a cell sent after the failure was seen runs');
});

test('display bundles: multi-MIME with a JSON object, display_id, update_display_data', { timeout: 60_000 }, async () => {
  const { messages } = await run(
    `import { publishDisplay } from '${DISPLAY_MODULE}';\n` +
      `publishDisplay({ 'text/plain': 'v1', 'application/vnd.alignscope.v1+json': { kind: 'table', version: 1, columns: ['a'], rows: [[1]] } }, {}, { displayId: 'd1' });\n` +
      `publishDisplay({ 'text/plain': 'v2', 'text/html': '<b>v2</b>' }, { note: 1 }, { displayId: 'd1', update: true });`,
  );
  const [shown] = ofType(messages, 'display_data') as { data: Record<string, unknown>; transient: { display_id: string } }[];
  assert.deepEqual(shown.data['application/vnd.alignscope.v1+json'], { kind: 'table', version: 1, columns: ['a'], rows: [[1]] });
  assert.equal(shown.transient.display_id, 'd1');
  const [update] = ofType(messages, 'update_display_data') as { data: Record<string, unknown>; metadata: unknown; transient: { display_id: string } }[];
  assert.deepEqual(update.data, { 'text/plain': 'v2', 'text/html': '<b>v2</b>' });
  assert.deepEqual(update.metadata, { note: 1 });
  assert.equal(update.transient.display_id, 'd1');
});

test('comm_info, comm_open for an unknown target, history (tail)', { timeout: 30_000 }, async () => {
  const info = await kernel.request('shell', 'comm_info_request', {});
  assert.deepEqual(info.content, { status: 'ok', comms: {} });
  assert.equal(info.header.msg_type, 'comm_info_reply');
  const closed = new Promise<JupyterMessage>((resolve) => {
    const off = kernel.onIopub((m) => {
      if (m.header.msg_type === 'comm_close') {
        off();
        resolve(m);
      }
    });
  });
  await kernel.request('shell', 'comm_open', { comm_id: 'c-1', target_name: 'jupyter.widget', data: {} }, 1).catch(() => {});
  assert.equal((await closed).content.comm_id, 'c-1');
  const history = await kernel.request('shell', 'history_request', { output: false, raw: true, hist_access_type: 'tail', n: 2 });
  const items = (history.content as { history: [number, number, string][] }).history;
  assert.equal(history.content.status, 'ok');
  assert.equal(items.length, 2);
  assert.match(items[1][2], /publishDisplay/, 'the last executed cell comes last');
});

test('the kernel drops badly signed and unsigned messages', { timeout: 30_000 }, async () => {
  const info = kernel.connection;
  const dealer = new zmq.Dealer({ linger: 0, receiveTimeout: 1500 });
  dealer.connect(endpoint(info, 'shell'));
  try {
    const header = newHeader('kernel_info_request', 'rogue');
    const bad = encodeMessage('not-the-key', { header, parent_header: {}, metadata: {}, content: {} });
    await dealer.send(bad);
    const unsigned = encodeMessage('', { header: newHeader('kernel_info_request', 'rogue'), parent_header: {}, metadata: {}, content: {} });
    await dealer.send(unsigned);
    await assert.rejects(dealer.receive(), /timed out|EAGAIN/i, 'no reply to forged messages');
    await dealer.send(encodeMessage(info.key, { header: newHeader('kernel_info_request', 'good'), parent_header: {}, metadata: {}, content: {} }));
    const frames = await dealer.receive();
    assert.ok(frames.some((f) => f.toString().includes('kernel_info_reply')));
  } finally {
    dealer.close();
  }
});

test('interrupt: a loop checking the cancellation token stops, the cell says interrupted, state is kept', { timeout: 60_000 }, async () => {
  await run('let steps = 0;');
  const { reply, messages } = await run(
    `import { currentCancellation } from '${INTERRUPT_MODULE}';\n` +
      'const token = currentCancellation();\n' +
      'while (!token.isCancellationRequested) {\n  steps++;\n  await new Promise((r) => setTimeout(r, 5));\n}\n' +
      'console.log(`stopped at step ${steps}`);',
    { interruptAfterMs: 1500 },
  );
  assert.equal(reply.content.status, 'error');
  assert.equal(reply.content.ename, 'KeyboardInterrupt');
  assert.match(String(ofType(messages, 'stream')[0]?.text), /stopped at step \d+/);
  const after = await run('steps > 0 ? `kept ${steps > 10}` : "lost"');
  assert.equal((ofType(after.messages, 'execute_result')[0].data as Record<string, string>)['text/plain'], "'kept true'");
});

test('interrupt: a loop whose steps block for longer than the SIGINT fallback still stops at its own check', { timeout: 60_000 }, async () => {
  // Each step holds the main thread ~600 ms (like a training step on CPU), so the I/O thread's SIGINT
  // fallback fires mid-step; it must not cut the grace period short (the loop stops at the token).
  const { reply, messages } = await run(
    `import { currentCancellation } from '${INTERRUPT_MODULE}';\n` +
      'const stepToken = currentCancellation();\n' +
      'let step = 0;\n' +
      'for (; step < 100 && !stepToken.isCancellationRequested; step++) {\n' +
      '  const until = Date.now() + 600;\n  while (Date.now() < until) {}\n' +
      '  await new Promise((r) => setTimeout(r, 0));\n}\n' +
      'console.log(`checkpoint at step ${step}`);',
    { interruptAfterMs: 900 },
  );
  assert.equal(reply.content.ename, 'KeyboardInterrupt');
  assert.match(String(ofType(messages, 'stream')[0]?.text), /checkpoint at step [1-3]\b/);
});

test('interrupt: a busy synchronous while (true) {} is stopped; heartbeat answers meanwhile; variables stay', { timeout: 60_000 }, async () => {
  await run('let spins = 0;');
  const execution = kernel.execute('while (true) { spins++; }');
  await new Promise((r) => setTimeout(r, 800));
  // The main thread is blocked: the heartbeat (I/O thread) must still echo.
  const hb = new zmq.Request({ linger: 0, receiveTimeout: 3000 });
  hb.connect(endpoint(kernel.connection, 'hb'));
  await hb.send('ping');
  const [echo] = await hb.receive();
  hb.close();
  assert.equal(echo.toString(), 'ping');
  await kernel.interrupt();
  const reply = await execution.reply;
  for await (const _ of execution.messages);
  assert.equal(reply.content.status, 'error');
  assert.equal(reply.content.ename, 'KeyboardInterrupt');
  const after = await run('spins > 0');
  assert.equal((ofType(after.messages, 'execute_result')[0].data as Record<string, string>)['text/plain'], 'true');
});

test('interrupt: an await that never checks the token is abandoned after the grace period', { timeout: 60_000 }, async () => {
  const started = Date.now();
  const { reply } = await run('await new Promise((r) => setTimeout(r, 60_000));', { interruptAfterMs: 300 });
  assert.equal(reply.content.ename, 'KeyboardInterrupt');
  assert.ok(Date.now() - started < 10_000, 'ended well before the 60 s await');
  const { reply: next } = await run('1 + 1');
  assert.equal(next.content.status, 'ok');
});

test('restart: a fresh kernel, execution count from 1, old variables gone', { timeout: 120_000 }, async () => {
  await kernel.restart();
  const { reply, messages } = await run('typeof (globalThis as any).spins');
  assert.equal(reply.content.execution_count, 1);
  assert.equal((ofType(messages, 'execute_result')[0].data as Record<string, string>)['text/plain'], "'undefined'");
  const { reply: typeError } = await run('spins');
  assert.equal(typeError.content.ename, 'TypeScriptError', 'spins is unknown after restart');
});
