import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroundedScenes } from './grounded_scenes';
import { SPECIAL_TOKENS } from './scene_vocabulary';
import { WordTokenizer } from './word_tokenizer';

const tok = WordTokenizer.forScenes();

describe('WordTokenizer', () => {
  test('the scene vocabulary fits the benchmark text encoder (≤ 64 tokens) with fixed special ids', () => {
    assert.ok(tok.size <= 64, `vocabulary has ${tok.size} tokens`);
    assert.deepEqual(SPECIAL_TOKENS.map((s) => tok.idOf(s)), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual([tok.pad, tok.bos, tok.eos, tok.unk, tok.sep, tok.maskToken], [0, 1, 2, 3, 4, 5]);
  });

  test('every word of every caption, region phrase and expression is one known token', () => {
    const ds = new GroundedScenes();
    for (const s of ds.getScenes('val', 0, 200)) {
      for (const t of [s.caption, ...s.regionPhrases, ...s.referringExpressions]) {
        assert.deepEqual(tok.tokenize(t.text), t.words);
        for (const w of t.words) assert.ok(tok.has(w), `'${w}' not in vocabulary`);
      }
    }
  });

  test('encode pads to length with a mask; decode inverts encode', () => {
    const text = 'a small red circle left of a large blue square';
    const ids = tok.encode(text, { length: 16 });
    assert.equal(ids.length, 16);
    assert.equal(ids[0], tok.bos);
    assert.equal(ids[11], tok.eos);
    assert.deepEqual(ids.slice(12), [0, 0, 0, 0]);
    assert.equal(tok.decode(ids), text);
    assert.equal(tok.decode(ids, { skipSpecialTokens: false }).split(' ').length, 16);
    const batch = tok.encodeBatch([text, 'the circle'], 16);
    assert.deepEqual(Array.from(batch.lengths), [12, 4]);
    assert.deepEqual(Array.from(batch.mask.subarray(16, 32)), [1, 1, 1, 1, ...new Array(12).fill(0)]);
    assert.deepEqual(Array.from(batch.ids.subarray(16, 20)), [tok.bos, tok.idOf('the'), tok.idOf('circle'), tok.eos]);
  });

  test('unknown words become [UNK]; punctuation and case are normalised; specials survive', () => {
    assert.deepEqual(tok.tokenize('The RED circle, [SEP] a blob.'), ['the', 'red', 'circle', ',', '[SEP]', 'a', 'blob', '.']);
    const ids = tok.encode('the blob', { addSpecialTokens: false });
    assert.deepEqual(ids, [tok.idOf('the'), tok.unk]);
    assert.equal(tok.decode(ids), 'the [UNK]');
  });

  test('too long: throws naming the length, or truncates keeping [EOS] last', () => {
    const long = 'a red circle and a red circle and a red circle and a red circle';
    assert.throws(() => tok.encode(long, { length: 8 }), /17 tokens do not fit length 8/);
    const cut = tok.encode(long, { length: 8, truncate: true });
    assert.equal(cut.length, 8);
    assert.equal(cut[7], tok.eos);
  });

  test('extend appends words and keeps existing ids; JSON round trip', () => {
    const ext = tok.extend(['<bin_0>', '<bin_1>', 'red']);
    assert.equal(ext.size, tok.size + 2);
    for (let i = 0; i < tok.size; i++) assert.equal(ext.wordOf(i), tok.wordOf(i));
    assert.equal(ext.idOf('<bin_1>'), tok.size + 1);
    assert.deepEqual(ext.tokenize('the <bin_1> circle'), ['the', '<bin_1>', 'circle']);
    const back = WordTokenizer.fromJSON(JSON.parse(JSON.stringify(ext)));
    assert.deepEqual(back.vocabulary, ext.vocabulary);
  });

  test('invalid vocabularies throw, naming the problem', () => {
    assert.throws(() => new WordTokenizer(['[BOS]', '[PAD]']), /vocabulary\[0\] must be '\[PAD\]'/);
    assert.throws(() => new WordTokenizer([...SPECIAL_TOKENS, 'a', 'a']), /lists 'a' twice/);
    assert.throws(() => new WordTokenizer(['[PAD]', 'a']), /lacks the special token '\[BOS\]'/);
    assert.throws(() => tok.wordOf(999), /id 999 is outside/);
  });
});
