/**
 * Writes plain data as a Python pickle, protocol 2 (what Python 2 cPickle.HIGHEST_PROTOCOL gives and
 * Python 2.3+/3.x all read): for the exporter's `refs(unc).p`. Values: null, boolean, number (integers
 * as BININT/BININT1/BININT2 or LONG1, others as BINFLOAT), string (BINUNICODE), arrays (lists), plain objects (dicts
 * with string keys). No memo: shared references are written twice.
 *
 * Source: CPython Lib/pickle.py (_Pickler.save_* for protocol 2).
 */
export function pickle(value: unknown): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.of(0x80, 2)];
  const u8 = (...b: number[]) => parts.push(Uint8Array.from(b));
  const le32 = (n: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, n, true);
    return b;
  };
  const save = (v: unknown): void => {
    if (v === null || v === undefined) u8(0x4e);
    else if (v === true) u8(0x88);
    else if (v === false) u8(0x89);
    else if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= 0 && v < 256) u8(0x4b, v);
      else if (Number.isInteger(v) && v >= 0 && v < 65536) u8(0x4d, v & 255, v >> 8);
      else if (Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) parts.push(Uint8Array.of(0x4a), le32(v));
      else if (Number.isSafeInteger(v)) {
        // LONG1: little-endian two's complement, minimal length
        const bytes: number[] = [];
        let x = BigInt(v);
        for (;;) {
          const b = Number(x & 255n);
          bytes.push(b);
          x >>= 8n;
          if ((x === 0n && !(b & 0x80)) || (x === -1n && b & 0x80)) break;
        }
        u8(0x8a, bytes.length, ...bytes);
      } else {
        const b = new Uint8Array(9);
        b[0] = 0x47;
        new DataView(b.buffer).setFloat64(1, v, false);
        parts.push(b);
      }
    } else if (typeof v === 'string') {
      const s = Buffer.from(v, 'utf8');
      parts.push(Uint8Array.of(0x58), le32(s.length), s);
    } else if (Array.isArray(v)) {
      u8(0x5d);
      for (let i = 0; i < v.length; i += 1000) {
        u8(0x28);
        v.slice(i, i + 1000).forEach(save);
        u8(0x65);
      }
    } else if (typeof v === 'object') {
      u8(0x7d);
      const entries = Object.entries(v as Record<string, unknown>);
      for (let i = 0; i < entries.length; i += 1000) {
        u8(0x28);
        for (const [k, x] of entries.slice(i, i + 1000)) {
          save(k);
          save(x);
        }
        u8(0x75);
      }
    } else throw new Error(`pickle: cannot write a ${typeof v}.`);
  };
  save(value);
  u8(0x2e);
  return Buffer.concat(parts);
}
