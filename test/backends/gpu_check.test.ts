/**
 * scripts/gpu-check.sh as a GPU machine runs it, here on the webgpu backend of this machine (the Mesa lavapipe
 * adapter of scripts/setup/30-vulkan-lavapipe.sh; GPU_CHECK_ALLOW_SOFTWARE=1): its side-by-side trainings
 * (GPU_CHECK_TRAIN) go through the bundled CLI (cli.cjs, bundled from the source here) and come back as one
 * `train` line and one metrics.json per config; a config that fails is reported with its own last log line;
 * a missing config file fails before anything is unpacked. Where webgpu is missing the test is skipped, except
 * under CI=true.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(__dirname, '../..');

interface Line { kind: string; [key: string]: unknown }

function gpuCheck(env: Record<string, string>): { status: number | null; lines: Line[]; out: string; stderr: string } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-check-test-'));
  const r = spawnSync('bash', [path.join(ROOT, 'scripts/gpu-check.sh')], {
    cwd: ROOT,
    env: { ...process.env, OUT: out, GPU_CHECK_ALLOW_SOFTWARE: '1', GPU_CHECK_WORKLOADS: 'none', ...env },
    encoding: 'utf8',
    timeout: 600_000,
  });
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
  return { status: r.status, lines, out, stderr: r.stderr };
}

test('gpu-check: a missing GPU_CHECK_TRAIN config fails at once, naming the file', () => {
  const r = gpuCheck({ GPU_CHECK_TRAIN: 'bench/configs/gpu/no-such-config.json' });
  assert.equal(r.status, 1);
  const summary = r.lines.find((l) => l.kind === 'summary');
  assert.equal(summary?.ok, false);
  assert.match(String(summary?.reason), /no config file .*bench\/configs\/gpu\/no-such-config\.json/);
  assert.equal(r.lines.some((l) => l.kind === 'backend'), false, 'nothing is probed before the configs are checked');
});

test('gpu-check: GPU_CHECK_TRAIN trains each config on webgpu side by side; a bad config is reported, not lost', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gpu-check-configs-'));
  const good = path.join(dir, 'tiny.json');
  const bad = path.join(dir, 'tiny-bad.json');
  const tiny = {
    data: { trainScenes: 60, testScenes: 8 },
    model: { prefixPositions: 1 },
    stage1: { steps: 4, batchSize: 4, warmupSteps: 1, wordAttentionWeight: 1 },
    eval: { count: 8 },
    lineIBaseline: { steps: 0 },
    seeds: 1,
    workers: 1,
  };
  fs.writeFileSync(good, JSON.stringify(tiny));
  fs.writeFileSync(bad, JSON.stringify({ ...tiny, stage1: { ...tiny.stage1, learningRate: 0.1 } }));
  const r = gpuCheck({ GPU_CHECK_TRAIN: `${good} ${bad}`, GPU_CHECK_TRAIN_TIMEOUT: '300' });
  const backend = r.lines.find((l) => l.kind === 'backend');
  if (!backend?.ok && process.env.CI !== 'true') {
    t.skip(`webgpu unavailable: ${JSON.stringify(backend ?? r.lines.at(-1))}`);
    return;
  }
  assert.equal(backend?.ok, true, r.stderr);
  assert.equal(backend?.tfBackend, 'webgpu');

  const trained = r.lines.find((l) => l.kind === 'train' && l.config === 'tiny');
  assert.ok(trained, `no train line for tiny.json:\n${r.stderr}\n${fs.readFileSync(path.join(r.out, 'train.log'), 'utf8')}`);
  assert.equal(trained.steps, 4);
  assert.equal(trained.stoppedReason, 'completed');
  assert.match(String(trained.backend), /^webgpu /);
  for (const key of ['rec', 'AP', 'AP50', 'names', 'namesFromDetections']) {
    const v = trained[key] as number;
    assert.ok(v >= 0 && v <= 1, `${key} = ${v}`);
  }
  const metrics = JSON.parse(fs.readFileSync(path.join(r.out, 'train-tiny.metrics.json'), 'utf8')) as { runs: { steps: number }[]; config: { stage1: { steps: number } } };
  assert.equal(metrics.runs[0]!.steps, 4);
  assert.equal(metrics.config.stage1.steps, 4);

  const failed = r.lines.find((l) => l.kind === 'train' && l.config === 'tiny-bad');
  assert.equal(failed?.ok, false);
  assert.match(String(failed?.reason), /learningRate/, 'the reason quotes the run\'s own error');
  assert.equal(fs.existsSync(path.join(r.out, 'train-tiny-bad.metrics.json')), false);

  const summary = r.lines.find((l) => l.kind === 'summary');
  assert.equal(summary?.ok, false);
  assert.match(String(summary?.reason), /1 of 2 training\(s\) evaluated/);
  assert.equal(r.status, 1);
});
