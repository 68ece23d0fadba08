import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareRunFolder } from './run_folder';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'alignscope-runs-'));

test('an existing run folder is never overwritten silently', () => {
  const out = tmp();
  const first = prepareRunFolder(out, 'exp', false);
  writeFileSync(join(first.dir, 'metrics.json'), '{}');
  assert.throws(() => prepareRunFolder(out, 'exp', false), /run folder '.*exp' already exists; choose another --name, or pass --force/);
  assert.ok(existsSync(join(first.dir, 'metrics.json')), 'the refused call left the old run alone');
  const forced = prepareRunFolder(out, 'exp', true);
  assert.equal(forced.dir, first.dir);
  assert.deepEqual(readdirSync(forced.dir), [], '--force empties the folder');
});

test('an empty existing folder is fine; no name gives a fresh one; bad names are refused', () => {
  const out = tmp();
  mkdirSync(join(out, 'empty'));
  assert.equal(prepareRunFolder(out, 'empty', false).name, 'empty');
  const a = prepareRunFolder(out, undefined, false);
  writeFileSync(join(a.dir, 'x'), '1');
  const b = prepareRunFolder(out, undefined, false);
  assert.notEqual(a.dir, b.dir);
  assert.match(a.name, /^experiment-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d/);
  assert.throws(() => prepareRunFolder(out, '../escape', false), /run name '\.\.\/escape' must be/);
});
