import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { groundedLmCommand } from '../cli/grounded_lm_command';
import { exportDataset } from '../data/datasets/dataset_export';
import { loadDataSources } from '../data/datasets/data_sources';
import type { DatasetRecord } from '../data/datasets/dataset_record';
import { resizeRecords } from '../data/datasets/resize_records';
import { sceneToRecord } from '../data/datasets/scene_to_record';
import { GroundedScenes } from '../data/grounded_scenes';
import type { Scene } from '../data/scene_types';
import { train } from '../train';
import { newBoxWarnings } from './box_check';
import { CausalLM } from './causal_lm';
import { codecByName } from './codec_registry';
import { evaluateGrounded, type EvaluateOptions } from './evaluate_grounded';
import { GroundedLM } from './grounded_lm';
import { newRecordSceneReport, recordToScene } from './record_scene';
import { buildRecordScenes } from './record_scenes';
import { ScenePool, type SceneSource } from './scene_pool';
import { groundedTokenizer, textTokenizer } from './sequence_vocabulary';
import { stage1GroundedTask } from './stage1_grounded_task';
import { extendVocabulary } from './vocabulary_extension';

// 40 train + 20 test grounded scenes (64 px, the grounded LM's default size), exported as datasets
const ds = new GroundedScenes({ seed: 0, imageSize: 64, splits: { train: 40, val: 1, test: 20 } });
const testScenes = ds.getScenes('test', 0, 20);
const inMemory = [...ds.getScenes('train', 0, 40), ...testScenes].map(sceneToRecord);
const root = mkdtempSync(join(tmpdir(), 'alignscope-record-scenes-'));
const dir = (f: string) => join(root, f);
const quiet = { onWarning: () => {} };
const records = async (spec: string): Promise<DatasetRecord[]> => (await loadDataSources(spec, quiet)).flatMap((l) => l.records);
const LIMITS = { maxObjects: 6, maxWords: 20 };
async function adapted(spec: string): Promise<Scene[]> {
  const report = newRecordSceneReport();
  return (await resizeRecords(await records(spec), 64)).records.map((r, i) => recordToScene(r, 'test', i, LIMITS, report));
}
const sourceOf = (scenes: Scene[]): SceneSource => ({ size: (s) => (s === 'test' ? scenes.length : 0), getScene: (_s, i) => scenes[i]! });

