import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { GroundedScenes } from '../data/grounded_scenes';
import { loadCheckpoint, train } from '../train';
import { SeededRandom } from '../util/seeded_random';
import { checkedBox, newBoxWarnings } from './box_check';
import { CausalLM } from './causal_lm';
import { codecByName } from './codec_registry';
import { codecOracle } from './codec_oracle';
import { resolveGroundedLMConfig } from './grounded_lm_config';
import { GroundedLM } from './grounded_lm';
import { encoderLrScales, loadStage1Model, runStage0, runStage1, stage1PeerTask } from './grounded_lm_run';
import { recAttentionMass } from './rec_attention';
import { ScenePool } from './scene_pool';
import { exampleRows } from './sequence_batch';
import { weightedTokenLoss } from './sequence_loss';
import { groundedTokenizer, textTokenizer } from './sequence_vocabulary';
import { stage1GroundedTask } from './stage1_grounded_task';
import { taskTemplate } from './task_templates';
import { extendVocabulary } from './vocabulary_extension';

const TINY = { vocabSize: textTokenizer().size, maxLength: 32, width: 16, depth: 1, heads: 2, mlpWidth: 32 };
const values = (v: tf.Tensor): Float32Array => v.dataSync() as Float32Array;

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

test('causal LM: a later token never changes an earlier position’s output (causality)', () => {
  const lm = new CausalLM(TINY, 1);
  const n0 = tf.memory().numTensors;
  tf.tidy(() => {
    const a = lm.logits(lm.forward(tf.tensor2d([[1, 7, 8, 9]], [1, 4], 'int32')));
    const b = lm.logits(lm.forward(tf.tensor2d([[1, 7, 8, 20]], [1, 4], 'int32')));
    const first = (t: tf.Tensor) => Array.from(values(tf.slice(t, [0, 0, 0], [1, 3, -1])));
    first(a).forEach((x, i) => assert.ok(Math.abs(x - first(b)[i]!) < 1e-5));
  });
  assert.equal(tf.memory().numTensors, n0);
  lm.dispose();
});

test('vocabulary extension keeps every pretrained weight (text embeddings included) bit-identical and tokenizer ids unchanged', () => {
  const base = textTokenizer();
  const codec = codecByName('bins64');
  const tok = groundedTokenizer(codec, base);
  base.vocabulary.forEach((w, i) => assert.equal(tok.idOf(w), i));
  const lm0 = new CausalLM(TINY, 3);
  const lm1 = extendVocabulary(lm0, tok.size - base.size, 4);
  assert.equal(lm1.vocabSize, tok.size);
  assert.deepEqual(lm1.extraEmbedding!.shape, [tok.size - base.size, TINY.width]);
  const before = lm0.namedVariables();
  for (const [name, v] of lm1.namedVariables()) {
    if (name === 'extraEmbedding') continue;
    const a = new Uint32Array(values(before.get(name)!).buffer.slice(0));
    const b = new Uint32Array(values(v).buffer.slice(0));
    assert.deepEqual(b, a, `${name} bit-identical`);
  }
  lm0.dispose(); // the extended model owns its own copies
  assert.equal(values(lm1.textEmbedding).length, base.size * TINY.width);
  lm1.dispose();
});

test('stage 1 with freezeTextEmbeddings: text embeddings stay bit-identical through training; no tensor leaks', async () => {
  const codec = codecByName('bins64');
  const tok = groundedTokenizer(codec);
  const pool = new ScenePool(new GroundedScenes({ seed: 0, splits: { train: 20, val: 1, test: 4 } }));
  const lm = extendVocabulary(new CausalLM(TINY, 5), tok.size - textTokenizer().size, 6);
  const model = new GroundedLM(lm, { width: 16, depth: 1, heads: 2, mlpWidth: 32, outputDim: 16, patchSize: 16 }, 7);
  const before = values(lm.textEmbedding).slice();
  const warnings = newBoxWarnings();
  const task = stage1GroundedTask(model, tok, codec, pool, {
    batchSize: 4, numScenes: 20, taskWeights: { detection: 1, regionCaption: 1, rec: 1, listing: 1 }, randomOrder: true, noiseBoxes: 2,
    freezeTextEmbeddings: true, policy: { clipBoxes: false },
  }, warnings, {});
  const n0 = tf.memory().numTensors;
  const r = await train(task, { steps: 3, optimizer: { lr: 1e-2 } });
  assert.equal(r.stoppedReason, 'completed');
  assert.equal(tf.memory().numTensors, n0, 'no tensor leaks');
  assert.deepEqual(values(lm.textEmbedding), before);
  assert.ok(task.variables().includes(lm.extraEmbedding!) && !task.variables().includes(lm.textEmbedding));
  model.dispose();
});

