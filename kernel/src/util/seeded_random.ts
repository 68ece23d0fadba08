/**
 * A small, fast, seeded pseudo-random generator that any module (data, trainer, model init) can share.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's "small fast counting" generator, 128-bit state, period
 * ≥ 2^32, passes PractRand), seeded through splitmix32 so that nearby seeds give unrelated streams.
 * Everything except `normal()` uses only 32-bit integer arithmetic (`Math.imul`, shifts) and IEEE
 * +,−,×,÷, so a stream is bit-identical on every JavaScript engine and platform.
 *
 * Streams are addressed by a seed plus any number of labels (numbers or strings): `new
 * SeededRandom(seed, 'train', 17)` is the generator for item 17 of the train split. This gives
 * deterministic random access without generating the items before it.
 *
 * @example
 *   const rng = new SeededRandom(42, 'weights');
 *   rng.next();          // float in [0, 1)
 *   rng.int(6);          // integer in [0, 6)
 *   const saved = rng.getState();  // put in a checkpoint; `setState(saved)` resumes identically
 *
 * Source: sfc32 as in PractRand (pracrand.sourceforge.net); splitmix32 finaliser after
 * Steele, Lea & Flood, "Fast splittable pseudorandom number generators" (OOPSLA 2014).
 */

/** One label of a random stream: a number (any finite integer up to 2^53) or a string. */
export type StreamLabel = number | string;

/** splitmix32 finaliser: a bijective 32-bit mix. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

function labelWords(label: StreamLabel): number[] {
  if (typeof label === 'string') {
    // FNV-1a over UTF-16 code units, then the length (so 'a' and 'a\0' differ).
    let h = 0x811c9dc5;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
    return [0x5354 /* tag: string */, h >>> 0, label.length];
  }
  if (!Number.isSafeInteger(label)) {
    throw new Error(`SeededRandom: a numeric seed or label must be a safe integer; got ${label}.`);
  }
  const lo = label >>> 0; // low 32 bits (two's complement for negatives)
  const hi = Math.floor(label / 0x100000000) >>> 0;
  return [0x4e55 /* tag: number */, lo, hi];
}

/**
 * Hashes a seed and labels to one unsigned 32-bit integer. Different label lists give unrelated
 * values; the same list always gives the same value.
 */
export function hashSeed(...labels: StreamLabel[]): number {
  let h = 0x6a09e667;
  for (const label of labels) {
    for (const w of labelWords(label)) h = mix32(h ^ w);
  }
  return h;
}

export class SeededRandom {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  /** The generator for `seed` and optional stream labels. */
  constructor(seed: number, ...labels: StreamLabel[]) {
    const h = hashSeed(seed, ...labels);
    this.a = mix32(h ^ 0x1);
    this.b = mix32(h ^ 0x2);
    this.c = mix32(h ^ 0x3);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32(); // warm-up, as recommended for sfc32
  }

  /** An independent generator derived from this one's next output and the labels. */
  fork(...labels: StreamLabel[]): SeededRandom {
    return new SeededRandom(this.nextUint32(), ...labels);
  }

  /** The next unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** An integer in [0, n), exactly uniform (rejection sampling). `n` must be an integer in [1, 2^32]. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) {
      throw new Error(`SeededRandom.int: n must be an integer in [1, 2^32]; got ${n}.`);
    }
    const limit = 4294967296 - (4294967296 % n); // largest multiple of n ≤ 2^32
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** An integer in [lo, hi] (both inclusive). */
  intBetween(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) {
      throw new Error(`SeededRandom.intBetween: expected integers lo ≤ hi; got lo=${lo}, hi=${hi}.`);
    }
    return lo + this.int(hi - lo + 1);
  }

  /** true with probability p. */
  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  /**
   * A normal sample (Box–Muller). Uses Math.log/Math.cos, which V8 computes identically on every
   * platform (fdlibm port) but other engines need not; the integer methods above are engine-exact.
   */
  normal(mean = 0, std = 1): number {
    const u1 = 1 - this.next(); // (0, 1]
    const u2 = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('SeededRandom.pick: items is empty.');
    return items[this.int(items.length)] as T;
  }

  /** Shuffles in place (Fisher–Yates) and returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** A uniformly random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = p[i] as number;
      p[i] = p[j] as number;
      p[j] = tmp;
    }
    return p;
  }

  /** The full generator state (4 unsigned 32-bit integers), e.g. for a checkpoint. */
  getState(): [number, number, number, number] {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  /** Restores a state from `getState()`; the stream then continues identically. */
  setState(state: readonly number[]): void {
    if (state.length !== 4 || !state.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) {
      throw new Error(`SeededRandom.setState: expected 4 unsigned 32-bit integers; got [${state.join(', ')}].`);
    }
    [this.a, this.b, this.c, this.d] = state.map((v) => v | 0) as [number, number, number, number];
  }

  /** A generator restored from `getState()`. */
  static fromState(state: readonly number[]): SeededRandom {
    const rng = new SeededRandom(0);
    rng.setState(state);
    return rng;
  }
}
