/**
 * The process boundary between the renderer (media/) and the kernel: media/ reads the display schema
 * with `import type` and bundles exactly one kernel file at runtime, the dependency-free validator
 * (display_validate.ts, itself importing only types). Nothing else from kernel/ may reach the webview.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = join(__dirname, '..', '..');
const IMPORT = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'/gm;

function imports(file: string): { spec: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => ({ spec: m[3] ?? m[4], typeOnly: m[2] !== undefined }));
}

test('media/src imports from kernel/ only the schema (types) and the validator', () => {
  const dir = join(ROOT, 'media', 'src');
  const kernelDir = join(ROOT, 'kernel');
  const seen = new Set<string>();
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    for (const { spec, typeOnly } of imports(join(dir, name))) {
      if (!spec.startsWith('.')) {
        assert.equal(spec, 'plotly.js-dist-min', `${name}: unexpected package import '${spec}'`);
        continue;
      }
      const target = resolve(dir, spec);
      if (!target.startsWith(kernelDir)) continue;
      const rel = target.slice(ROOT.length + 1);
      seen.add(rel);
      if (rel === 'kernel/src/show/display_schema') assert.ok(typeOnly, `${name}: import the schema with 'import type'`);
      else assert.equal(rel, 'kernel/src/show/display_validate', `${name}: media/ must not import kernel runtime code ('${spec}')`);
    }
  }
  assert.ok(seen.has('kernel/src/show/display_schema'));
  for (const shared of ['display_schema.ts', 'display_validate.ts']) {
    for (const { spec, typeOnly } of imports(join(ROOT, 'kernel', 'src', 'show', shared))) {
      assert.ok(typeOnly, `${shared} must stay dependency-free; it imports '${spec}' at runtime`);
    }
  }
});
