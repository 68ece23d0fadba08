import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromArgs, parseExperimentArgs } from './experiment_command';
import { DEFAULT_EXPERIMENT_CONFIG, QUICK_OVERRIDES, resolveExperimentConfig } from './experiment_config';

test('defaults are frozen and resolve to themselves', () => {
  assert.ok(Object.isFrozen(DEFAULT_EXPERIMENT_CONFIG));
  assert.ok(Object.isFrozen(DEFAULT_EXPERIMENT_CONFIG.train));
  assert.deepEqual(resolveExperimentConfig({}), DEFAULT_EXPERIMENT_CONFIG);
  assert.deepEqual(DEFAULT_EXPERIMENT_CONFIG.methods, ['global', 'filip', 'ot', 'global+ot']);
  const c = resolveExperimentConfig({ train: { steps: 50 } });
  assert.equal(c.train.steps, 50);
  assert.equal(c.train.batchSize, DEFAULT_EXPERIMENT_CONFIG.train.batchSize, 'nested objects merge key by key');
});

test('unknown keys are errors naming the key (top level and nested)', () => {
  assert.throws(() => resolveExperimentConfig({ trian: {} }), /ExperimentConfig: unknown key 'trian' \(did you mean 'train'\?\)/);
  assert.throws(() => resolveExperimentConfig({ train: { stpes: 3 } }), /ExperimentConfig\.train: unknown key 'stpes'/);
  assert.throws(() => resolveExperimentConfig({ loss: { epsilon: 0.1 } }), /ExperimentConfig\.loss: unknown key 'epsilon'/);
});

test('wrong types and out-of-range values name the key', () => {
  assert.throws(() => resolveExperimentConfig({ train: { steps: '100' } }), /ExperimentConfig\.train\.steps: expected number, got string "100"/);
  assert.throws(() => resolveExperimentConfig({ loss: { learnTemperature: 1 } }), /ExperimentConfig\.loss\.learnTemperature: expected boolean/);
  assert.throws(() => resolveExperimentConfig({ train: { steps: 0 } }), /ExperimentConfig\.train\.steps: expected an integer in \[1/);
  assert.throws(() => resolveExperimentConfig({ model: { patchSize: 5 } }), /ExperimentConfig\.model\.patchSize: expected a divisor of data\.imageSize \(32\)/);
  assert.throws(() => resolveExperimentConfig({ methods: ['global', 'clip'] }), /ExperimentConfig\.methods\[1\]: expected one of global, filip, ot, global\+ot, got "clip"/);
  assert.throws(() => resolveExperimentConfig({ loss: { eps: -1 } }), /ExperimentConfig\.loss\.eps: expected a positive number, got -1/);
  assert.throws(() => resolveExperimentConfig({ loss: { grad: 'magic' } }), /ExperimentConfig\.loss\.grad/);
  assert.throws(() => resolveExperimentConfig({ loss: { otBackground: 'bin' } }), /ExperimentConfig\.loss\.otBackground: expected 'none' or 'dustbin', got "bin"/);
  assert.throws(() => resolveExperimentConfig({ loss: { dustbinMass: 1 } }), /ExperimentConfig\.loss\.dustbinMass: expected a number in \(0, 1\), got 1/);
});

test('CLI: --quick < --config FILE < flags; a bad config file names the key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alignscope-config-'));
  const good = join(dir, 'good.json');
  writeFileSync(good, JSON.stringify({ train: { steps: 20, lr: 0.005 }, loss: { eps: 0.1 } }));
  const c = configFromArgs(parseExperimentArgs(['--quick', '--config', good, '--seeds', '3']));
  assert.equal(c.train.steps, 20);
  assert.equal(c.train.lr, 0.005);
  assert.equal(c.loss.eps, 0.1);
  assert.equal(c.seeds, 3);
  assert.equal(c.model.width, QUICK_OVERRIDES.model.width);
  assert.equal(configFromArgs(parseExperimentArgs(['--steps', '7'])).train.steps, 7);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ model: { widht: 8 } }));
  assert.throws(() => configFromArgs(parseExperimentArgs(['--config', bad])), /ExperimentConfig\.model: unknown key 'widht' \(did you mean 'width'\?\)/);
  assert.throws(() => parseExperimentArgs(['--steps', 'many']), /--steps expects a positive integer, got 'many'/);
  assert.throws(() => parseExperimentArgs(['--sedes', '2']), /unknown option '--sedes'/);
});
