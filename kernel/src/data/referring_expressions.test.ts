import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroundedScenes } from './grounded_scenes';
import {
  generateReferringExpressions,
  parseReferringExpression,
  resolveExpression,
  type ReferableObject,
} from './referring_expressions';
import { isContentRole } from './scene_vocabulary';

const ds = new GroundedScenes();
const scenes = ds.getScenes('test', 0, 400);

function obj(shape: ReferableObject['shape'], colour: ReferableObject['colour'], size: ReferableObject['size'], x: number, y: number): ReferableObject {
  return { shape, colour, size, center: [x, y] };
}

describe('referring expressions', () => {
  test('every expression, read back from its text alone, denotes exactly its target', () => {
    let count = 0;
    for (const s of scenes) {
      for (const r of s.referringExpressions) {
        const parsed = parseReferringExpression(r.text);
        assert.ok(parsed, `cannot parse "${r.text}"`);
        assert.deepEqual(resolveExpression(parsed, s.objects, ds.relationMargin), [r.target], `"${r.text}" in scene ${s.index}`);
        count++;
      }
    }
    assert.ok(count > 400);
  });

  test('every object has at least one expression; words point at the target or the landmark', () => {
    for (const s of scenes) {
      s.objects.forEach((_, i) => assert.ok(s.referringExpressions.some((r) => r.target === i), `scene ${s.index} object ${i}`));
      for (const r of s.referringExpressions) {
        r.words.forEach((w, k) => {
          const o = r.wordObject[k]!;
          if (!isContentRole(r.wordRole[k]!)) return assert.equal(o, -1);
          assert.ok(o === r.target || o === r.landmark, `"${r.text}": '${w}' → ${o}`);
          assert.ok(Object.values(s.objects[o]!).includes(w), `'${w}' is not an attribute of object ${o}`);
        });
        assert.ok(r.words.length + 2 <= 16, r.text);
      }
    }
  });

  test('distractors sharing attributes are common, so many expressions need more than the shape', () => {
    const multi = scenes.filter((s) => s.objects.length >= 2);
    const sharing = multi.filter((s) => s.objects.some((a, i) => s.objects.some((b, j) => i < j && (a.shape === b.shape || a.colour === b.colour))));
    assert.ok(sharing.length / multi.length > 0.5, `${sharing.length}/${multi.length} scenes with shared attributes`);
    const all = scenes.flatMap((s) => s.referringExpressions);
    const kinds = new Map<string, number>();
    for (const r of all) kinds.set(r.kind, (kinds.get(r.kind) ?? 0) + 1);
    assert.ok((kinds.get('relational') ?? 0) > 50, `relational: ${kinds.get('relational')}`);
    const longer = all.filter((r) => r.kind === 'attributes' && r.words.length > 2).length;
    assert.ok(longer > 100, `${longer} attribute expressions need colour or size`);
  });

  test('hand-made scene: two circles and a square', () => {
    const objects = [obj('circle', 'red', 'small', 10, 30), obj('circle', 'red', 'large', 50, 30), obj('square', 'blue', 'small', 30, 30)];
    const texts = generateReferringExpressions(objects, 3).map((r) => `${r.target}:${r.text}`);
    assert.deepEqual(texts, [
      '0:the small circle',
      '0:the circle left of the square',
      '1:the large circle',
      '1:the circle right of the square',
      '2:the square',
    ]);
    assert.deepEqual(resolveExpression(parseReferringExpression('the circle')!, objects, 3), [0, 1]);
    assert.deepEqual(resolveExpression(parseReferringExpression('the red circle right of the blue square')!, objects, 3), [1]);
    assert.deepEqual(resolveExpression(parseReferringExpression('the circle above the square')!, objects, 3), []);
    assert.deepEqual(resolveExpression(parseReferringExpression('the leftmost circle')!, objects, 3), [0]);
  });

  test('identical twins are told apart by an extremal; too-close twins by nothing', () => {
    const twins = [obj('star', 'green', 'small', 10, 10), obj('star', 'green', 'small', 40, 12)];
    assert.deepEqual(generateReferringExpressions(twins, 3).map((r) => `${r.kind}:${r.text}`), ['extremal:the leftmost star', 'extremal:the rightmost star']);
    const close = [obj('star', 'green', 'small', 10, 10), obj('star', 'green', 'small', 11, 11)];
    assert.deepEqual(generateReferringExpressions(close, 3), []);
  });

  test('the parser rejects texts outside the grammar', () => {
    for (const bad of ['', 'a red circle', 'the red', 'the circle left the square', 'the circle left of', 'the leftmost circle above the square', 'the circle circle']) {
      assert.equal(parseReferringExpression(bad), null, bad);
    }
    assert.deepEqual(parseReferringExpression('The Large Blue Square'), { filter: { shape: 'square', size: 'large', colour: 'blue' } });
  });
});

describe('referring expressions with identical objects allowed', () => {
  test('a small world full of twins: expressions stay unique, extremals appear', () => {
    const small = new GroundedScenes({ shapes: ['circle', 'square'], colours: ['red', 'blue'], allowIdenticalObjects: true, minObjects: 3 });
    let extremal = 0;
    for (const s of small.getScenes('train', 0, 150)) {
      for (const r of s.referringExpressions) {
        assert.deepEqual(resolveExpression(parseReferringExpression(r.text)!, s.objects, small.relationMargin), [r.target], r.text);
        if (r.kind === 'extremal') extremal++;
      }
    }
    assert.ok(extremal > 20, `${extremal} extremal expressions`);
  });
});
