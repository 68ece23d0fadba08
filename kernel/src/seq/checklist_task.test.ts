import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../backend';
import { GroundedScenes } from '../data/grounded_scenes';
import type { Scene } from '../data/scene_types';
import { SHAPES } from '../data/scene_vocabulary';
import { answerGrammar } from './answer_grammar';
import { newBoxWarnings } from './box_check';
import { codecByName } from './codec_registry';
import { decodeBeam } from './decode_beam';
import { decodeGreedy } from './decode_greedy';
import { resolveGroundedLMConfig } from './grounded_lm_config';
import { scoreGrounded, type ImagePrediction } from './grounded_metrics';
import { runStage1 } from './grounded_lm_run';
import { parseChecklist } from './parse_answer';
import { groundedTokenizer, textTokenizer } from './sequence_vocabulary';
import { taskTemplate } from './task_templates';
import { randomModel } from './test_support/random_model';

const codec = codecByName('bins64');
const tok = groundedTokenizer(codec);
const ctx = { codec, policy: { clipBoxes: false }, warnings: newBoxWarnings(), randomOrder: false, noiseBoxes: 0 };

test('setup backend', async () => {
  await initBackend({ backend: 'wasm', log: null });
});

test('checklist template: every shape in vocabulary order, each answered yes / no by presence; one example per scene', () => {
  const scenes = new GroundedScenes({ seed: 0, splits: { train: 20, val: 1, test: 1 } });
  for (let i = 0; i < 20; i++) {
    const scene = scenes.getScene('train', i);
    const [ex, ...more] = taskTemplate('checklist').build(scene, ctx);
    assert.equal(more.length, 0);
    assert.deepEqual(ex!.prompt, ['check']);
    assert.equal(ex!.target.length, 2 * SHAPES.length + 1);
    assert.equal(ex!.target[ex!.target.length - 1], '[EOS]');
    const present = new Set(scene.objects.map((o) => o.name));
    SHAPES.forEach((n, k) => {
      assert.equal(ex!.target[2 * k], n);
      assert.equal(ex!.target[2 * k + 1], present.has(n) ? 'yes' : 'no', `${scene.split}#${scene.index} ${n}`);
    });
    assert.ok(ex!.weights.every((w) => w === 1));
    assert.ok(ex!.target.every((w) => tok.has(w)), 'every checklist word is in the vocabulary');
  }
  // the checklist words were appended last: no earlier text id moved
  const base = textTokenizer();
  assert.deepEqual(['check', 'yes', 'no'].map((w) => base.idOf(w)), [base.size - 3, base.size - 2, base.size - 1]);
  const foreign = { ...scenes.getScene('train', 0), objects: [{ ...scenes.getScene('train', 0).objects[0]!, name: 'zebra' }] } as Scene;
  assert.throws(() => taskTemplate('checklist').build(foreign, ctx), /checklist task: record train#0 has object name\(s\) "zebra" outside the scene shapes/);
});

test('checklist parse: the "yes" names; out-of-place pairs and a missing [EOS] are counted, never thrown', () => {
  assert.deepEqual(parseChecklist(['circle', 'yes', 'square', 'no', 'star', 'yes', '[EOS]'], ['circle', 'square', 'star']), { names: ['circle', 'star'], failures: 0 });
  // a skipped name is one failure, the pair still read; a bad answer, an unknown name, no [EOS]: one each
  // (below, circle's pair is malformed, so square comes with circle unanswered: also out of place)
  assert.deepEqual(parseChecklist(['circle', 'no', 'star', 'yes', '[EOS]'], ['circle', 'square', 'star']), { names: ['star'], failures: 1 });
  assert.deepEqual(parseChecklist(['circle', 'maybe', 'zebra', 'yes', 'square', 'yes'], ['circle', 'square', 'star']), { names: ['square'], failures: 4 });
  assert.deepEqual(parseChecklist(['square', 'yes', 'circle', 'yes', '[EOS]'], ['circle', 'square', 'star']), { names: ['square'], failures: 2 }, 'a name before the last one read is out of place');
  assert.deepEqual(parseChecklist([]), { names: [], failures: 1 });
});

test('constrained decoding of a checklist (greedy and beam) always writes the full list, in order, then [EOS]', () => {
  const grammar = answerGrammar('checklist', codec, tok, { maxObjects: 6, maxWords: 8 });
  const allowed = (_p: number, a: readonly number[]) => grammar(a.map((i) => tok.wordOf(i)));
  const prompts = Array.from({ length: 30 }, () => [tok.bos, tok.idOf('check'), tok.sep]);
  const o = { maxNew: 2 * SHAPES.length + 1, eos: tok.eos, vocabSize: tok.size, allowed };
  for (const outs of [decodeGreedy(randomModel(tok.size, 1), prompts, o), decodeBeam(randomModel(tok.size, 2), prompts.slice(0, 6), { ...o, beams: 3 })]) {
    let yes = 0;
    for (const d of outs) {
      const words = d.ids.map((i) => tok.wordOf(i));
      assert.deepEqual(words.filter((_, k) => k % 2 === 0).slice(0, SHAPES.length), [...SHAPES], words.join(' '));
      assert.equal(words[words.length - 1], '[EOS]');
      const p = parseChecklist(words);
      assert.equal(p.failures, 0, words.join(' '));
      yes += p.names.length;
    }
    assert.ok(yes > 0, 'the mask leaves both answers open');
  }
});

test('names from the checklist are scored like the listing, and only when it was evaluated', () => {
  const image = (truth: string[], listed: string[], checked?: string[]): ImagePrediction => ({
    record: 'test#0', truthBoxes: truth.map(() => [0, 0, 4, 4]), truthNames: truth, objects: [], listedNames: listed, ...(checked ? { checkedNames: checked } : {}),
  });
  const failures = { rec: 0, detection: 0, listing: 0, caption: 0 };
  const without = scoreGrounded([], [image(['circle'], ['circle'])], [], failures);
  assert.equal(without.namesFromChecklist, undefined);
  // checked: {circle, star} vs {circle, ring}; {square} vs {square}: tp 2, fp 1, fn 1
  const m = scoreGrounded([], [image(['circle', 'ring'], [], ['circle', 'star']), image(['square'], [], ['square'])], [], { ...failures, checklist: 0 });
  assert.deepEqual(m.namesFromChecklist!.micro, { precision: 2 / 3, recall: 2 / 3, f1: 2 / 3 });
  assert.equal(m.namesFromChecklist!.exactMatch, 0.5);
  assert.equal(m.names.micro.recall, 0, 'the listing is scored on its own');
});

test('a stage-1 run with the checklist task reports namesFromChecklist; (the records path refuses it: record_scenes.test.ts)', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'alignscope-checklist-'));
  assert.equal(resolveGroundedLMConfig({}).stage1.taskWeights.checklist, 0, 'off by default');
  const cfg = resolveGroundedLMConfig({
    data: { trainScenes: 30, testScenes: 4 },
    model: { width: 16, lmDepth: 1, encoderDepth: 1, heads: 2, patchSize: 16, maxLength: 48 },
    stage1: { steps: 3, batchSize: 4, warmupSteps: 1, taskWeights: { checklist: 1 } },
    eval: { count: 4 },
  });
  const r = await runStage1(cfg, { name: 'scratch-bins64', codec: 'bins64', pretrained: false }, 0, dir, null, () => {});
  const checked = r.metrics.namesFromChecklist!;
  assert.equal(checked.nImages, 4);
  assert.ok(Number.isFinite(checked.micro.precision + checked.micro.recall), JSON.stringify(checked));
  assert.equal(r.metrics.parseFailures.checklist, 0, 'constrained decoding: no checklist parse failure');
  await fs.rm(dir, { recursive: true, force: true });
});
