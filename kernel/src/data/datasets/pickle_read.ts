/**
 * A reader for Python pickles of plain data — what `refs(unc).p` / `refs(umd).p` / `refs(google).p`
 * of the RefCOCO family hold (lists of dicts of strings and numbers, written by Python 2 cPickle with
 * protocol 0 or 2, or by Python 3). Pickle is a small stack machine: opcodes push values, MARK
 * pushes a marker, APPENDS/SETITEMS/TUPLE/DICT/LIST collect everything above the last marker,
 * PUT/GET copy between the stack top and a memo table, STOP returns the top.
 *
 * Supported: protocols 0–5 for None, bool, int (incl. LONG), float, str (Python 2 `str` is decoded as
 * UTF-8, or Latin-1 when not valid UTF-8), unicode, bytes (→ Uint8Array), list, tuple (→ array),
 * dict (→ plain object, keys as strings), set/frozenset (→ array), memo, FRAME.
 * Rejected with a clear message: class instances and any other `GLOBAL`/`REDUCE` (e.g. numpy
 * arrays) — such a file is not plain data; convert it with the one-liner in `refcoco_loader.ts`.
 *
 * Source: CPython Lib/pickle.py and Lib/pickletools.py (opcode table and semantics), reimplemented.
 */

const MARK = Symbol('mark');
type Stack = unknown[];

