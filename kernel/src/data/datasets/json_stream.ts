/**
 * A streaming JSON reader for large annotation files: it walks the file in 1 MiB chunks, validates
 * the full JSON grammar (RFC 8259) as it goes, and hands over the elements of the top-level arrays a
 * loader asks for, one at a time (each element is parsed on its own with JSON.parse). Everything else
 * is skipped without being built. So peak memory is one chunk plus one element plus what the caller
 * keeps — not the whole text plus its object graph (JSON.parse of a 100 MB file needs ~10× that).
 *
 *   scanJson(file, ['images', 'annotations'], (key, value, i) => ...)   // top-level object
 *   scanJson(file, null, (key, value, i) => ...)                        // top-level array (key '')
 *
 * Malformed JSON throws `FILE: malformed JSON at line L, column C (byte B): expected X; found Y`.
 * Source: RFC 8259 (grammar); the chunked pull-parser design follows streaming parsers such as
 * ijson (Python) and yajl, reimplemented.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 1 << 20;

export type JsonElementHandler = (key: string, value: unknown, index: number) => void;

export interface JsonScanResult {
  /** Top-level keys seen (object files), each with its element count (−1 when the value is not an array). */
  keys: Map<string, number>;
  bytes: number;
}

class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  len = 0;
  pos = 0;
  private base = 0;
  private line = 1;
  private lineStart = 0;
  private capture: Buffer[] | null = null;
  private captureFrom = 0;
  private eof = false;

  constructor(
    private readonly fd: number,
    private readonly name: string,
  ) {}

  get bytes(): number {
    return this.base + this.pos;
  }

  /** The next byte without consuming it, −1 at the end of the file. */
  peek(): number {
    if (this.pos >= this.len && !this.fill()) return -1;
    return this.buf[this.pos]!;
  }

  next(): number {
    const b = this.peek();
    if (b >= 0) this.pos++;
    return b;
  }

  private fill(): boolean {
    if (this.eof) return false;
    if (this.capture) {
      if (this.len > this.captureFrom) this.capture.push(this.buf.subarray(this.captureFrom, this.len));
      this.captureFrom = 0;
    }
    this.base += this.len;
    this.buf = Buffer.allocUnsafe(CHUNK); // fresh: captured slices of the old chunk stay valid
    this.len = readSync(this.fd, this.buf, 0, CHUNK, null);
    this.pos = 0;
    if (this.len === 0) this.eof = true;
    return this.len > 0;
  }

  /** Skips a UTF-8 byte order mark at the start of the file (some tools write one). */
  skipBom(): void {
    if (this.peek() === 0xef && this.len - this.pos >= 3 && this.buf[this.pos + 1] === 0xbb && this.buf[this.pos + 2] === 0xbf) this.pos += 3;
  }

  skipWhitespace(): void {
    for (;;) {
      if (this.pos >= this.len && !this.fill()) return;
      const b = this.buf[this.pos]!;
      if (b === 0x20 || b === 0x09 || b === 0x0d) this.pos++;
      else if (b === 0x0a) {
        this.pos++;
        this.line++;
        this.lineStart = this.base + this.pos;
      } else return;
    }
  }

  /** Consumes string content after the opening quote, through the closing quote. */
  skipStringBody(): void {
    for (;;) {
      if (this.pos >= this.len && !this.fill()) this.fail('a closing \'"\'', -1);
      const buf = this.buf;
      let p = this.pos;
      const end = this.len;
      while (p < end) {
        const b = buf[p]!;
        if (b === 0x22 || b === 0x5c || b < 0x20) break;
        p++;
      }
      this.pos = p;
      if (p >= end) continue;
      const b = buf[p]!;
      this.pos++;
      if (b === 0x22) return;
      if (b < 0x20) {
        this.pos--;
        this.fail('a string character (control characters must be escaped)', b);
      }
      const e = this.next(); // after a backslash
      if (e === 0x75) {
        for (let k = 0; k < 4; k++) {
          const h = this.next();
          if (!((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66))) this.fail('4 hex digits after \\u', h, true);
        }
      } else if (!(e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74)) {
        this.fail('an escape character (one of "\\/bfnrtu)', e, true);
      }
    }
  }

  digits(atLeastOne: boolean): void {
    let n = 0;
    for (;;) {
      if (this.pos >= this.len && !this.fill()) break;
      const buf = this.buf;
      const end = this.len;
      let p = this.pos;
      while (p < end && buf[p]! >= 0x30 && buf[p]! <= 0x39) p++;
      n += p - this.pos;
      this.pos = p;
      if (p < end) break;
    }
    if (atLeastOne && n === 0) this.fail('a digit', this.peek());
  }

  startCapture(): void {
    this.capture = [];
    this.captureFrom = this.pos;
  }

  endCapture(): string {
    const parts = this.capture!;
    parts.push(this.buf.subarray(this.captureFrom, this.pos));
    this.capture = null;
    return parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8');
  }

  /** Throws at the current position (`consumed`: the offending byte was already read). */
  fail(expected: string, found: number, consumed = false): never {
    const at = this.base + this.pos - (consumed && found >= 0 ? 1 : 0);
    const what = found < 0 ? 'the end of the file' : found >= 0x20 && found < 0x7f ? `'${String.fromCharCode(found)}'` : `byte 0x${found.toString(16).padStart(2, '0')}`;
    throw new Error(`${this.name}: malformed JSON at line ${this.line}, column ${at - this.lineStart + 1} (byte ${at}): expected ${expected}; found ${what}.`);
  }
}

