import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerGrammar } from './answer_grammar';
import { codecByName } from './codec_registry';
import { coordinateChooser, ordinalPick } from './coordinate_readout';
import { decodeGreedy, type NextLogProbs } from './decode_greedy';
import { resolveGroundedLMConfig } from './grounded_lm_config';
import { parseBox } from './parse_answer';
import { groundedTokenizer } from './sequence_vocabulary';
import { randomModel } from './test_support/random_model';

test('ordinalPick: median and mean bins of a hand-computed two-humped distribution', () => {
  // p = 0.4, 0, 0, 0.3, 0.3 over bins 0…4: argmax 0; CDF 0.4 0.4 0.4 0.7 → median bin 3; mean 0.9 + 1.2 = 2.1 → bin 2
  const lp = [0.4, 0, 0, 0.3, 0.3].map(Math.log);
  assert.equal(ordinalPick('median', [0, 1, 2, 3, 4], lp), 3);
  assert.equal(ordinalPick('mean', [0, 1, 2, 3, 4], lp), 2);
  // unnormalised log-probabilities (the allowed bins of a step hold part of the mass): the same picks
  const shifted = lp.map((x) => x - 5);
  assert.equal(ordinalPick('median', [0, 1, 2, 3, 4], shifted), 3);
  assert.equal(ordinalPick('mean', [0, 1, 2, 3, 4], shifted), 2);
  // bins that are not 0…N−1 (x2 after x1 = 9): values 10…13, mean 0.5·10 + 0.5·13 = 11.5 → the first nearest, 11
  assert.equal(ordinalPick('mean', [10, 11, 12, 13], [0.5, 0, 0, 0.5].map(Math.log)), 1);
  // exactly half the mass on the first bin: the median is that bin (CDF ≥ ½)
  assert.equal(ordinalPick('median', [0, 1], [0.5, 0.5].map(Math.log)), 0);
  assert.throws(() => ordinalPick('median', [], []), /no bins/);
});

test('coordinate read-out in greedy decoding: the median bin inside boxes, argmax elsewhere, boxes stay valid', () => {
  const codec = codecByName('bins64');
  const tok = groundedTokenizer(codec);
  const words = (ids: number[]): string[] => ids.map((i) => tok.wordOf(i));
  const bin = (k: number) => tok.idOf(`<bin_${k}>`);
  // every step: 0.4 on <bin_5>, 0.3 on <bin_20>, 0.3 on <bin_30>; tiny mass elsewhere (so the grammar's tokens exist)
  const model: NextLogProbs = (rows) => {
    const out = new Float32Array(rows.length * tok.size).fill(Math.log(1e-9));
    for (let r = 0; r < rows.length; r++) {
      out[r * tok.size + bin(5)] = Math.log(0.4);
      out[r * tok.size + bin(20)] = Math.log(0.3);
      out[r * tok.size + bin(30)] = Math.log(0.3);
    }
    return out;
  };
  const grammar = answerGrammar('box', codec, tok, { maxObjects: 6, maxWords: 8 });
  const allowed = (_p: number, a: readonly number[]) => grammar(words([...a]));
  const o = { maxNew: 8, eos: tok.eos, vocabSize: tok.size, allowed };
  const prompt = [[tok.bos, tok.idOf('locate'), tok.sep]];
  const argmax = decodeGreedy(model, prompt, o)[0]!;
  const median = decodeGreedy(model, prompt, { ...o, choose: coordinateChooser('median', codec, tok) })[0]!;
  // argmax: x1 5, y1 5, then x2 and y2 must exceed 5 → 20 (0.3 ties 0.3: the first); median: 20, 20, then above 20 → 30
  assert.deepEqual(words(argmax.ids), ['<box>', '<bin_5>', '<bin_5>', '<bin_20>', '<bin_20>', '</box>', '[EOS]']);
  assert.deepEqual(words(median.ids), ['<box>', '<bin_20>', '<bin_20>', '<bin_30>', '<bin_30>', '</box>', '[EOS]']);
  assert.equal(median.logProbs[1], Math.fround(Math.log(0.3)), "the chosen token's own log-probability is recorded");
  // random models: the median and mean read-outs still cannot write an invalid box
  for (const readout of ['median', 'mean'] as const) {
    const prompts = Array.from({ length: 30 }, () => prompt[0]!);
    for (const d of decodeGreedy(randomModel(tok.size, 7), prompts, { ...o, choose: coordinateChooser(readout, codec, tok) })) {
      const { box, failures } = parseBox(words(d.ids), codec, 64, 64);
      assert.equal(failures, 0, `${readout}: ${words(d.ids).join(' ')}`);
      assert.ok(box && box[0] < box[2] && box[1] < box[3]);
    }
  }
});

test('coordinate read-out: argmax is no hook; other codecs and bad names are errors naming the setting', () => {
  const bins = codecByName('bins64');
  assert.equal(coordinateChooser('argmax', bins, groundedTokenizer(bins)), undefined);
  for (const name of ['grid16', 'text1000']) {
    const codec = codecByName(name);
    assert.throws(() => coordinateChooser('median', codec, groundedTokenizer(codec)), new RegExp(`eval.coordinateReadout 'median' needs the bins codec .*'${name}'`));
  }
  assert.throws(() => coordinateChooser('mode' as never, bins, groundedTokenizer(bins)), /eval.coordinateReadout: expected 'argmax', 'median', 'mean'; got "mode"/);
  assert.throws(() => resolveGroundedLMConfig({ eval: { coordinateReadout: 'mode' } }), /GroundedLMConfig.eval.coordinateReadout: expected 'argmax', 'median', 'mean', got "mode"/);
  assert.throws(() => resolveGroundedLMConfig({ eval: { coordinateReadout: 'median', decoder: 'beam' } }), /GroundedLMConfig.eval.coordinateReadout: expected 'argmax' with eval.decoder 'beam'/);
  assert.throws(() => resolveGroundedLMConfig({ eval: { coordinateReadout: 'mean', constrained: false } }), /GroundedLMConfig.eval.coordinateReadout: expected 'argmax' with eval.constrained false/);
  assert.equal(resolveGroundedLMConfig({ eval: { coordinateReadout: 'median' } }).eval.coordinateReadout, 'median');
});