test('the image reaches the answer: two scenes with different first names are told apart within 40 steps', async () => {
  // regression: without pixel standardisation (GroundedLM.prefix) the loss stays at ln 2 on this task
  const pool = new ScenePool(new GroundedScenes({ seed: 0, splits: { train: 2, val: 1, test: 1 } }));
  const scenes = [pool.get('train', 0), pool.get('train', 1)];
  // the experiment's model size: the failure needs the 64-wide encoder (a 32-wide one learns either way)
  const lm = new CausalLM({ vocabSize: 50, maxLength: 8, width: 64, depth: 2, heads: 4, mlpWidth: 256 }, 0);
  const model = new GroundedLM(lm, { width: 64, depth: 2, heads: 4, mlpWidth: 256, outputDim: 64, patchSize: 16 }, 0);
  const pixels = ScenePool.pixels(scenes);
  const task = {
    variables: () => model.variables(),
    nextBatch: () => null,
    lossFn: () => {
      const logits = model.textLogits(tf.tensor2d([[1, 4], [1, 4]], [2, 2], 'int32'), model.prefix(tf.tensor4d(pixels, [2, 64, 64, 3]))); // [2, 2, V]
      return weightedTokenLoss(logits, tf.tensor1d([4, 10, 4, 20], 'int32'), tf.tensor1d([0, 1, 0, 1]));
    },
  };
  const r = await train(task, { steps: 40, optimizer: { lr: 2e-3 }, schedule: { kind: 'constant' } });
  const last = r.history[r.history.length - 1]!.loss;
  assert.ok(last < 0.3, `loss after 40 steps ${last} (ln 2 = 0.69 means the image is ignored)`);
  model.dispose();
});

test('templates: formats, and Pix2Seq noise boxes get zero coordinate weight', () => {
  const codec = codecByName('bins64');
  const tok = groundedTokenizer(codec);
  const scene = new GroundedScenes({ seed: 0, splits: { train: 5, val: 1, test: 1 } }).getScene('train', 0);
  const ctx = { codec, policy: { clipBoxes: false }, warnings: newBoxWarnings(), randomOrder: false, noiseBoxes: 0 };
  const det = taskTemplate('detection').build(scene, ctx)[0]!;
  assert.equal(det.target.filter((w) => w === '<box>').length, scene.objects.length);
  assert.equal(det.target[det.target.length - 1], '[EOS]');
  const rec = taskTemplate('rec').build(scene, ctx);
  assert.equal(rec.length, scene.referringExpressions.length);
  assert.deepEqual(rec[0]!.target.length, 4 + 2 + 1);
  const noisy = taskTemplate('detection').build(scene, { ...ctx, rng: new SeededRandom(1), noiseBoxes: 3 })[0]!;
  noisy.target.forEach((w, i) => {
    if (w === '<noise>') {
      assert.equal(noisy.weights[i], 1, 'the fake class is learnt');
      for (let k = i - 6; k < i; k++) assert.equal(noisy.weights[k], 0, 'noise box tokens carry no loss');
    }
  });
  const rows = exampleRows([det], tok);
  assert.equal(rows.weights.reduce((a, b) => a + b, 0), det.target.length, 'loss only on the answer and [EOS]');
});

