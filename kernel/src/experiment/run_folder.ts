/**
 * The run folder `<out>/<name>`: never overwritten silently. A name that exists (and is not empty) is an
 * error unless `force` is given, in which case the folder is emptied first. Without a name, a fresh
 * timestamped one is chosen (`experiment-2026-11-26T14-05-09`, with a suffix if taken).
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function defaultRunName(now = new Date()): string {
  return `experiment-${now.toISOString().slice(0, 19).replace(/:/g, '-')}`;
}

/** Creates and returns the run folder; throws (naming the folder and the way out) if it exists and `force` is not set. */
export function prepareRunFolder(outDir: string, name: string | undefined, force: boolean): { dir: string; name: string } {
  if (name !== undefined && !NAME.test(name)) {
    throw new Error(`experiment: run name '${name}' must be letters, digits, '.', '_' or '-' (and not start with '.' or '-').`);
  }
  let chosen = name ?? defaultRunName();
  if (name === undefined) {
    for (let k = 2; existsSync(join(outDir, chosen)); k++) chosen = `${defaultRunName()}-${k}`;
  }
  const dir = resolve(outDir, chosen);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!force) {
      throw new Error(`experiment: the run folder '${dir}' already exists; choose another --name, or pass --force to replace it.`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  return { dir, name: chosen };
}
