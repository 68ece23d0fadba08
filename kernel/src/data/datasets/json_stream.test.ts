import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readJsonFile, scanJson } from './json_stream';

const dir = mkdtempSync(join(tmpdir(), 'alignscope-json-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (text: string | Buffer) => {
  const p = join(dir, `f${n++}.json`);
  writeFileSync(p, text);
  return p;
};
const collect = (p: string, keys: string[] | null) => {
  const got: [string, unknown][] = [];
  const r = scanJson(p, keys, (k, v) => got.push([k, v]));
  return { got, keys: r.keys };
};

describe('scanJson', () => {
  test('streams the elements of the chosen top-level arrays, skips the rest, agrees with JSON.parse', () => {
    const doc = {
      info: { nested: [1, { a: 'x]}' }], s: 'a "quote" and \\ and \u00e9 and \ud83d\ude00' },
      images: [{ id: 1, n: -0.5e-3 }, { id: 2, t: true, f: false, z: null }, [], {}, 'Grüße 東京'],
      skip: [[[[]]], 1e10],
      annotations: [],
    };
    const { got, keys } = collect(file(JSON.stringify(doc, null, 2)), ['images', 'annotations']);
    assert.deepEqual(got.map(([, v]) => v), doc.images);
    assert.deepEqual([...keys], [['info', -1], ['images', 5], ['skip', -1], ['annotations', 0]]);
  });

  test('a top-level array; elements spanning the 1 MiB chunk boundary', () => {
    const big = Array.from({ length: 3000 }, (_, i) => ({ id: i, phrase: `région ${i} `.repeat(40) }));
    const { got } = collect(file(JSON.stringify(big)), null);
    assert.equal(got.length, 3000);
    assert.deepEqual(got[2999]![1], big[2999]);
    assert.ok(got.every(([k, v], i) => k === '' && (v as { id: number }).id === i));
  });

  const bad: [string, string, RegExp][] = [
    ['trailing comma', '{"images": [1, 2,]}', /line 1, column 18 \(byte 17\): expected a JSON value; found '\]'/],
    ['bad literal', '{"images": [tru]}', /line 1, column 16 .*expected 'true'; found '\]'/],
    ['unterminated string', '{"images": ["abc', /expected a closing '"'; found the end of the file/],
    ['raw newline in a string', '{"images": ["a\nb"]}', /line 1, column 15 .*control characters must be escaped/],
    ['bad escape', '{"images": ["\\q"]}', /expected an escape character/],
    ['number', '{"images": [01]}', /column 14 .*expected ',' or '\]' after an array element; found '1'/],
    ['missing colon on line 3', '{\n "a": 1,\n "images" [1]}', /line 3, column 11 .*expected ':' after an object key/],
    ['trailing garbage', '{"images": []} x', /expected the end of the file after the top-level value/],
    ['not an array', '{"images": {"id": 1}}', /expected '\[' \(the value of 'images' must be an array\)/],
  ];
  for (const [name, text, re] of bad) {
    test(`malformed: ${name} → file name, line, column`, () => {
      const p = file(text);
      assert.throws(() => scanJson(p, ['images'], () => {}), (e: Error) => e.message.startsWith(`${p}: malformed JSON at line`) && re.test(e.message));
    });
  }

  test('an error after the first chunk reports the right line', () => {
    const lines = Array.from({ length: 40000 }, (_, i) => `{"id": ${i}, "phrase": "some words here"}`);
    const p = file(`[\n${lines.join(',\n')},\n{"id": 1 "x": 2}]`);
    assert.throws(() => scanJson(p, null, () => {}), /line 40002, column 10 .*expected ',' or '}' after an object member; found '"'/);
  });

  test('a UTF-8 byte order mark is skipped', () => {
    assert.deepEqual(collect(file(Buffer.from('\ufeff{"images": [1]}', 'utf8')), ['images']).got, [['images', 1]]);
  });

  test('readJsonFile validates with the same positions', () => {
    assert.deepEqual(readJsonFile(file(' [1, {"a": [true]}] ')), [1, { a: [true] }]);
    assert.throws(() => readJsonFile(file('[1, }')), /line 1, column 5/);
  });
});