test('bad ground-truth boxes: an error naming the record, or clipped and counted under clipBoxes', () => {
  const w = newBoxWarnings();
  assert.throws(() => checkedBox([10, 5, 10, 20], 64, 64, 'test#3 object 1', { clipBoxes: false }, w), /test#3 object 1.*x1 < x2/);
  assert.throws(() => checkedBox([-2, 5, 10, 20], 64, 64, 'test#4 object 0', { clipBoxes: false }, w), /test#4 object 0.*outside/);
  assert.deepEqual(checkedBox([-2, 5, 70, 20], 64, 64, 'test#4 object 0', { clipBoxes: true }, w), [0, 5, 64, 20]);
  assert.throws(() => checkedBox([70, 5, 80, 20], 64, 64, 'test#5 object 2', { clipBoxes: true }, w), /empty after clipping/);
  assert.equal(w.clipped, 1);
});

test('codec oracle: 64 bins on 64-px scenes lose (almost) nothing; a coarse grid loses REC', () => {
  const pool = new ScenePool(new GroundedScenes({ seed: 0, splits: { train: 1, val: 1, test: 30 } }));
  const fine = codecOracle(codecByName('bins64'), pool, 'test', 30);
  const coarse = codecOracle(codecByName('grid4'), pool, 'test', 30);
  assert.ok(fine.metrics.rec.accuracy >= 0.99, `bins64 oracle REC ${fine.metrics.rec.accuracy}`);
  assert.ok(fine.maxAbsError <= 64 / 126 + 1e-9);
  assert.ok(coarse.metrics.rec.accuracy < fine.metrics.rec.accuracy, `grid4 ${coarse.metrics.rec.accuracy} < bins64`);
});

test('tiny stage 0 → stage 1 smoke run (with box slots and box copy): checkpoints written, metrics computed, parse failures counted, no leaks', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alignscope-seq-'));
  const cfg = resolveGroundedLMConfig({
    data: { trainScenes: 30, testScenes: 4 },
    model: { width: 16, lmDepth: 1, encoderDepth: 1, heads: 2, patchSize: 16, maxLength: 48, boxSlots: true, boxCopy: true },
    stage0: { steps: 3, batchSize: 4 },
    stage1: { steps: 3, batchSize: 4, warmupSteps: 1 },
    eval: { count: 4, constrained: false },
  });
  const n0 = tf.memory().numTensors;
  await runStage0(cfg, 0, path.join(dir, 's0'), () => {});
  const { manifest } = await loadCheckpoint(path.join(dir, 's0'));
  assert.equal(manifest.step, 3);
  const r = await runStage1(cfg, { name: 'pretrained-bins64', codec: 'bins64', pretrained: true }, 0, path.join(dir, 's1'), path.join(dir, 's0'), () => {});
  assert.equal(r.steps, 3);
  assert.ok(r.metrics.rec.n > 0 && Number.isFinite(r.metrics.rec.accuracy));
  // unconstrained decoding of an (almost) untrained model: every unparsable REC answer is a counted miss
  assert.equal(r.metrics.rec.parseFailures, r.metrics.parseFailures.rec);
  assert.ok(r.metrics.rec.correct <= r.metrics.rec.n - r.metrics.rec.parseFailures);
  const groups = Object.values(r.metrics.rec.byGroup);
  assert.equal(groups.reduce((a, g) => a + g.n, 0), r.metrics.rec.n, 'every expression is in one group');
  assert.equal(groups.reduce((a, g) => a + g.correct, 0), r.metrics.rec.correct);
  // where the model looks: every measured expression in 'all' and in its group; the parts of a row sum to 1
  assert.ok(r.recAttention.onTarget.n <= r.recAttention.box.all!.n && r.recAttention.onTarget.minMass === 0.95);
  assert.ok(!('expressions' in r.recAttention), 'the per-expression list stays out of metrics.json');
  for (const looks of [r.recAttention.box, r.recAttention.firstCoordinate]) {
    assert.ok(looks.all && looks.all.n > 0 && looks.all.n <= r.metrics.rec.n, JSON.stringify(looks));
    assert.equal(Object.entries(looks).filter(([g]) => g !== 'all').reduce((a, [, m]) => a + m.n, 0), looks.all.n);
    const all = looks.all;
    assert.ok(Math.abs(all.target + all.sameName + all.otherObjects + all.background + all.text - 1) < 1e-5);
  }
  assert.equal(tf.memory().numTensors, n0, 'no tensor leaks across both stages and evaluation');
  // the run's model loaded back from its checkpoint looks where the run measured it looking
  const loaded = await loadStage1Model(cfg, 'bins64', path.join(dir, 's1'));
  const again = recAttentionMass(loaded.model, loaded.tok, loaded.codec, loaded.pool, { split: 'test', count: 4, chunk: 50, policy: { clipBoxes: false } }, newBoxWarnings());
  for (const [g, m] of Object.entries(r.recAttention.box)) assert.ok(Math.abs(again.box[g]!.target - m.target) < 1e-5, `${g}: ${again.box[g]!.target} vs ${m.target}`);
  loaded.model.dispose();
  await fs.rm(dir, { recursive: true, force: true });
});

test('stage 1 data-parallel (dataParallel 2, patch boxes, packed rows, box slots, box copy, a narrow conv stem): a peer thread trains with the run; examples/s counts both threads', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alignscope-seq-dp-'));
  const cfg = resolveGroundedLMConfig({
    data: { trainScenes: 30, testScenes: 2 },
    model: { width: 16, lmDepth: 1, encoderDepth: 1, heads: 2, patchSize: 16, maxLength: 48, boxSlots: true, boxCopy: true, stem: 'conv', stemChannels: 4 },
    stage1: { steps: 3, batchSize: 4, warmupSteps: 1, dataParallel: 2, patchLabelWeight: 1, patchBoxWeight: 1, examplesPerImage: 2 },
    eval: { count: 2, constrained: true },
  });
  const lines: string[] = [];
  const n0 = tf.memory().numTensors;
  const r = await runStage1(cfg, { name: 'scratch-bins64', codec: 'bins64', pretrained: false }, 0, dir, null, (l) => lines.push(l));
  assert.equal(r.steps, 3);
  assert.ok(lines.some((l) => /1 gradient peer thread\(s\), effective batch 2 × 4/.test(l)), lines.join('\n'));
  assert.ok(Number.isFinite(r.finalLoss));
  assert.equal(tf.memory().numTensors, n0, 'no tensor leaks');
  await fs.rm(dir, { recursive: true, force: true });
});

