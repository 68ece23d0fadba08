import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend';
import { exportDataset } from '../data/datasets/dataset_export';
import { loadDataSources } from '../data/datasets/data_sources';
import type { DatasetRecord } from '../data/datasets/dataset_record';
import { projectRecord } from '../data/datasets/format_projection';
import { sceneToRecord } from '../data/datasets/scene_to_record';
import { GroundedScenes } from '../data/grounded_scenes';
import { WordTokenizer } from '../data/word_tokenizer';
import { train } from '../train/trainer';
import { alignmentTask } from './alignment_task';
import { DualEncoder } from './dual_encoder';
import { evaluateModel } from './evaluate_model';
import { experimentCommand, parseExperimentArgs } from './experiment_command';
import { QUICK_OVERRIDES, resolveExperimentConfig } from './experiment_config';
import { buildExperimentData, type ExperimentData } from './experiment_data';
import { buildRecordsExperimentData } from './records_experiment_data';
import { rerenderReport } from './rerender_report';

// 40 train + 20 test grounded scenes at the experiment's own image size (32 px), exported as datasets
const config = resolveExperimentConfig(
  { data: { trainScenes: 40, testScenes: 20 }, train: { steps: 6, batchSize: 8, warmupSteps: 0 }, eval: { showImages: 1, rerankK: 5 } },
  resolveExperimentConfig(QUICK_OVERRIDES),
);
const ds = new GroundedScenes({ seed: config.data.seed, imageSize: config.data.imageSize, textLength: config.data.textLength, splits: { train: 40, val: 0, test: 20 } });
const inMemory = [...ds.getScenes('train', 0, 40), ...ds.getScenes('test', 0, 20)].map(sceneToRecord);
const root = mkdtempSync(join(tmpdir(), 'alignscope-records-experiment-'));
const dir = (f: string) => join(root, f);
const quiet = { onWarning: () => {} };
const records = async (spec: string): Promise<DatasetRecord[]> => (await loadDataSources(spec, quiet)).flatMap((l) => l.records);
const byRole = (rs: DatasetRecord[]) => ({ train: rs.filter((r) => r.split === 'train'), test: rs.filter((r) => r.split === 'test') });

before(async () => {
  await initBackend({ backend: 'wasm', log: null });
  for (const f of ['flickr30k', 'coco', 'refcoco']) await exportDataset(inMemory, f, dir(f));
});
after(() => rmSync(root, { recursive: true, force: true }));

/** A model trained a few steps on the scenes' arrays (fixed: seed 1). */
async function trainedModel(data: ExperimentData): Promise<DualEncoder> {
  const model = new DualEncoder(config, data.vocabSize, 1);
  const t = config.train;
  await train(alignmentTask(config, 'ot', model, data.train), { steps: t.steps, seed: 1, optimizer: { kind: 'adamw', lr: t.lr, weightDecay: t.weightDecay } });
  return model;
}

