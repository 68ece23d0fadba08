import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { unpickle } from './pickle_read';
import { pickle } from './pickle_write';

const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('unpickle', () => {
  // Provenance: CPython 3.11 `pickle.dumps({'a': [1, 'x'], 'b': None}, protocol=0)` and
  // `pickle.dumps({'a': [1, 'x', 3.5, 70000, -5, 2**40], 'b': None}, protocol=2)`.
  test('Python 3 protocol 0 and 2 output', () => {
    assert.deepEqual(unpickle(bytes('(dp0\nVa\np1\n(lp2\nI1\naVx\np3\nasVb\np4\nNs.')), { a: [1, 'x'], b: null });
    const p2 = '\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01]q\x02(K\x01X\x01\x00\x00\x00xq\x03G@\x0c\x00\x00\x00\x00\x00\x00Jp\x11\x01\x00J\xfb\xff\xff\xff\x8a\x06\x00\x00\x00\x00\x00\x01eX\x01\x00\x00\x00bq\x04Nu.';
    assert.deepEqual(unpickle(bytes(p2)), { a: [1, 'x', 3.5, 70000, -5, 2 ** 40], b: null });
  });

  // Python 2 cPickle writes `str` with STRING (protocol 0) or SHORT_BINSTRING/BINSTRING (protocol 2);
  // the RefCOCO refs files are UTF-8 bytes in such strings. Built by hand from the opcode table.
  test('Python 2 str opcodes, memo GET, UTF-8 and Latin-1 fallback, tuples, bool INT', () => {
    const p0 = "(lp0\n(dp1\nS'raw'\np2\nS'caf\\xc3\\xa9 \\'quoted\\''\np3\nsS'ok'\np4\nI01\nsag1\na.";
    const d = { raw: "café 'quoted'", ok: true };
    assert.deepEqual(unpickle(bytes(p0)), [d, d]);
    const p2 = '\x80\x02]q\x00(U\x03rawq\x01U\x04caf\xe9q\x02T\x02\x00\x00\x00\xc3\xa9K\x01K\x02\x86q\x03e.';
    assert.deepEqual(unpickle(bytes(p2)), ['raw', 'caf\u00e9', '\u00e9', [1, 2]]);
  });

  test('our protocol-2 writer round-trips refs-like data', () => {
    const refs = [{ ref_id: 0, sentences: [{ raw: 'Hombre pequeño 東京', sent_id: 70000, tokens: ['a'] }], x: -3, big: 2 ** 40 + 1, f: 0.25, none: null, t: true }];
    assert.deepEqual(unpickle(pickle(refs)), refs);
  });

  test('errors: objects, truncation, unknown opcodes', () => {
    assert.throws(() => unpickle(bytes('\x80\x02cnumpy\narray\n.'), 'refs(unc).p'), /refs\(unc\)\.p: contains a Python object \(GLOBAL numpy\.array\)/);
    assert.throws(() => unpickle(bytes('\x80\x02X\x05\x00\x00\x00ab'), 'f.p'), /f\.p: truncated pickle/);
    assert.throws(() => unpickle(bytes('{"json": 1}'), 'f.p'), /unknown pickle opcode 0x7b/);
  });
});