function expect(r: ByteReader, byte: number, what: string): void {
  r.skipWhitespace();
  const b = r.next();
  if (b !== byte) r.fail(what, b, true);
}

function literal(r: ByteReader, word: string): void {
  for (let i = 0; i < word.length; i++) {
    const b = r.next();
    if (b !== word.charCodeAt(i)) r.fail(`'${word}'`, b, true);
  }
}

/** Consumes (and validates) one JSON value. */
function skipValue(r: ByteReader, depth: number): void {
  if (depth > 512) r.fail('nesting of at most 512 levels', r.peek());
  r.skipWhitespace();
  const b = r.peek();
  if (b === 0x22) {
    r.pos++;
    r.skipStringBody();
  } else if (b === 0x7b) {
    r.pos++;
    r.skipWhitespace();
    if (r.peek() === 0x7d) {
      r.pos++;
      return;
    }
    for (;;) {
      expect(r, 0x22, "'\"' (an object key)");
      r.skipStringBody();
      expect(r, 0x3a, "':' after an object key");
      skipValue(r, depth + 1);
      r.skipWhitespace();
      const c = r.next();
      if (c === 0x7d) return;
      if (c !== 0x2c) r.fail("',' or '}' after an object member", c, true);
    }
  } else if (b === 0x5b) {
    r.pos++;
    r.skipWhitespace();
    if (r.peek() === 0x5d) {
      r.pos++;
      return;
    }
    for (;;) {
      skipValue(r, depth + 1);
      r.skipWhitespace();
      const c = r.next();
      if (c === 0x5d) return;
      if (c !== 0x2c) r.fail("',' or ']' after an array element", c, true);
    }
  } else if (b === 0x2d || (b >= 0x30 && b <= 0x39)) {
    if (b === 0x2d) r.pos++;
    if (r.peek() === 0x30) r.pos++;
    else r.digits(true);
    if (r.peek() === 0x2e) {
      r.pos++;
      r.digits(true);
    }
    const e = r.peek();
    if (e === 0x65 || e === 0x45) {
      r.pos++;
      const s = r.peek();
      if (s === 0x2b || s === 0x2d) r.pos++;
      r.digits(true);
    }
  } else if (b === 0x74) literal(r, 'true');
  else if (b === 0x66) literal(r, 'false');
  else if (b === 0x6e) literal(r, 'null');
  else r.fail('a JSON value', b);
}

/** Streams the elements of an array value (the reader is just before '['). */
function streamArray(r: ByteReader, key: string, onElement: JsonElementHandler): number {
  expect(r, 0x5b, `'[' (the value of '${key}' must be an array)`);
  r.skipWhitespace();
  if (r.peek() === 0x5d) {
    r.pos++;
    return 0;
  }
  let index = 0;
  for (;;) {
    r.skipWhitespace();
    r.startCapture();
    skipValue(r, 1);
    onElement(key, JSON.parse(r.endCapture()), index++);
    r.skipWhitespace();
    const c = r.next();
    if (c === 0x5d) return index;
    if (c !== 0x2c) r.fail("',' or ']' after an array element", c, true);
  }
}

/**
 * Reads `file` in chunks. `keys`: the top-level keys (of a top-level object) whose array elements
 * go to `onElement`; `null` for a file whose top level is an array (elements come with key '').
 * Elements arrive in file order, so a handler can rely on the key order it observes via `onKey`.
 */
export function scanJson(
  file: string,
  keys: readonly string[] | null,
  onElement: JsonElementHandler,
  /** Called as each top-level key's value begins (object files), e.g. to learn the key order. */
  onKey?: (key: string) => void,
): JsonScanResult {
  const fd = openSync(file, 'r');
  const name = file;
  try {
    const r = new ByteReader(fd, name);
    const seen = new Map<string, number>();
    r.skipBom();
    r.skipWhitespace();
    if (keys === null) {
      seen.set('', streamArray(r, '', onElement));
    } else {
      expect(r, 0x7b, "'{' (a top-level object)");
      r.skipWhitespace();
      if (r.peek() === 0x7d) r.pos++;
      else {
        for (;;) {
          expect(r, 0x22, "'\"' (an object key)");
          r.pos--;
          r.startCapture();
          r.pos++;
          r.skipStringBody();
          const key = JSON.parse(r.endCapture()) as string;
          expect(r, 0x3a, "':' after an object key");
          onKey?.(key);
          if (keys.includes(key)) seen.set(key, streamArray(r, key, onElement));
          else {
            skipValue(r, 1);
            seen.set(key, -1);
          }
          r.skipWhitespace();
          const c = r.next();
          if (c === 0x7d) break;
          if (c !== 0x2c) r.fail("',' or '}' after an object member", c, true);
        }
      }
    }
    r.skipWhitespace();
    if (r.peek() >= 0) r.fail('the end of the file after the top-level value', r.peek());
    return { keys: seen, bytes: r.bytes };
  } finally {
    closeSync(fd);
  }
}

/** Reads a whole (small) JSON file, validated by the same scanner so errors carry the same position. */
export function readJsonFile(file: string): unknown {
  let value: unknown;
  const fd = openSync(file, 'r');
  try {
    const r = new ByteReader(fd, file);
    r.skipBom();
    r.skipWhitespace();
    r.startCapture();
    skipValue(r, 0);
    value = JSON.parse(r.endCapture());
    r.skipWhitespace();
    if (r.peek() >= 0) r.fail('the end of the file after the top-level value', r.peek());
  } finally {
    closeSync(fd);
  }
  return value;
}