test('stage1.maxSteps stops at a step cap without moving the cosine horizon; lrCooldown anneals to 0 by the cap', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alignscope-seq-'));
  assert.throws(() => resolveGroundedLMConfig({ stage1: { lrCooldown: 1 } }), /GroundedLMConfig\.stage1\.lrCooldown: expected a share of the run in \[0, 1\) \(0 = none\), got 1/);
  assert.throws(() => resolveGroundedLMConfig({ stage1: { maxSteps: 2.5 } }), /GroundedLMConfig\.stage1\.maxSteps: expected a whole number of steps ≥ 0 \(0 = none\), got 2\.5/);
  const cfg = resolveGroundedLMConfig({
    data: { trainScenes: 30, testScenes: 4 },
    model: { width: 16, lmDepth: 1, encoderDepth: 1, heads: 2, patchSize: 16, maxLength: 48 },
    stage1: { steps: 1000, maxSteps: 4, lrCooldown: 0.5, batchSize: 4, warmupSteps: 0, lr: 0.01 },
    eval: { count: 4, constrained: false },
  });
  const lines: string[] = [];
  const r = await runStage1(cfg, { name: 'scratch-bins64', codec: 'bins64', pretrained: false }, 0, dir, null, (l) => lines.push(l));
  assert.equal(r.steps, 4);
  assert.equal(r.stoppedReason, 'paused');
  assert.equal((await loadCheckpoint(path.join(dir, 'checkpoint'))).manifest.step, 4);
  assert.ok(lines.some((l) => /step cap stage1\.maxSteps = 4 reached/.test(l)), lines.join('\n'));
  // the last update (0-based step 3) is at 3/4 of the cap, half way down the cooldown; the cosine over 1000 steps barely moved
  const last = r.lossCurve[r.lossCurve.length - 1];
  assert.equal(last.step, 4);
  const cosine = 0.5 * 0.01 * (1 + Math.cos((Math.PI * 3) / 1000));
  assert.ok(Math.abs(last.lr - cosine * 0.5) < 1e-9, `lr ${last.lr} vs ${cosine * 0.5}`);
  assert.ok(Math.abs(r.lossCurve[0].lr - 0.01) < 1e-9, `${r.lossCurve[0].lr}`);
  assert.ok(r.metrics.rec.n > 0);
  await fs.rm(dir, { recursive: true, force: true });
});

