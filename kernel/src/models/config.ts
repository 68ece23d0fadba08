/**
 * Typed configs: frozen defaults + a merge that rejects unknown keys and wrong types.
 *
 *   const cfg = mergeConfig('PatchEncoderConfig', DEFAULT_PATCH_ENCODER_CONFIG, { depth: 4 });
 *   mergeConfig('PatchEncoderConfig', DEFAULT_PATCH_ENCODER_CONFIG, { dpeth: 4 });
 *   // Error: PatchEncoderConfig: unknown key 'dpeth' (known: imageSize, channels, ...)
 */
export function mergeConfig<T extends object>(name: string, defaults: Readonly<T>, overrides: Partial<T> = {}): T {
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new Error(`${name}: expected an object of overrides, got ${JSON.stringify(overrides)}`);
  }
  const known = Object.keys(defaults);
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    if (!known.includes(key)) throw new Error(`${name}: unknown key '${key}' (known: ${known.join(', ')})`);
    if (value === undefined) continue;
    const expected = typeof (defaults as Record<string, unknown>)[key];
    if (typeof value !== expected) {
      throw new Error(`${name}.${key}: expected a ${expected}, got ${JSON.stringify(value)} (${typeof value})`);
    }
    if (expected === 'number' && !Number.isFinite(value as number)) {
      throw new Error(`${name}.${key}: expected a finite number, got ${String(value)}`);
    }
    merged[key] = value;
  }
  return merged as T;
}

/** Throws unless `value` is a positive integer; the message names the config field. */
export function assertPositiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}: expected a positive integer, got ${value}`);
}
