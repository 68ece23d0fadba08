import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Pids of the live processes whose command line contains `needle` (from /proc: no procps needed). */
function processesWith(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmdline.includes(needle) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // exited while listed
    }
  }
  return pids;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('grounded-lm: a worker process stops when the command that started it is killed (SIGKILL: no clean-up code runs)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'alignscope-orphan-'));
  try {
    const cfg = join(root, 'long.json');
    writeFileSync(cfg, JSON.stringify({
      data: { trainScenes: 20, testScenes: 2 },
      model: { width: 16, lmDepth: 1, encoderDepth: 1, heads: 2, patchSize: 16, maxLength: 48 },
      stage1: { steps: 1000000, batchSize: 2, warmupSteps: 1 },
      eval: { count: 2 },
      lineIBaseline: { steps: 0 },
      seeds: 1,
      workers: 1,
    }));
    const main = resolve(__dirname, 'main.ts');
    const parent = spawn(process.execPath, ['--import', 'tsx', main, 'grounded-lm', '--config', cfg, '--out', root, '--name', 'orphan', '--arms', 'scratch-bins64'], {
      env: { ...process.env, ALIGNSCOPE_BACKEND: 'wasm' },
      stdio: 'ignore',
    });
    const jobFile = join(root, 'orphan', 'jobs', 'scratch-bins64-seed0.json');
    let workers: number[] = [];
    for (let i = 0; i < 300 && workers.length === 0; i++) {
      await sleep(200);
      if (existsSync(jobFile)) workers = processesWith(jobFile);
    }
    assert.equal(workers.length, 1, 'the worker of the job started');
    await sleep(3000); // past the worker's start-up
    parent.kill('SIGKILL');
    let alive = workers;
    for (let i = 0; i < 50 && alive.length > 0; i++) {
      await sleep(200);
      alive = processesWith(jobFile);
    }
    assert.deepEqual(alive, [], 'the worker exited after its parent was killed');
  } finally {
    for (const pid of processesWith(root)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(root, { recursive: true, force: true });
  }
});
