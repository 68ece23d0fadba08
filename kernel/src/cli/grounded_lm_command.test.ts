import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { groundedLmCommand } from './grounded_lm_command';
import { resolveGroundedLMConfig } from '../seq/grounded_lm_config';

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

/** A grounded-lm config small enough to train and evaluate in seconds: `stage1` and `top` add to or replace its keys. */
function tinyConfig(stage1: Record<string, number>, top: Record<string, number> = { seeds: 1, workers: 1 }): string {
  return JSON.stringify({
    data: { trainScenes: 20, testScenes: 2 },
    model: { width: 16, lmDepth: 1, encoderDepth: 1, heads: 2, patchSize: 16, maxLength: 48 },
    stage1: { batchSize: 2, warmupSteps: 1, ...stage1 },
    eval: { count: 2 },
    lineIBaseline: { steps: 0 },
    ...top,
  });
}

test('grounded-lm: a worker process stops when the command that started it is killed (SIGKILL: no clean-up code runs)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'alignscope-orphan-'));
  try {
    const cfg = join(root, 'long.json');
    writeFileSync(cfg, tinyConfig({ steps: 1000000 }));
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

/** Runs the CLI to its end: exit code and output. */
function runCli(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, 'main.ts'), ...args], { env: { ...process.env, ALIGNSCOPE_BACKEND: 'wasm' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => done({ code: code ?? -1, out }));
  });
}

test('grounded-lm: a finished run is reused on a rerun only with the config it was made with', async () => {
  const root = mkdtempSync(join(tmpdir(), 'alignscope-reuse-'));
  try {
    const config = (lr: number) => {
      const file = join(root, `lr${lr}.json`);
      writeFileSync(file, tinyConfig({ steps: 2, lr }));
      return file;
    };
    const args = (file: string) => ['grounded-lm', '--config', file, '--out', root, '--name', 'reuse', '--arms', 'scratch-bins64'];
    const first = await runCli(args(config(0.001)));
    assert.equal(first.code, 0, first.out);
    const result = join(root, 'reuse', 'scratch-bins64-seed0', 'result.json');
    const before = readFileSync(result, 'utf8');
    const again = await runCli(args(config(0.001)));
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /scratch-bins64-seed0: result exists, reused/);
    const changed = await runCli(args(config(0.002)));
    assert.notEqual(changed.code, 0);
    assert.match(changed.out, /the result in .*scratch-bins64-seed0 was made with another configuration — stage1\.lr: 0\.001 vs 0\.002 \(then vs now\); pass --force/);
    assert.equal(readFileSync(result, 'utf8'), before, 'the earlier result is kept');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('grounded-lm --worker resolves its job\'s config again: a bad value is an error naming the key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'alignscope-worker-'));
  try {
    const config = JSON.parse(JSON.stringify(resolveGroundedLMConfig({})));
    config.stage1.encoderLrScale = -1;
    const job = { id: 'scratch-bins64-seed0', kind: 'stage1', config, seed: 0, arm: { name: 'scratch-bins64', codec: 'bins64', pretrained: false }, outDir: join(dir, 'out'), stage0Dir: null, resultFile: join(dir, 'out', 'result.json'), backend: 'wasm' };
    const file = join(dir, 'job.json');
    writeFileSync(file, JSON.stringify(job));
    await assert.rejects(groundedLmCommand(['--worker', file]), /GroundedLMConfig\.stage1\.encoderLrScale: expected a multiplier ≥ 0/);
    assert.equal(existsSync(join(dir, 'out')), false, 'nothing written');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('grounded-lm --seed S runs seed S only, and it is the same run as seed S of --seeds', async () => {
  const root = mkdtempSync(join(tmpdir(), 'alignscope-seed-'));
  try {
    const file = join(root, 'tiny.json');
    writeFileSync(file, tinyConfig({ steps: 3 }, { workers: 2 }));
    const args = (name: string, ...more: string[]) => ['grounded-lm', '--config', file, '--out', root, '--name', name, '--arms', 'scratch-bins64', ...more];
    const both = await runCli(args('both', '--seeds', '2'));
    assert.equal(both.code, 0, both.out);
    const one = await runCli(args('one', '--seed', '1'));
    assert.equal(one.code, 0, one.out);
    assert.match(one.out, /seed\(s\) 1,/);
    assert.deepEqual(readdirSync(join(root, 'one')).filter((n) => n.startsWith('scratch-')), ['scratch-bins64-seed1']);
    const result = (name: string) => JSON.parse(readFileSync(join(root, name, 'scratch-bins64-seed1', 'result.json'), 'utf8'));
    const [a, b] = [result('both'), result('one')];
    assert.equal(b.seed, 1);
    assert.deepEqual(b.lossCurve, a.lossCurve, 'the same training steps');
    assert.deepEqual(b.metrics, a.metrics, 'the same evaluation');
    const metrics = JSON.parse(readFileSync(join(root, 'one', 'metrics.json'), 'utf8'));
    assert.deepEqual(metrics.runs.map((r: { seed: number }) => r.seed), [1]);
    assert.deepEqual(metrics.summary.arms['scratch-bins64'].seeds, [1]);
    const clash = await runCli(args('clash', '--seed', '1', '--seeds', '2'));
    assert.notEqual(clash.code, 0);
    assert.match(clash.out, /--seeds K runs seeds 0 … K−1 and --seed S runs seed S only; pass one of them/);
    const bad = await runCli(args('bad', '--seed', '-1'));
    assert.notEqual(bad.code, 0);
    assert.match(bad.out, /--seed expects a non-negative integer; got '-1'/);
    assert.equal(existsSync(join(root, 'clash')) || existsSync(join(root, 'bad')), false, 'nothing written for a bad command line');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('grounded-lm: a median or mean coordinate read-out with an arm of another codec is an error before anything is written', async () => {
  const root = mkdtempSync(join(tmpdir(), 'alignscope-readout-'));
  try {
    const file = join(root, 'median.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(tinyConfig({ steps: 1 })), eval: { count: 2, coordinateReadout: 'median' } }));
    const all = await runCli(['grounded-lm', '--config', file, '--out', root, '--name', 'all']);
    assert.notEqual(all.code, 0);
    assert.match(all.out, /eval.coordinateReadout 'median' needs the bins codec, but arm 'pretrained-grid16' uses 'grid16'; choose the bins arms with --arms/);
    assert.equal(existsSync(join(root, 'all')), false, 'nothing written');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
