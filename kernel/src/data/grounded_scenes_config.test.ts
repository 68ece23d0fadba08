import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_GROUNDED_SCENES_CONFIG, resolveGroundedScenesConfig } from './grounded_scenes_config';
import { GroundedScenes } from './grounded_scenes';

describe('GroundedScenesConfig', () => {
  test('defaults are frozen and match the benchmark text encoder (64×64 images, 16 tokens)', () => {
    assert.ok(Object.isFrozen(DEFAULT_GROUNDED_SCENES_CONFIG) && Object.isFrozen(DEFAULT_GROUNDED_SCENES_CONFIG.splits));
    const c = resolveGroundedScenesConfig();
    assert.equal(c.imageSize, 64);
    assert.equal(c.textLength, 16);
    assert.deepEqual(c, { ...DEFAULT_GROUNDED_SCENES_CONFIG, splits: { ...DEFAULT_GROUNDED_SCENES_CONFIG.splits } });
  });

  test('partial overrides merge; the resolved config is stored on the dataset', () => {
    const ds = new GroundedScenes({ seed: 3, splits: { test: 50 }, imageSize: 96 });
    assert.equal(ds.config.seed, 3);
    assert.ok(Object.isFrozen(ds.config.splits) && Object.isFrozen(ds.config.shapes));
    assert.deepEqual(ds.config.splits, { train: 20000, val: 1000, test: 50 });
    const s = ds.getScene('test', 0);
    assert.equal(s.width, 96);
    assert.equal(s.image.length, 96 * 96 * 3);
  });

  test('unknown keys and wrong types throw, naming the key, the expectation and the value', () => {
    assert.throws(() => new GroundedScenes({ imgSize: 32 }), /GroundedScenesConfig: unknown key 'imgSize' \(did you mean 'imageSize'\?\)/);
    assert.throws(() => new GroundedScenes({ splits: { dev: 5 } }), /GroundedScenesConfig\.splits: unknown key 'dev'/);
    assert.throws(() => new GroundedScenes({ imageSize: '64' }), /GroundedScenesConfig\.imageSize: expected number, got string "64"/);
    assert.throws(() => new GroundedScenes({ allowIdenticalObjects: 'yes' }), /allowIdenticalObjects: expected boolean, got string "yes"/);
    assert.throws(() => new GroundedScenes({ shapes: ['circle', 3] }), /GroundedScenesConfig\.shapes\[1\]: expected string, got number 3/);
  });

  test('out-of-range values throw, naming the key', () => {
    assert.throws(() => new GroundedScenes({ imageSize: 8 }), /GroundedScenesConfig\.imageSize: expected an integer in \[16, 1024\], got 8/);
    assert.throws(() => new GroundedScenes({ maxObjects: 7 }), /maxObjects: expected an integer in \[1, 6\], got 7/);
    assert.throws(() => new GroundedScenes({ minObjects: 3, maxObjects: 2 }), /maxObjects: expected an integer in \[3, 6\], got 2/);
    assert.throws(() => new GroundedScenes({ splits: { train: -1 } }), /splits\.train: expected an integer/);
    assert.throws(() => new GroundedScenes({ relationProbability: 1.5 }), /relationProbability: expected a number in \[0, 1\], got 1\.5/);
    assert.throws(() => new GroundedScenes({ shapes: ['circle', 'blob'] }), /shapes\[1\]: expected one of circle, square/);
    assert.throws(() => new GroundedScenes({ colours: ['red'] }), /colours: expected at least 2 distinct names/);
    assert.throws(() => new GroundedScenes({ largeRadius: [0.1, 0.2] }), /largeRadius: expected a range above smallRadius/);
  });

  test('restricted worlds and other sizes still satisfy the invariants', () => {
    const ds = new GroundedScenes({ shapes: ['circle', 'square'], colours: ['red', 'blue'], minObjects: 2, maxObjects: 4, imageSize: 32, textLength: 10 });
    for (const s of ds.getScenes('train', 0, 50)) {
      assert.ok(s.objects.length >= 2 && s.objects.length <= 4);
      for (const o of s.objects) assert.ok(['circle', 'square'].includes(o.shape) && ['red', 'blue'].includes(o.colour));
      assert.ok(s.caption.words.length <= 8, s.caption.text);
    }
  });
});
