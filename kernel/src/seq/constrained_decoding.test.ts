import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SHAPES } from '../data/scene_vocabulary';
import { answerGrammar } from './answer_grammar';
import { codecByName } from './codec_registry';
import { decodeBeam } from './decode_beam';
import { decodeGreedy, type NextLogProbs } from './decode_greedy';
import { parseBox, parseNames, parseObjects } from './parse_answer';
import { groundedTokenizer } from './sequence_vocabulary';
import { randomModel } from './test_support/random_model';

for (const name of ['bins64', 'grid16', 'text1000']) {
  const codec = codecByName(name);
  const tok = groundedTokenizer(codec);
  const words = (ids: number[]): string[] => ids.map((i) => tok.wordOf(i));
  const prompts = Array.from({ length: 40 }, () => [tok.bos, tok.idOf('locate'), tok.sep]);

  test(`${name}: constrained greedy and beam decoding cannot emit an invalid box (REC)`, () => {
    const grammar = answerGrammar('box', codec, tok, { maxObjects: 6, maxWords: 8 });
    const allowed = (_p: number, a: readonly number[]) => grammar(words([...a]));
    for (const decode of ['greedy', 'beam'] as const) {
      const o = { maxNew: 20, eos: tok.eos, vocabSize: tok.size, allowed };
      const outs = decode === 'greedy' ? decodeGreedy(randomModel(tok.size, 1), prompts, o) : decodeBeam(randomModel(tok.size, 2), prompts.slice(0, 8), { ...o, beams: 3 });
      for (const d of outs) {
        const { box, failures } = parseBox(words(d.ids), codec, 64, 64);
        assert.equal(failures, 0, `${decode}: ${words(d.ids).join(' ')}`);
        assert.ok(box && box[0] < box[2] && box[1] < box[3]);
        assert.equal(d.ids[d.ids.length - 1], tok.eos);
      }
    }
  });

  test(`${name}: constrained detection yields only valid boxes with vocabulary names; unconstrained output is parsed without throwing`, () => {
    const grammar = answerGrammar('boxesWithNames', codec, tok, { maxObjects: 4, maxWords: 8 });
    const o = { maxNew: 4 * 20 + 1, eos: tok.eos, vocabSize: tok.size, allowed: (_p: number, a: readonly number[]) => grammar(words([...a])) };
    for (const d of decodeGreedy(randomModel(tok.size, 3), prompts, o)) {
      const p = parseObjects(words(d.ids), codec, 64, 64);
      assert.equal(p.failures, 0, words(d.ids).join(' '));
      for (const obj of p.objects) assert.ok((SHAPES as readonly string[]).includes(obj.name) && obj.box[0] < obj.box[2] && obj.box[1] < obj.box[3]);
    }
    let failures = 0;
    for (const d of decodeGreedy(randomModel(tok.size, 4), prompts, { ...o, allowed: undefined })) {
      failures += parseObjects(words(d.ids), codec, 64, 64).failures + parseBox(words(d.ids), codec, 64, 64).failures;
    }
    assert.ok(failures > 0, 'random unconstrained output produces counted parse failures');
  });
}

test('listing grammar: distinct names from the vocabulary, then [EOS]', () => {
  const codec = codecByName('bins64');
  const tok = groundedTokenizer(codec);
  const grammar = answerGrammar('names', codec, tok, { maxObjects: 6, maxWords: 8 });
  const outs = decodeGreedy(randomModel(tok.size, 5), [[tok.bos, tok.idOf('list'), tok.sep]], {
    maxNew: 12, eos: tok.eos, vocabSize: tok.size, allowed: (_p, a) => grammar(a.map((i) => tok.wordOf(i))),
  });
  const p = parseNames(outs[0]!.ids.map((i) => tok.wordOf(i)));
  assert.equal(p.failures, 0);
  assert.equal(new Set(p.names).size, p.names.length);
});

test('beam search finds the best-scoring sequence where greedy does not; beams = 1 equals greedy', () => {
  // 3 tokens: 0 = EOS, 1 = a, 2 = b. First step: a 0.6, b 0.4. After a: EOS 0.3 (else a/b); after b: EOS 0.9.
  const V = 3;
  const lp = (p: number[]) => p.map(Math.log);
  const next: NextLogProbs = (rows) => {
    const out = new Float32Array(rows.length * V);
    rows.forEach((r, i) => {
      const last = r[r.length - 1];
      const p = r.length === 1 ? [1e-6, 0.6, 0.4] : last === 1 ? [0.3, 0.35, 0.35] : [0.9, 0.05, 0.05];
      out.set(lp(p), i * V);
    });
    return out;
  };
  const o = { maxNew: 2, eos: 0, vocabSize: V, allowed: (_p: number, a: readonly number[]) => (a.length >= 1 ? [0] : [1, 2]) };
  const greedy = decodeGreedy(next, [[9]], o)[0]!;
  const beam = decodeBeam(next, [[9]], { ...o, beams: 2 })[0]!;
  assert.deepEqual(greedy.ids, [1, 0]); // 0.6 · 0.3 = 0.18
  assert.deepEqual(beam.ids, [2, 0]); // 0.4 · 0.9 = 0.36
  assert.deepEqual(decodeBeam(next, [[9]], { ...o, beams: 1 })[0]!.ids, greedy.ids);
});

test('parsers never throw on malformed sequences and count each failure', () => {
  const codec = codecByName('bins64');
  const junk = [[], ['[EOS]'], ['<box>'], ['</box>', 'circle'], ['<box>', '<bin_3>', '</box>', 'circle', '[EOS]'], ['<box>', '<bin_1>', '<bin_1>', '<bin_9>', '<bin_9>', '</box>', 'zebra'], ['circle', 'circle', 'square']];
  for (const w of junk) {
    assert.doesNotThrow(() => parseObjects(w, codec, 64, 64));
    assert.doesNotThrow(() => parseBox(w, codec, 64, 64));
    assert.doesNotThrow(() => parseNames(w));
  }
  assert.equal(parseBox(['<box>', '<bin_3>', '</box>', '[EOS]'], codec, 64, 64).failures, 1);
  const p = parseObjects(['<box>', '<bin_1>', '<bin_1>', '<bin_9>', '<bin_9>', '</box>', 'circle', '<box>', '<bin_3>', '</box>', 'star', '[EOS]'], codec, 64, 64);
  assert.equal(p.objects.length, 1);
  assert.equal(p.failures, 1);
  assert.equal(parseObjects(['<box>', '<bin_1>', '<bin_1>', '<bin_9>', '<bin_9>', '</box>', 'circle'], codec, 64, 64).failures, 1, 'a missing [EOS] (truncation) is a failure');
  assert.equal(parseObjects(['<box>', '<bin_1>', '<bin_1>', '<bin_9>', '<bin_9>', '</box>', '<noise>', '[EOS]'], codec, 64, 64).noise, 1);
});