before(async () => {
  await initBackend({ backend: 'wasm', log: null });
  for (const f of ['coco', 'refcoco']) await exportDataset(inMemory, f, dir(f));
  await exportDataset(inMemory.filter((r) => r.split === 'test'), 'vg', dir('vg'));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('grounded LM on dataset records', () => {
  test('adapter: exported RefCOCO (refs) gives back the scenes\' objects, names, boxes and referring expressions', async () => {
    const scenes = await adapted(`refcoco:${dir('refcoco')}?form=refs&split=test`);
    scenes.forEach((s, i) => {
      const want = testScenes[i]!;
      assert.deepEqual(s.image, want.image, 'pixels');
      assert.deepEqual(s.objects.map((o) => [o.name, o.box]), want.objects.map((o) => [o.name, o.box]));
      const exprs = (x: Scene) => x.referringExpressions.map((e) => `${e.words.join(' ')} → ${x.objects[e.target]!.box}`).sort();
      assert.deepEqual(exprs(s), exprs(want));
    });
    const vg = await adapted(`vg:${dir('vg')}?split=test`);
    vg.forEach((s, i) => assert.deepEqual(s.objects.map((o) => [o.name, o.regionPhrase]), testScenes[i]!.objects.map((o) => ['region', o.regionPhrase])));
  });

  test('a fixed trained grounded LM scores the same numbers on exported data as on the in-memory scenes', async (t) => {
    const codec = codecByName('bins64');
    const tok = groundedTokenizer(codec);
    const lm = extendVocabulary(new CausalLM({ vocabSize: textTokenizer().size, maxLength: 64, width: 16, depth: 1, heads: 2, mlpWidth: 32 }, 5), tok.size - textTokenizer().size, 6);
    const model = new GroundedLM(lm, { width: 16, depth: 1, heads: 2, mlpWidth: 32, outputDim: 16, patchSize: 16 }, 7);
    try {
      const pool = new ScenePool(ds);
      const weights = { detection: 1, regionCaption: 1, rec: 1, listing: 1 };
      const opts = { batchSize: 8, numScenes: 40, taskWeights: weights, randomOrder: false, noiseBoxes: 0, freezeTextEmbeddings: false, policy: { clipBoxes: false } };
      await train(stage1GroundedTask(model, tok, codec, pool, opts, newBoxWarnings(), {}), { steps: 12, seed: 0, optimizer: { lr: 3e-3 } });
      const e: EvaluateOptions = { split: 'test', count: 20, constrained: true, decoder: 'greedy', beams: 1, confidence: 'class', maxObjects: 6, chunk: 50, policy: { clipBoxes: false } };
      const n0 = tf.memory().numTensors;
      const full = evaluateGrounded(model, tok, codec, pool, e, newBoxWarnings());
      const refsFull = evaluateGrounded(model, tok, codec, new ScenePool(sourceOf(await adapted(`refcoco:${dir('refcoco')}?form=refs&split=test`))), e, newBoxWarnings());
      const want = full.metrics;
      const refs = refsFull.metrics;
      // the predictions themselves, not only their scores: every detection, listing and REC box
      assert.deepEqual(refsFull.images, full.images);
      // RefCOCO orders expressions by target, and has no field for how an expression singles its object out
      // (attributes, extremal, relation): the records' groups come from their words alone, so rows are compared without them
      const recRows = (rows: typeof full.rec) => rows.map(({ group: _group, ...r }) => JSON.stringify(r)).sort();
      assert.deepEqual(recRows(refsFull.rec), recRows(full.rec));
      const vg = evaluateGrounded(model, tok, codec, new ScenePool(sourceOf(await adapted(`vg:${dir('vg')}?split=test`))), e, newBoxWarnings()).metrics;
      assert.equal(tf.memory().numTensors, n0, 'no tensor leaked');
      assert.equal(want.rec.n, testScenes.reduce((n, s) => n + s.referringExpressions.length, 0));
      assert.ok(want.detection.nDetections > 0 && want.captions.n > 0);
      // RefCOCO carries objects and expressions: REC, detection and names are unchanged
      const { byGroup: _refsGroups, ...refsRec } = refs.rec;
      const { byGroup: _wantGroups, ...wantRec } = want.rec;
      assert.deepEqual(refsRec, wantRec);
      assert.deepEqual(refs.detection, want.detection);
      assert.deepEqual([refs.names, refs.namesFromDetection], [want.names, want.namesFromDetection]);
      assert.deepEqual([refs.parseFailures.rec, refs.parseFailures.detection, refs.parseFailures.listing], [want.parseFailures.rec, want.parseFailures.detection, want.parseFailures.listing]);
      // Visual Genome carries the region phrases: region captioning is unchanged
      assert.deepEqual([vg.captions, vg.parseFailures.caption], [want.captions, want.parseFailures.caption]);
      t.diagnostic(`both: REC ${want.rec.accuracy.toFixed(4)} (n ${want.rec.n}), mAP ${want.detection.AP.toFixed(4)} (${want.detection.nDetections} detections), names micro-F1 ${want.names.micro.f1.toFixed(4)}, captions exact ${want.captions.exactMatch.toFixed(4)} (n ${want.captions.n})`);
    } finally {
      model.dispose();
    }
  });

  test('buildRecordScenes: data vocabulary with [UNK], names as tokens, limits counted', async () => {
    const warnings: string[] = [];
    const coco = await records(`coco:${dir('coco')}`);
    const renamed = coco.map((r) => ({ ...r, objects: r.objects.map((o, k) => ({ ...o, name: k === 0 ? 'Traffic Light' : o.name })) }));
    const data = await buildRecordScenes(
      { train: renamed.filter((r) => r.split === 'train'), test: renamed.filter((r) => r.split === 'test') },
      { imageSize: 32, maxObjects: 2, maxWords: 20, maxVocabulary: 35, onWarning: (w) => warnings.push(w) },
    );
    assert.ok(data.names.includes('traffic_light') && data.vocabulary.includes('traffic_light'), 'a multi-word name is one token');
    assert.deepEqual(data.tasks, ['detection', 'regionCaption', 'listing'], 'COCO has no referring expressions');
    assert.ok(data.train.every((s) => s.objects.length <= 2 && s.width === 32));
    assert.ok(data.description.adapter.droppedObjects > 0);
    assert.match(warnings.join('\n'), /kept the 2 largest objects in \d+ record\(s\)/);
    const words = new Set(data.vocabulary);
    for (const s of [...data.train, ...data.test]) for (const t of [s.caption, ...s.regionPhrases]) for (const w of t.words) assert.ok(words.has(w), `'${w}' is in the vocabulary (or [UNK])`);
    assert.ok(data.description.vocabulary.unknownRate > 0 && data.vocabulary.length === 35, `${data.vocabulary.length} words, [UNK] rate ${data.description.vocabulary.unknownRate}`);
  });

  test('bad inputs: clear errors naming the flag or the records', async () => {
    await assert.rejects(groundedLmCommand(['--data', 'pascal:/x']), /grounded-lm: --data: unknown format 'pascal'.*supported formats: coco, refcoco, flickr30k, vg, scenes/);
    await assert.rejects(groundedLmCommand(['--test-data', 'coco:/x']), /--test-data needs --data/);
    const checklist = join(mkdtempSync(join(tmpdir(), 'alignscope-checklist-')), 'c.json');
    writeFileSync(checklist, JSON.stringify({ stage1: { taskWeights: { checklist: 1 } } }));
    await assert.rejects(groundedLmCommand(['--data', 'coco:/nowhere', '--config', checklist]), /GroundedLMConfig\.stage1\.taskWeights\.checklist: the checklist task asks about each of the grounded scenes' 8 shapes; dataset records \(--data\)/);
    const noImages = mkdtempSync(join(tmpdir(), 'alignscope-missing-'));
    await exportDataset(inMemory.slice(0, 12), 'coco', noImages);
    for (const r of inMemory.slice(0, 2)) unlinkSync(join(noImages, 'train', `${r.id}.png`));
    await assert.rejects(
      groundedLmCommand(['--data', `coco:${noImages}?split=train`, '--out', root, '--name', 'missing']),
      (e: Error) => /2 image file\(s\) missing \(of 12\)/.test(e.message) && e.message.includes(`${inMemory[0]!.id}.png`),
    );
    rmSync(noImages, { recursive: true, force: true });
    const bare = inMemory.slice(0, 10).map((r) => ({ ...r, objects: [], phrases: [], expressions: [] }));
    await assert.rejects(buildRecordScenes({ train: bare, test: bare }, { imageSize: 32, ...LIMITS }), /none of the 10 training records has a box/);
  });

  test('alignscope grounded-lm --data … --test-data … end to end (CLI, worker processes): metrics.json', () => {
    const cfg = join(root, 'tiny.json');
    writeFileSync(
      cfg,
      JSON.stringify({
        model: { width: 16, lmDepth: 1, encoderDepth: 1, heads: 2, patchSize: 16, maxLength: 48 },
        stage0: { steps: 2, batchSize: 4 },
        stage1: { steps: 2, batchSize: 4, warmupSteps: 1 },
        eval: { count: 10, maxObjects: 4 },
        lineIBaseline: { steps: 0 },
        seeds: 1,
        workers: 2,
      }),
    );
    const spec = (split: string) => `coco:${dir('coco')}?split=${split},refcoco:${dir('refcoco')}?form=finetune&split=${split}`;
    const main = resolve(__dirname, '../cli/main.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', main, 'grounded-lm', '--config', cfg, '--data', spec('train'), '--test-data', spec('test'), '--out', root, '--name', 'cli'], {
      encoding: 'utf8',
      env: { ...process.env, ALIGNSCOPE_BACKEND: 'wasm' },
      timeout: 120_000,
    });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const m = JSON.parse(readFileSync(join(root, 'cli', 'metrics.json'), 'utf8'));
    assert.equal(m.datasetConfig.kind, 'records');
    assert.deepEqual([m.datasetConfig.train.records, m.datasetConfig.test.records], [80, 40]);
    assert.deepEqual([m.config.data.trainScenes, m.config.data.testScenes, m.config.eval.count], [80, 40, 40], 'every test record is evaluated');
    assert.ok(m.datasetConfig.vocabulary.size > 0 && m.datasetConfig.names === 8);
    const E = testScenes.reduce((n, s) => n + s.referringExpressions.length, 0);
    assert.equal(m.runs.length, 3);
    for (const run of m.runs) {
      assert.equal(run.metrics.rec.n, E, 'every test expression is a REC row');
      assert.equal(run.metrics.detection.nImages, 40);
      assert.ok(typeof run.metrics.names.micro.f1 === 'number');
      assert.ok(run.recAttention.box.all.n > 0 && run.recAttention.box.all.n <= E && run.recAttention.firstCoordinate.all.n === run.recAttention.box.all.n, 'where the model looks, over the records’ expressions');
    }
    assert.ok(Object.values(m.summary.arms).every((a) => (a as { metrics: Record<string, unknown> }).metrics.recAcc));
    assert.match(m.lineIBaseline, /skipped \(--data/);
    const html = readFileSync(join(root, 'cli', 'report.html'), 'utf8');
    assert.ok(html.includes('data:image/png;base64,'));
    assert.ok(html.includes('Where the model looks while writing a REC box'));

    // --arms: one arm only; a scratch arm needs no stage 0; a data-parallel peer thread gets the records too
    const dp = join(root, 'tiny-dp.json');
    const tiny = JSON.parse(readFileSync(cfg, 'utf8'));
    writeFileSync(dp, JSON.stringify({ ...tiny, stage1: { ...tiny.stage1, dataParallel: 2, patchBoxWeight: 1, patchWordWeight: 1, answerAttentionWeight: 1, wordAttentionWeight: 1 } }));
    const one = spawnSync(process.execPath, ['--import', 'tsx', main, 'grounded-lm', '--config', dp, '--data', spec('train'), '--test-data', spec('test'), '--out', root, '--name', 'one-arm', '--arms', 'scratch-bins64'], {
      encoding: 'utf8',
      env: { ...process.env, ALIGNSCOPE_BACKEND: 'wasm' },
      timeout: 120_000,
    });
    assert.equal(one.status, 0, `${one.stdout}\n${one.stderr}`);
    const m1 = JSON.parse(readFileSync(join(root, 'one-arm', 'metrics.json'), 'utf8'));
    assert.deepEqual(m1.runs.map((r: { arm: { name: string } }) => r.arm.name), ['scratch-bins64']);
    assert.match(one.stdout + one.stderr, /1 gradient peer thread\(s\), effective batch 2 × 4/);
    assert.equal(m1.runs[0].steps, 2);
    assert.ok(!existsSync(join(root, 'one-arm', 'stage0-seed0')), 'no stage 0 for a scratch arm');
  });

  test('grounded-lm --arms: an unknown arm is an error listing the arms, before anything is written', async () => {
    await assert.rejects(groundedLmCommand(['--arms', 'pretrained-bins64,nope', '--out', root, '--name', 'bad-arms']), /--arms: unknown arm 'nope'; the arms of this config: pretrained-bins64, scratch-bins64, pretrained-grid16/);
    assert.ok(!existsSync(join(root, 'bad-arms')));
  });
});
