import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deepFreeze, mergeConfig } from './merge_config';

interface Cfg {
  lr: number;
  name: string;
  on: boolean;
  sizes: number[];
  nested: { a: number; b: string };
  extra: unknown;
}
const DEFAULTS: Readonly<Cfg> = Object.freeze({
  lr: 0.001,
  name: 'x',
  on: true,
  sizes: [1, 2],
  nested: Object.freeze({ a: 1, b: 'b' }),
  extra: null,
});

describe('mergeConfig', () => {
  test('no overrides gives an equal, independent copy', () => {
    const c = mergeConfig(DEFAULTS, undefined, 'Cfg');
    assert.deepEqual(c, DEFAULTS);
    c.sizes.push(3);
    c.nested.a = 9;
    assert.deepEqual(DEFAULTS.sizes, [1, 2]);
    assert.equal(DEFAULTS.nested.a, 1);
  });

  test('overrides replace values; nested objects merge key by key; arrays replace', () => {
    const c = mergeConfig(DEFAULTS, { lr: 0.1, nested: { b: 'z' }, sizes: [5], extra: { any: 'thing' } }, 'Cfg');
    assert.equal(c.lr, 0.1);
    assert.deepEqual(c.nested, { a: 1, b: 'z' });
    assert.deepEqual(c.sizes, [5]);
    assert.deepEqual(c.extra, { any: 'thing' });
    assert.equal(mergeConfig(DEFAULTS, { lr: undefined }, 'Cfg').lr, 0.001);
  });

  test('an unknown key throws, naming it, the nearest known key and the known keys', () => {
    assert.throws(() => mergeConfig(DEFAULTS, { lrr: 1 }, 'Cfg'), /^Error: Cfg: unknown key 'lrr' \(did you mean 'lr'\?\); known keys: lr, name, on, sizes, nested, extra\.$/);
    assert.throws(() => mergeConfig(DEFAULTS, { nested: { c: 1 } }, 'Cfg'), /Cfg\.nested: unknown key 'c'/);
    assert.throws(() => mergeConfig(DEFAULTS, { zzzzzz: 1 }, 'Cfg'), (e: Error) => !e.message.includes('did you mean'));
  });

  test('a wrong type throws, naming the key, the expected type and the value seen', () => {
    assert.throws(() => mergeConfig(DEFAULTS, { lr: '0.1' }, 'Cfg'), /^Error: Cfg\.lr: expected number, got string "0\.1"\.$/);
    assert.throws(() => mergeConfig(DEFAULTS, { on: 1 }, 'Cfg'), /Cfg\.on: expected boolean, got number 1/);
    assert.throws(() => mergeConfig(DEFAULTS, { lr: Number.NaN }, 'Cfg'), /Cfg\.lr: expected finite number, got number NaN/);
    assert.throws(() => mergeConfig(DEFAULTS, { sizes: 3 }, 'Cfg'), /Cfg\.sizes: expected array, got number 3/);
    assert.throws(() => mergeConfig(DEFAULTS, { sizes: [1, 'x'] }, 'Cfg'), /Cfg\.sizes\[1\]: expected number, got string "x"/);
    assert.throws(() => mergeConfig(DEFAULTS, { nested: 5 }, 'Cfg'), /Cfg\.nested: expected an object of settings, got number 5/);
    assert.throws(() => mergeConfig(DEFAULTS, [1], 'Cfg'), /Cfg: expected an object of settings, got array \[1\]/);
    assert.throws(() => mergeConfig(DEFAULTS, { name: null }, 'Cfg'), /Cfg\.name: expected string, got null/);
  });
});

describe('deepFreeze', () => {
  test('freezes nested objects and arrays', () => {
    const o = deepFreeze({ a: { b: [1, 2] } });
    assert.ok(Object.isFrozen(o) && Object.isFrozen(o.a) && Object.isFrozen(o.a.b));
    assert.throws(() => {
      (o.a.b as number[]).push(3);
    }, TypeError);
  });
});