export function unpickle(bytes: Uint8Array, name = 'pickle'): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: Stack = [];
  const memo = new Map<number, unknown>();
  let at = 0;
  const fail = (msg: string): never => {
    throw new Error(`${name}: ${msg} (byte ${at}).`);
  };
  const need = (n: number) => {
    if (at + n > bytes.length) fail('truncated pickle');
  };
  const take = (n: number) => {
    need(n);
    const s = bytes.subarray(at, at + n);
    at += n;
    return s;
  };
  const line = (): string => {
    const end = bytes.indexOf(0x0a, at);
    if (end < 0) fail('truncated pickle (no end of line)');
    const s = Buffer.from(bytes.subarray(at, end)).toString('latin1');
    at = end + 1;
    return s;
  };
  const pop = () => (stack.length ? stack.pop() : fail('stack underflow'));
  const popMark = (): unknown[] => {
    let i = stack.length - 1;
    while (i >= 0 && stack[i] !== MARK) i--;
    if (i < 0) fail('no MARK on the stack');
    const items = stack.splice(i + 1);
    stack.pop();
    return items;
  };
  const top = () => (stack.length ? stack[stack.length - 1] : fail('empty stack'));
  const setItems = (dict: unknown, items: unknown[]) => {
    if (typeof dict !== 'object' || dict === null || Array.isArray(dict)) fail('SETITEM on a non-dict');
    for (let i = 0; i + 1 < items.length; i += 2) (dict as Record<string, unknown>)[String(items[i])] = items[i + 1];
  };
  const append = (list: unknown, items: unknown[]) => {
    if (!Array.isArray(list)) fail('APPEND on a non-list');
    for (const x of items) (list as unknown[]).push(x);
  };
  for (;;) {
    need(1);
    const op = bytes[at++]!;
    switch (op) {
      case 0x80: // PROTO
        if (take(1)[0]! > 5) fail(`unsupported pickle protocol ${bytes[at - 1]}`);
        break;
      case 0x95: // FRAME
        take(8);
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x29: // EMPTY_TUPLE
      case 0x5d: // EMPTY_LIST
      case 0x8f: // EMPTY_SET
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push({});
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        append(top(), [v]);
        break;
      }
      case 0x65: // APPENDS
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x6c: // LIST
      case 0x74: // TUPLE
      case 0x91: // FROZENSET
        stack.push(popMark());
        break;
      case 0x64: {
        // DICT
        const d = {};
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x85:
      case 0x86:
      case 0x87: {
        // TUPLE1..3
        const n = op - 0x84;
        if (stack.length < n) fail('stack underflow');
        stack.push(stack.splice(stack.length - n));
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(view.getInt32(at, true));
        at += 4;
        break;
      case 0x4b: // BININT1
        stack.push(take(1)[0]);
        break;
      case 0x4d: // BININT2
        need(2);
        stack.push(view.getUint16(at, true));
        at += 2;
        break;
      case 0x49: {
        // INT (protocol 0; "01"/"00" are True/False)
        const s = line();
        stack.push(s === '01' ? true : s === '00' ? false : parseNumber(s, fail));
        break;
      }
      case 0x4c: // LONG (protocol 0): digits then 'L'
        stack.push(parseNumber(line().replace(/L$/, ''), fail));
        break;
      case 0x8a: // LONG1
      case 0x8b: {
        // LONG4
        const n = op === 0x8a ? take(1)[0]! : (need(4), view.getInt32(at, true));
        if (op === 0x8b) at += 4;
        const b = take(n);
        let v = 0n;
        for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
        if (n > 0 && b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(Number(v));
        break;
      }
      case 0x47: // BINFLOAT (big-endian double)
        need(8);
        stack.push(view.getFloat64(at, false));
        at += 8;
        break;
      case 0x46: // FLOAT (text)
        stack.push(parseNumber(line(), fail));
        break;
      case 0x58: // BINUNICODE
      case 0x8c: // SHORT_BINUNICODE
      case 0x8d: {
        // BINUNICODE8
        const n = lengthOf(op === 0x8c ? 1 : op === 0x58 ? 4 : 8);
        stack.push(Buffer.from(take(n)).toString('utf8'));
        break;
      }
      case 0x54: // BINSTRING (Python 2 str)
      case 0x55: // SHORT_BINSTRING
        stack.push(decodePy2Str(take(lengthOf(op === 0x55 ? 1 : 4))));
        break;
      case 0x42: // BINBYTES
      case 0x43: // SHORT_BINBYTES
      case 0x8e: // BINBYTES8
        stack.push(Uint8Array.from(take(lengthOf(op === 0x43 ? 1 : op === 0x42 ? 4 : 8))));
        break;
      case 0x53: // STRING (protocol 0): a quoted Python 2 literal
        stack.push(decodePy2Str(unquote(line(), fail)));
        break;
      case 0x56: // UNICODE (protocol 0): raw-unicode-escape
        stack.push(rawUnicodeEscape(line()));
        break;
      case 0x70: // PUT
        memo.set(parseNumber(line(), fail), top());
        break;
      case 0x71: // BINPUT
        memo.set(take(1)[0]!, top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(lengthOf(4), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x67: // GET
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const k = op === 0x67 ? parseNumber(line(), fail) : op === 0x68 ? take(1)[0]! : lengthOf(4);
        if (!memo.has(k)) fail(`memo key ${k} not defined`);
        stack.push(memo.get(k));
        break;
      }
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x63: // GLOBAL
        fail(`contains a Python object (GLOBAL ${line()}.${line()}); only plain data (lists, dicts, strings, numbers) is supported`);
        break;
      case 0x93: // STACK_GLOBAL
      case 0x52: // REDUCE
      case 0x81: // NEWOBJ
      case 0x92: // NEWOBJ_EX
      case 0x62: // BUILD
      case 0x69: // INST
      case 0x6f: // OBJ
        fail(`contains a Python object (opcode 0x${op.toString(16)}); only plain data (lists, dicts, strings, numbers) is supported`);
        break;
      default:
        fail(`unknown pickle opcode 0x${op.toString(16)} — not a pickle, or a newer protocol`);
    }
  }

  function lengthOf(size: 1 | 4 | 8): number {
    need(size);
    const n = size === 1 ? bytes[at]! : size === 4 ? view.getUint32(at, true) : Number(view.getBigUint64(at, true));
    at += size;
    return n;
  }
}

function parseNumber(s: string, fail: (m: string) => never): number {
  const v = Number(s.trim());
  if (s.trim() === '' || Number.isNaN(v)) fail(`expected a number; got '${s}'`);
  return v;
}

/** Python 2 `str` bytes: UTF-8 when valid (how the datasets were written), else Latin-1. */
function decodePy2Str(b: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return Buffer.from(b).toString('latin1');
  }
}

/** The bytes of a Python 2 quoted string literal ('...' or "..."), escapes resolved. */
function unquote(s: string, fail: (m: string) => never): Uint8Array {
  const q = s[0];
  if ((q !== "'" && q !== '"') || s[s.length - 1] !== q || s.length < 2) fail(`STRING opcode argument is not quoted: ${s.slice(0, 40)}`);
  const body = s.slice(1, -1);
  const out: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out.push(c.charCodeAt(0) & 255);
      continue;
    }
    const e = body[++i]!;
    if (e in simple) out.push(simple[e]!);
    else if (e === 'x') {
      out.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e >= '0' && e <= '7') {
      let j = i;
      while (j < i + 3 && body[j]! >= '0' && body[j]! <= '7') j++;
      out.push(parseInt(body.slice(i, j), 8) & 255);
      i = j - 1;
    } else out.push(92, e.charCodeAt(0) & 255);
  }
  return Uint8Array.from(out);
}

/** Python's raw-unicode-escape: \uXXXX and \UXXXXXXXX escapes; every other byte is Latin-1. */
function rawUnicodeEscape(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, u: string | undefined, U: string | undefined) =>
    String.fromCodePoint(parseInt((u ?? U)!, 16)),
  );
}
