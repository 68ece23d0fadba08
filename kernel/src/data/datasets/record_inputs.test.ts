import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroundedScenes } from '../grounded_scenes';
import { buildWordVocabulary } from '../word_vocabulary';
import { WordTokenizer } from '../word_tokenizer';
import { captionGroundTruth } from './caption_ground_truth';
import { emptyRecord, type DatasetRecord } from './dataset_record';
import { holdOutRecords } from './held_out_split';
import { resizeRecords } from './resize_records';
import { sceneToRecord } from './scene_to_record';
import { tokenSpans } from './token_spans';
import { loadTrainTestRecords } from './train_test_sources';

const tok = WordTokenizer.forScenes();

describe('record inputs: tokens, vocabulary, per-token boxes, held-out split, resizing', () => {
  test('tokenSpans: the tokenizer\'s tokens with their character spans (punctuation, case, specials)', () => {
    const text = 'A Man,  smiling. [SEP] ok!';
    const spans = tokenSpans(text, tok);
    assert.deepEqual(spans.map((s) => s.word), tok.tokenize(text));
    for (const s of spans) assert.equal(text.slice(...s.span).toLowerCase(), s.word.toLowerCase());
    assert.deepEqual(spans[1], { word: 'man', span: [2, 5] });
    assert.deepEqual(spans[2], { word: ',', span: [5, 6] });
  });

  test('buildWordVocabulary: specials, reserved, then by count (ties a→z), capped with [UNK] counted', () => {
    const texts = [['b', 'a', 'c'], ['a', 'c'], ['a', 'd']];
    const { tokenizer, stats } = buildWordVocabulary(texts, { maxSize: 9, reserved: ['zzz'] });
    assert.deepEqual(tokenizer.vocabulary.slice(6), ['zzz', 'a', 'c']);
    assert.deepEqual(stats, { size: 9, maxSize: 9, distinctWords: 4, droppedWords: 2, tokens: 7, unknownTokens: 2, unknownRate: 2 / 7 });
    assert.equal(tokenizer.idOf('d'), tokenizer.unk);
    assert.throws(() => buildWordVocabulary(texts, { maxSize: 6, reserved: ['x'] }), /maxSize must be an integer ≥ 7/);
  });

  test('captionGroundTruth: the scene caption\'s own word → object boxes; articles and unboxed words are not grounded', () => {
    const scene = new GroundedScenes({ seed: 3 }).getScene('test', 0);
    const gt = captionGroundTruth(sceneToRecord(scene), 0, tok);
    assert.deepEqual(gt.words, scene.caption.words);
    gt.tokenBox.forEach((b, k) => {
      const o = scene.caption.wordObject[k]!;
      assert.equal(b >= 0, o >= 0, `word '${gt.words[k]}'`);
      if (o >= 0) assert.deepEqual(gt.boxes[b], scene.objects[o]!.box);
    });
    // a Flickr30k-style phrase with two boxes: the union (merged box), typed by its entity type
    const r: DatasetRecord = { ...emptyRecord('1', 'test', { kind: 'memory', rgb: new Uint8Array(0) }, 100, 100), captions: ['The two men talk.'] };
    r.phrases.push({ text: 'The two men', boxes: [[0, 0, 10, 10], [50, 50, 60, 70]], caption: 0, span: [0, 11], type: 'people' });
    const g = captionGroundTruth(r, 0, tok);
    assert.deepEqual(g.tokenBox, [-1, 0, 0, -1, -1]);
    assert.deepEqual(g.boxes, [[0, 0, 60, 70]]);
    assert.deepEqual(g.roles, ['', 'people', 'people', '', '']);
  });

  test('holdOutRecords: deterministic, at most a fifth, train keeps its order; too few is an error naming --test-data', () => {
    const rs = Array.from({ length: 50 }, (_, i) => emptyRecord(String(i), 'train', { kind: 'memory', rgb: new Uint8Array(0) }, 1, 1));
    const a = holdOutRecords(rs, 500, 7);
    assert.equal(a.test.length, 10);
    assert.equal(a.train.length, 40);
    assert.deepEqual(holdOutRecords(rs, 500, 7).test.map((r) => r.id), a.test.map((r) => r.id));
    assert.notDeepEqual(holdOutRecords(rs, 500, 8).test.map((r) => r.id), a.test.map((r) => r.id));
    assert.ok(a.train.every((r, i) => i === 0 || Number(r.id) > Number(a.train[i - 1]!.id)));
    assert.equal(holdOutRecords(rs, 3, 0).test.length, 3);
    assert.throws(() => holdOutRecords(rs.slice(0, 9), 5, 0), /9 record\(s\) are too few.*--test-data/);
  });

  test('loadTrainTestRecords: --data alone holds out a slice; --test-data gives the test records; no records names the flag', async () => {
    const held = await loadTrainTestRecords({ data: 'scenes:?split=train&limit=30', holdOut: 100, seed: 0 });
    assert.deepEqual([held.train.length, held.test.length], [24, 6]);
    assert.match(held.rule, /held out: 6 of 30 records/);
    const given = await loadTrainTestRecords({ data: 'scenes:?split=train&limit=5', testData: 'scenes:?split=test&limit=3', holdOut: 100, seed: 0 });
    assert.deepEqual([given.train.length, given.test.length, given.sources.map((s) => s.role)], [5, 3, ['train', 'test']]);
    await assert.rejects(loadTrainTestRecords({ data: 'scenes:?limit=0', holdOut: 1, seed: 0 }), /--data: the sources gave no records/);
  });

  test('resizeRecords: identity at the same size; boxes follow a resize; a size mismatch names the record', async () => {
    const scene = new GroundedScenes({ seed: 1, imageSize: 32 }).getScene('test', 2);
    const r = sceneToRecord(scene);
    const same = (await resizeRecords([r], 32)).records[0]!;
    assert.deepEqual(same, { ...r, image: { kind: 'memory', rgb: scene.image } });
    const half = (await resizeRecords([r], 16)).records[0]!;
    assert.equal(half.width, 16);
    assert.deepEqual(half.objects[0]!.box, r.objects[0]!.box.map((v) => v / 2));
    await assert.rejects(resizeRecords([{ ...r, width: 33 }], 16), new RegExp(`record ${r.id} \\(test\\).*33×32`));
  });
});
