import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GroundedScenes } from './grounded_scenes';
import { objectPatchCoverage, patchGrid, tokenPatchGroundTruth } from './patch_ground_truth';
import { encodeGroundedText } from './scene_batch';

describe('patch ground truth', () => {
  test('hand-computed box and mask on a 16×16 image with 8-pixel patches', () => {
    const mask = new Float32Array(16 * 16);
    for (let y = 4; y < 12; y++) for (let x = 6; x < 10; x++) mask[y * 16 + x] = 1; // 4×8 block
    const cov = objectPatchCoverage({ box: [6, 4, 10, 12], mask }, 16, 16, 8);
    assert.equal(cov.numPatches, 4);
    // Each patch holds a 2×4 quarter of the block: 8 of its 64 pixels.
    assert.deepEqual(Array.from(cov.boxFraction), [8 / 64, 8 / 64, 8 / 64, 8 / 64]);
    assert.deepEqual(Array.from(cov.maskFraction), [8 / 64, 8 / 64, 8 / 64, 8 / 64]);
    assert.deepEqual(Array.from(cov.inBox), [1, 1, 1, 1]);
    const corner = objectPatchCoverage({ box: [0, 0, 8, 8], mask: new Float32Array(256) }, 16, 16, 8);
    assert.deepEqual(Array.from(corner.inBox), [1, 0, 0, 0]); // touching an edge is not overlapping
    assert.throws(() => patchGrid(64, 64, 7), /patchSize must be a positive integer dividing the image size 64×64; got 7/);
  });

  test('default 8-pixel patches on 64×64 scenes: 64 patches; rows follow the token objects', () => {
    const ds = new GroundedScenes();
    for (const s of ds.getScenes('val', 0, 30)) {
      const enc = encodeGroundedText(s.caption, ds.tokenizer, 16);
      const gt = tokenPatchGroundTruth(s, enc.tokenObject);
      assert.equal(gt.numPatches, 64);
      assert.equal(gt.inBox.length, 16 * 64);
      for (let t = 0; t < 16; t++) {
        const o = enc.tokenObject[t]!;
        const row = gt.maskFraction.subarray(t * 64, (t + 1) * 64);
        const inBox = gt.inBox.subarray(t * 64, (t + 1) * 64);
        if (o < 0) {
          assert.ok(row.every((v) => v === 0) && inBox.every((v) => v === 0));
          continue;
        }
        // Σ maskFraction · 64 = visible area; mask only where the box is.
        const area = row.reduce((a, v) => a + v * 64, 0);
        assert.ok(Math.abs(area - s.objects[o]!.area) < 1e-2, `area ${area} vs ${s.objects[o]!.area}`);
        row.forEach((v, p) => assert.ok(v === 0 || inBox[p] === 1));
        assert.ok(inBox.some((v) => v === 1));
      }
    }
  });
});
