import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveGroundedLMConfig } from './grounded_lm_config';

const CONFIGS = path.resolve(__dirname, '../../../bench/configs');

/** Every grounded-lm-*.json under bench/configs, relative paths. */
function groundedConfigs(dir = CONFIGS): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return groundedConfigs(full);
    return /^grounded-lm-.*\.json$/.test(e.name) ? [path.relative(CONFIGS, full)] : [];
  });
}

test('every committed grounded-lm benchmark config resolves (no unknown key, no bad value), and a timed one names its schedule horizon', () => {
  const files = groundedConfigs();
  assert.ok(files.length >= 30, `found ${files.length} configs`);
  for (const file of files) {
    const raw = JSON.parse(fs.readFileSync(path.join(CONFIGS, file), 'utf8'));
    assert.doesNotThrow(() => resolveGroundedLMConfig(raw), `${file} resolves`);
    if (raw.stage1?.maxMinutes !== undefined) assert.ok(raw.stage1.lrHorizon, `${file}: a config with maxMinutes states stage1.lrHorizon`);
  }
});
