import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandShorthandProperties } from './expand_shorthand';

test('shorthand properties become explicit; everything else is untouched', () => {
  assert.equal(expandShorthandProperties('f({ policy, eps: 1 })'), 'f({ policy: policy, eps: 1 })');
  assert.equal(expandShorthandProperties('const o = { a, b };\nlet x = 1;'), 'const o = { a: a, b: b };\nlet x = 1;');
  assert.equal(expandShorthandProperties('({ a } = src);'), '({ a: a } = src);');
  // binding patterns, method shorthand, spreads and strings are not shorthand property assignments
  const untouched = 'const { a, b } = o;\nconst m = { f() { return 1; }, ...rest, "k": v };\nconst s = "{ a }";';
  assert.equal(expandShorthandProperties(untouched), untouched);
  // a default in a destructuring assignment keeps its form (it is not an object literal property)
  assert.equal(expandShorthandProperties('({ a = 1 } = src);'), '({ a = 1 } = src);');
});