describe('experiment on dataset records', () => {
  test('exported Flickr30k Entities, read back with the scenes\' tokenizer, gives buildExperimentData\'s arrays', async () => {
    const scenes = buildExperimentData(config);
    const split = { train: await records(`flickr30k:${dir('flickr30k')}?split=train`), test: await records(`flickr30k:${dir('flickr30k')}?split=test`) };
    const { data, config: used } = await buildRecordsExperimentData(split, config, { tokenizer: WordTokenizer.forScenes(), ...quiet });
    assert.equal(used.data.trainScenes, 40);
    assert.equal(used.data.testScenes, 20);
    assert.equal(data.vocabSize, scenes.vocabSize);
    for (const k of ['images', 'ids', 'mask'] as const) {
      assert.deepEqual(data.train[k], scenes.train[k], `train.${k}`);
      assert.deepEqual(data.test[k], scenes.test[k], `test.${k}`);
    }
    for (const k of ['tokenContent', 'tokenBox', 'words', 'roles'] as const) assert.deepEqual(data.test[k], scenes.test[k], `test.${k}`);
    assert.deepEqual(Array.from(data.test.tokenObject, (o) => o >= 0), Array.from(scenes.test.tokenObject, (o) => o >= 0), 'the same tokens are grounded');
  });

  test('a fixed trained model scores the same numbers on the exported data as on the in-memory scenes', async (t) => {
    const scenes = buildExperimentData(config);
    const model = await trainedModel(scenes);
    try {
      const tok = WordTokenizer.forScenes();
      const flickr = { train: await records(`flickr30k:${dir('flickr30k')}?split=train`), test: await records(`flickr30k:${dir('flickr30k')}?split=test`) };
      const fromDisk = (await buildRecordsExperimentData(flickr, config, { tokenizer: tok, ...quiet })).data;
      const n0 = tf.memory().numTensors;
      const want = await evaluateModel(model, scenes.test, config, 'ot');
      const got = await evaluateModel(model, fromDisk.test, config, 'ot');
      assert.equal(tf.memory().numTensors, n0, 'no tensor leaked by evaluation');
      assert.ok(want.metrics['grounding.words']! > 20 && Number.isFinite(want.metrics['grounding.own.hitAt1']));
      assert.deepEqual(got.metrics, want.metrics);
      const m = want.metrics;
      t.diagnostic(`both: grounding hit@1 ${m['grounding.own.hitAt1']!.toFixed(4)} on ${m['grounding.words']} words, i2t R@1 ${m['retrieval.own.i2t.R@1']!.toFixed(4)}, t2i R@5 ${m['retrieval.own.t2i.R@5']!.toFixed(4)}`);
      // the built vocabulary too: the in-memory scene records (what Flickr30k carries of them) and their export give the same data
      const built = (await buildRecordsExperimentData(byRole(inMemory.map((r) => projectRecord(r, 'flickr30k'))), config, quiet)).data;
      const builtDisk = (await buildRecordsExperimentData(flickr, config, quiet)).data;
      assert.deepEqual(builtDisk.vocabulary, built.vocabulary);
      assert.deepEqual(builtDisk.test, built.test);
      assert.ok(built.vocabSize < tok.size, `built from the training captions: ${built.vocabSize} words (relations etc. absent from captions are not in it)`);
    } finally {
      model.dispose();
    }
  });

  test('REC metrics from RefCOCO expressions; records without boxes still give retrieval', async () => {
    const tok = WordTokenizer.forScenes();
    const refcoco = byRole(await records(`refcoco:${dir('refcoco')}?form=finetune`));
    const { data } = await buildRecordsExperimentData(refcoco, config, { tokenizer: tok, ...quiet });
    const E = inMemory.filter((r) => r.split === 'test').reduce((n, r) => n + r.expressions.length, 0);
    assert.equal(data.test.expressions?.count, E);
    assert.equal(data.test.tokenContent.reduce((a, b) => a + b, 0), 0, 'expressions carry no word-level boxes');
    const scenes = buildExperimentData(config);
    const model = await trainedModel(scenes);
    try {
      const m = (await evaluateModel(model, data.test, config, 'global+ot')).metrics;
      assert.equal(m['rec.n'], E);
      for (const k of ['rec.own.accuracy', 'rec.plan.accuracy', 'rec.sim.accuracy', 'rec.chance', 'retrieval.own.i2t.R@1']) assert.ok(Number.isFinite(m[k]), `${k} = ${m[k]}`);
      assert.ok(m['rec.chance']! > 0 && m['rec.chance']! < 1);
      assert.equal(m['grounding.words'], 0);
      assert.ok(Number.isNaN(m['grounding.own.hitAt1']));
    } finally {
      model.dispose();
    }
  });

  test('alignscope experiment --data … --test-data …: metrics.json with the records, vocabulary and metric keys', async () => {
    const cfgFile = dir('quick.json');
    writeFileSync(cfgFile, JSON.stringify({ methods: ['global', 'ot'], seeds: 1, workers: 1, train: { steps: 2, batchSize: 8, warmupSteps: 0 }, eval: { showImages: 1 }, data: { maxVocabulary: 20 } }));
    const trainSpec = `flickr30k:${dir('flickr30k')}?split=train,refcoco:${dir('refcoco')}?split=train`;
    const testSpec = `flickr30k:${dir('flickr30k')}?split=test,refcoco:${dir('refcoco')}?split=test`;
    assert.equal(await experimentCommand(['--quick', '--config', cfgFile, '--data', trainSpec, '--test-data', testSpec, '--out', root, '--name', 'cli', '--backend', 'wasm']), 0);
    const m = JSON.parse(readFileSync(join(root, 'cli', 'metrics.json'), 'utf8'));
    assert.equal(m.datasetConfig.kind, 'records');
    assert.equal(m.datasetConfig.train.records, 80);
    assert.equal(m.datasetConfig.test.records, 40);
    assert.deepEqual(m.datasetConfig.test.texts, { caption: 20, expression: 20, region: 0 });
    assert.equal(m.datasetConfig.vocabulary.size, 20, 'capped at data.maxVocabulary');
    assert.ok(m.datasetConfig.vocabulary.unknownRate > 0, 'the cap maps rare words to [UNK], counted');
    assert.equal(m.config.data.trainScenes, 80);
    assert.deepEqual(Object.keys(m.methods), ['global', 'ot']);
    for (const k of ['retrieval.own.i2t.R@1', 'retrieval.own.t2i.R@10', 'grounding.own.hitAt1', 'rec.own.accuracy', 'rec.n']) {
      assert.equal(m.methods.ot[k]?.n, 1, `${k}: ${JSON.stringify(m.methods.ot[k])}`);
    }
    assert.ok(m.methods.ot['rec.n'].mean > 0 && m.methods.ot['grounding.words'].mean > 0);
    assert.ok(m.sampleImages && Object.keys(m.sampleImages).length >= 1, 'shown test images stored for --report-only');
    assert.equal(await experimentCommand(['--report-only', '--out', root, '--name', 'cli']), 0);
    // the re-rendered table has the REC column a fresh run adds
    assert.match(rerenderReport(join(root, 'cli')).table.split('\n')[0]!, /REC acc/);
  });

  test('bad inputs: clear errors naming the flag or the record', async () => {
    assert.throws(() => parseExperimentArgs(['--data', 'imagenet:/x']), /experiment: --data: unknown format 'imagenet'.*supported formats: coco, refcoco, flickr30k, vg, scenes/);
    assert.throws(() => parseExperimentArgs(['--data', 'coco:/x', '--test-data', 'coco:/x?limt=2']), /--test-data coco: unknown option 'limt'/);
    assert.throws(() => parseExperimentArgs(['--test-data', 'coco:/x']), /--test-data needs --data/);
    const noImages = mkdtempSync(join(tmpdir(), 'alignscope-missing-'));
    await exportDataset(inMemory.slice(0, 12), 'coco', noImages);
    for (const r of inMemory.slice(0, 3)) unlinkSync(join(noImages, 'train', `${r.id}.png`));
    await assert.rejects(
      experimentCommand(['--data', `coco:${noImages}?split=train`, '--out', root, '--name', 'missing']),
      (e: Error) => /3 image file\(s\) missing \(of 12\)/.test(e.message) && e.message.includes(`${inMemory[0]!.id}.png`) && /skipMissing/.test(e.message),
    );
    // skipMissing: dropped and counted, the rest held out (9 records → too few for a test slice: named)
    await assert.rejects(experimentCommand(['--data', `coco:${noImages}?split=train&skipMissing`, '--out', root, '--name', 'missing2']), /9 record\(s\) are too few to hold out/);
    rmSync(noImages, { recursive: true, force: true });
    const warnings: string[] = [];
    const bare = inMemory.slice(0, 12).map((r, i) => (i < 2 ? { ...r, captions: [], expressions: [], phrases: [] } : r));
    await assert.rejects(
      buildRecordsExperimentData({ train: bare.slice(0, 9), test: bare.slice(9) }, config, { onWarning: (w) => warnings.push(w) }),
      /7 training record\(s\) with a text; train.batchSize 8 needs at least that many/,
    );
    assert.match(warnings.join('\n'), new RegExp(`skipped 2 training record\\(s\\) without a caption.*record ${bare[0]!.id}`));
  });
});
