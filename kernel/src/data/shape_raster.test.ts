import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SHAPES } from './scene_vocabulary';
import { maskBox, rasterShape, visibleMasks } from './shape_raster';

describe('shape rasters', () => {
  test('anti-aliased areas match the geometry (circle πr², square (1.72r)², diamond 2r²)', () => {
    const r = 12;
    const area = (shape: (typeof SHAPES)[number]) => rasterShape({ shape, center: [32.3, 31.7], radius: r }, 64, 64).area;
    assert.ok(Math.abs(area('circle') / (Math.PI * r * r) - 1) < 0.01);
    assert.ok(Math.abs(area('square') / (1.72 * r) ** 2 - 1) < 0.01);
    assert.ok(Math.abs(area('diamond') / (2 * r * r) - 1) < 0.02);
    for (const s of SHAPES) {
      const ras = rasterShape({ shape: s, center: [32, 32], radius: r }, 64, 64);
      assert.ok(ras.area > 0.25 * r * r, `${s} area ${ras.area}`);
      assert.ok(ras.data.every((v) => v >= 0 && v <= 1));
    }
  });

  test('occlusion: visible masks of stacked shapes sum to the union coverage and the top one is whole', () => {
    const a = rasterShape({ shape: 'square', center: [20, 20], radius: 10 }, 40, 40);
    const b = rasterShape({ shape: 'circle', center: [28, 20], radius: 8 }, 40, 40);
    const { masks, fractions } = visibleMasks([a, b], 40, 40);
    assert.ok(Math.abs(fractions[1]! - 1) < 1e-6);
    assert.ok(fractions[0]! > 0.5 && fractions[0]! < 0.9);
    for (let i = 0; i < 1600; i++) assert.ok(masks[0]![i]! + masks[1]![i]! <= 1 + 1e-6);
    assert.deepEqual(maskBox(masks[1]!, 40, 40), [20, 12, 36, 28]);
    assert.equal(maskBox(new Float32Array(16), 4, 4), null);
  });
});
