import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { QUICK_OVERRIDES, resolveExperimentConfig } from './experiment_config';
import { buildExperimentData } from './experiment_data';
import { runExperiment } from './run_experiment';
import { rerenderReport } from './rerender_report';
import { runOne } from './run_one';

test('one tiny run in-process: trains, evaluates, leaks no tensor', async () => {
  await initBackend({ backend: 'wasm', log: null });
  const config = resolveExperimentConfig({ data: { trainScenes: 16, testScenes: 12 }, train: { steps: 2, batchSize: 4, warmupSteps: 0 }, eval: { showImages: 1 } }, resolveExperimentConfig(QUICK_OVERRIDES));
  const data = buildExperimentData(config);
  const before = tf.memory().numTensors;
  const r = await runOne(config, data, { method: 'global+ot', seed: 3 });
  assert.equal(tf.memory().numTensors, before, 'no tensor leaked by training + evaluation');
  assert.equal(r.stoppedReason, 'completed');
  assert.equal(r.lossCurve.length, 2);
  assert.deepEqual(Object.keys(r.lossCurve[0]!.parts).sort(), ['global', 'ot']);
  for (const k of ['retrieval.own.i2t.R@1', 'grounding.own.hitAt1', 'grounding.plan.massInBox', 'plan.normEntropy', 'grounding.randomBaseline']) {
    assert.ok(Number.isFinite(r.metrics[k]), `${k} = ${r.metrics[k]}`);
  }
  assert.equal(r.samples.length, 1);
  assert.equal(r.samples[0]!.matrix.length, (32 / 4) ** 2);
});

test('--quick end to end in worker processes: metrics.json and report.html; the folder is then protected', async () => {
  const out = mkdtempSync(join(tmpdir(), 'alignscope-experiment-test-'));
  const config = resolveExperimentConfig(QUICK_OVERRIDES);
  const r = await runExperiment({ config, outDir: out, name: 'quick', progress: null, backend: 'wasm' });
  assert.equal(r.runs.length, config.methods.length * config.seeds);
  const metrics = JSON.parse(readFileSync(join(out, 'quick', 'metrics.json'), 'utf8'));
  for (const key of ['name', 'createdAt', 'wallSec', 'backend', 'config', 'datasetConfig', 'methods', 'runs', 'researchTarget', 'definitions', 'findings']) {
    assert.ok(key in metrics, `metrics.json has '${key}'`);
  }
  assert.equal(metrics.backend.backend, 'wasm');
  assert.deepEqual(metrics.config, JSON.parse(JSON.stringify(config)), 'the fully resolved config is stored');
  assert.deepEqual(Object.keys(metrics.methods), ['global', 'filip', 'ot', 'global+ot']);
  for (const m of Object.keys(metrics.methods)) {
    for (const k of ['retrieval.global.i2t.R@1', 'retrieval.global.t2i.R@10', 'retrieval.otRerank.t2i.R@5', 'grounding.own.hitAt1', 'grounding.own.massInBox', 'grounding.sim.colour.hitAt1', 'plan.marginalError']) {
      const v = metrics.methods[m][k];
      assert.ok(v && typeof v.mean === 'number' && typeof v.ci95 === 'number' && v.n === config.seeds, `${m} ${k}: ${JSON.stringify(v)}`);
    }
  }
  const html = readFileSync(join(out, 'quick', 'report.html'), 'utf8');
  assert.ok(html.includes('plotly.js v'), 'plotly.js is inlined');
  assert.ok(html.includes('"type":"heatmap"'), 'heatmaps');
  assert.ok(html.includes('updatemenus'), 'per-word overlays');
  assert.ok(html.includes('Findings'));
  await assert.rejects(runExperiment({ config, outDir: out, name: 'quick', progress: null }), /already exists; choose another --name, or pass --force/);
  // re-rendering from metrics.json alone gives the same figures (samples and images are recoverable)
  rerenderReport(join(out, 'quick'));
  const again = readFileSync(join(out, 'quick', 'report.html'), 'utf8');
  assert.equal((again.match(/"type":"heatmap"/g) ?? []).length, (html.match(/"type":"heatmap"/g) ?? []).length);
  assert.equal((again.match(/data:image\/png;base64,/g) ?? []).length, (html.match(/data:image\/png;base64,/g) ?? []).length);
});
