/**
 * Merges user overrides into a typed config's defaults, rejecting unknown keys and wrong types.
 *
 * Rules (the defaults are the schema):
 * - `overrides` may be `undefined`/`null` (→ a copy of the defaults) or a plain object.
 * - Every key of `overrides` must exist in `defaults`; an unknown key throws, naming it (and the
 *   closest known key when one is near, to catch typos).
 * - A value must have the default's type: number (finite), string, boolean, array, or plain object.
 *   Plain objects merge recursively (so `{ splits: { test: 500 } }` keeps the other splits); arrays
 *   replace the default and their elements must have the type of the default's elements.
 *   A default of `null` accepts any value (use it for optional settings).
 * - An override of `undefined` keeps the default.
 * The result is a fresh deep copy: mutating it never touches `defaults`. Range checks (e.g. "a
 * positive integer") are the caller's job after the merge.
 *
 * @example
 *   const cfg = mergeConfig(DEFAULTS, { imageSize: 96 }, 'GroundedScenesConfig');
 *   mergeConfig(DEFAULTS, { imgSize: 96 }, 'GroundedScenesConfig');
 *   // Error: GroundedScenesConfig: unknown key 'imgSize' (did you mean 'imageSize'?); known keys: ...
 *   mergeConfig(DEFAULTS, { imageSize: '96' }, 'GroundedScenesConfig');
 *   // Error: GroundedScenesConfig.imageSize: expected number, got string "96".
 */
export function mergeConfig<T>(defaults: T, overrides: unknown, what: string): T {
  if (!isPlainObject(defaults)) {
    throw new Error(`mergeConfig(${what}): defaults must be a plain object; got ${describe(defaults)}.`);
  }
  return mergeObject(defaults, overrides, what) as T;
}

function mergeObject(defaults: Record<string, unknown>, overrides: unknown, path: string): Record<string, unknown> {
  const out = deepCopy(defaults) as Record<string, unknown>;
  if (overrides === undefined || overrides === null) return out;
  if (!isPlainObject(overrides)) {
    throw new Error(`${path}: expected an object of settings, got ${describe(overrides)}.`);
  }
  const known = Object.keys(defaults);
  for (const [key, value] of Object.entries(overrides)) {
    if (!Object.prototype.hasOwnProperty.call(defaults, key)) {
      const near = closest(key, known);
      const hint = near !== undefined ? ` (did you mean '${near}'?)` : '';
      throw new Error(`${path}: unknown key '${key}'${hint}; known keys: ${known.join(', ')}.`);
    }
    if (value === undefined) continue;
    out[key] = mergeValue(defaults[key], value, `${path}.${key}`);
  }
  return out;
}

function mergeValue(def: unknown, value: unknown, path: string): unknown {
  if (def === null) return deepCopy(value);
  if (isPlainObject(def)) return mergeObject(def, value, path);
  if (Array.isArray(def)) {
    if (!Array.isArray(value)) throw typeError(path, 'array', value);
    const first: unknown = def[0];
    if (first !== undefined) {
      value.forEach((item, i) => {
        if (kindOf(item) !== kindOf(first)) throw typeError(`${path}[${i}]`, kindOf(first), item);
        if (typeof item === 'number' && !Number.isFinite(item)) throw typeError(`${path}[${i}]`, 'finite number', item);
      });
    }
    return deepCopy(value);
  }
  const expected = kindOf(def);
  if (kindOf(value) !== expected) throw typeError(path, expected, value);
  if (typeof value === 'number' && !Number.isFinite(value)) throw typeError(path, 'finite number', value);
  return value;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (isPlainObject(v)) return 'object';
  return typeof v;
}

function typeError(path: string, expected: string, value: unknown): Error {
  return new Error(`${path}: expected ${expected}, got ${describe(value)}.`);
}

function describe(v: unknown): string {
  const kind = kindOf(v);
  let shown: string;
  try {
    shown = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    shown = String(v);
  }
  if (shown.length > 60) shown = `${shown.slice(0, 57)}...`;
  return kind === 'null' || kind === 'undefined' ? kind : `${kind} ${shown}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function deepCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = deepCopy(x);
    return out;
  }
  return v;
}

/** The known key within edit distance 2 of `key` (case-insensitive), if exactly one is nearest. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = 3;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDist) {
      bestDist = d;
      best = k;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min(sub, (prev[j] as number) + 1, (cur[j - 1] as number) + 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}

/** Freezes an object and everything reachable from it (for frozen defaults and resolved configs); returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