test('stage1.encoderLrScale scales the patch encoder\'s learning rate only: at 0 its weights stay bit-identical while the LM trains', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alignscope-seq-'));
  assert.equal(resolveGroundedLMConfig({}).stage1.encoderLrScale, 1);
  assert.throws(() => resolveGroundedLMConfig({ stage1: { encoderLrScale: -0.5 } }), /GroundedLMConfig\.stage1\.encoderLrScale: expected a multiplier ≥ 0 of the learning rate \(1 = none, 0 = frozen encoder\), got -0\.5/);
  const cfg = resolveGroundedLMConfig({
    data: { trainScenes: 30, testScenes: 4 },
    model: { width: 16, lmDepth: 1, encoderDepth: 1, heads: 2, patchSize: 16, maxLength: 48 },
    stage1: { steps: 3, batchSize: 4, warmupSteps: 0, lr: 0.01, encoderLrScale: 0, patchLabelWeight: 1 },
    eval: { count: 4, constrained: false },
  });
  const arm = { name: 'scratch-bins64', codec: 'bins64', pretrained: false };
  // the same architecture, seed and variable order as the run's, untrained (the encoder's initial weights are the run's)
  const before = stage1PeerTask({ cfg, arm, seed: 0 }).variables().map((v) => v.dataSync().slice());
  const r = await runStage1(cfg, arm, 0, dir, null, () => {});
  assert.equal(r.steps, 3);
  const { model } = await loadStage1Model(cfg, 'bins64', dir);
  const nEncoder = model.encoder.trainableVariables().length;
  assert.ok(nEncoder > 0);
  assert.deepEqual(encoderLrScales(model.variables(), model, 0), model.variables().map((_, i) => (i < nEncoder ? 0 : 1)), 'the encoder\'s variables come first');
  const after = (await loadCheckpoint(path.join(dir, 'checkpoint'))).tensors.filter((t) => t.group === 'weights');
  assert.equal(after.length, before.length);
  for (let i = 0; i < nEncoder; i++) assert.deepEqual(after[i]!.values, before[i], `encoder variable ${i} moved`);
  const lmMoved = after.slice(nEncoder).some((t, i) => t.values.some((x, k) => x !== before[nEncoder + i]![k]));
  assert.ok(lmMoved, 'the rest trains');
  model.dispose();
  await fs.rm(dir, { recursive: true, force: true });
});

test('stage 1 under a time budget stops with a checkpoint and evaluates; lrHorizon is checked', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alignscope-seq-'));
  assert.equal(resolveGroundedLMConfig({}).stage1.lrHorizon, 'steps');
  assert.throws(() => resolveGroundedLMConfig({ stage1: { lrHorizon: 'time' } } as never), /GroundedLMConfig\.stage1\.lrHorizon: expected 'budget' or 'steps', got "time"/);
  assert.throws(() => resolveGroundedLMConfig({ stage1: { maxMinutes: -1 } }), /GroundedLMConfig\.stage1\.maxMinutes: expected a number of minutes ≥ 0 \(0 = no budget\), got -1/);
  const cfg = resolveGroundedLMConfig({
    data: { trainScenes: 30, testScenes: 4 },
    model: { width: 16, lmDepth: 1, encoderDepth: 1, heads: 2, patchSize: 16, maxLength: 48 },
    stage1: { steps: 100000, batchSize: 4, warmupSteps: 1, maxMinutes: 0.005, lrHorizon: 'budget' },
    eval: { count: 4, constrained: false },
  });
  const lines: string[] = [];
  const r = await runStage1(cfg, { name: 'scratch-bins64', codec: 'bins64', pretrained: false }, 0, dir, null, (l) => lines.push(l));
  assert.equal(r.stoppedReason, 'budget');
  assert.ok(r.steps > 0 && r.steps < 100000, `${r.steps} steps`);
  assert.equal((await loadCheckpoint(path.join(dir, 'checkpoint'))).manifest.step, r.steps);
  assert.ok(lines.some((l) => /time budget of 0\.005 min reached after \d+ steps/.test(l)), lines.join('\n'));
  assert.ok(r.metrics.rec.n > 0);
  await fs.rm(dir, { recursive: true, force: true });
});
