/**
 * The rasteriser of the grounded scenes: a dark, lightly textured background, then filled
 * anti-aliased shapes composited in order (later on top), then light per-pixel noise; quantised to
 * RGB bytes. Pure JS on typed arrays (about 0.1 ms for a 64×64 scene).
 *
 *   background(x, y) = base + texture · valueNoise(x, y)           (smooth, low frequency)
 *   image = background; for each object: image ← image · (1 − α) + rgb · α
 *   bytes = round(255 · clamp(image + pixelNoise · U(−1, 1), 0, 1))   (U quantised to 256 levels)
 *
 * Uses only IEEE +, −, ×, ÷, sqrt and the seeded integer generator, so the bytes are identical on
 * every engine and platform.
 */
import type { SeededRandom } from '../util/seeded_random';
import type { WindowRaster } from './shape_raster';

export interface DrawStyle {
  /** Amplitude of the smooth background texture (fraction of full scale). */
  backgroundTexture: number;
  /** Amplitude of the uniform per-pixel, per-channel noise over the whole image. */
  pixelNoise: number;
}

export interface DrawnObject {
  raster: WindowRaster;
  /** Fill colour, RGB in [0, 1]. */
  rgb: readonly [number, number, number];
}

/** Draws the objects over a textured background; returns RGB bytes, row-major [height, width, 3]. */
export function drawScene(
  objects: readonly DrawnObject[],
  width: number,
  height: number,
  style: DrawStyle,
  rng: SeededRandom,
): Uint8Array {
  const img = new Float32Array(width * height * 3);
  paintBackground(img, width, height, style.backgroundTexture, rng);
  for (const { raster: r, rgb } of objects) {
    for (let y = 0; y < r.h; y++) {
      for (let x = 0; x < r.w; x++) {
        const a = r.data[y * r.w + x]!;
        if (a === 0) continue;
        const p = ((r.y0 + y) * width + r.x0 + x) * 3;
        img[p] = img[p]! * (1 - a) + rgb[0] * a;
        img[p + 1] = img[p + 1]! * (1 - a) + rgb[1] * a;
        img[p + 2] = img[p + 2]! * (1 - a) + rgb[2] * a;
      }
    }
  }
  const out = new Uint8Array(width * height * 3);
  // Noise: each 32-bit draw gives four 8-bit uniforms on [−1, 1] (256 levels are plenty for ±2.5%).
  const scale = style.pixelNoise / 127.5;
  let bits = 0;
  for (let i = 0; i < out.length; i++) {
    if ((i & 3) === 0) bits = rng.nextUint32();
    const v = img[i]! + scale * (((bits >>> ((i & 3) << 3)) & 255) - 127.5);
    out[i] = Math.round(255 * (v <= 0 ? 0 : v >= 1 ? 1 : v));
  }
  return out;
}

/**
 * A dark, slightly tinted base colour plus smooth value noise: random values on a coarse grid
 * (cells of ~16 px), smoothstep-interpolated, independently per channel at a third of the amplitude
 * of the shared luminance component.
 */
function paintBackground(img: Float32Array, width: number, height: number, texture: number, rng: SeededRandom): void {
  const grey = rng.uniform(0.12, 0.3);
  const base = [grey + rng.uniform(-0.03, 0.03), grey + rng.uniform(-0.03, 0.03), grey + rng.uniform(-0.03, 0.03)];
  const cell = 16;
  const gw = Math.ceil(width / cell) + 1;
  const gh = Math.ceil(height / cell) + 1;
  const lum = grid(gw, gh, rng);
  const chan = [grid(gw, gh, rng), grid(gw, gh, rng), grid(gw, gh, rng)];
  for (let y = 0; y < height; y++) {
    const fy = (y + 0.5) / cell;
    const iy = Math.floor(fy);
    const ty = smoothstep(fy - iy);
    for (let x = 0; x < width; x++) {
      const fx = (x + 0.5) / cell;
      const ix = Math.floor(fx);
      const tx = smoothstep(fx - ix);
      const l = bilerp(lum, gw, ix, iy, tx, ty);
      const p = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        img[p + c] = base[c]! + texture * (l + bilerp(chan[c]!, gw, ix, iy, tx, ty) / 3);
      }
    }
  }
}

function grid(gw: number, gh: number, rng: SeededRandom): Float32Array {
  const g = new Float32Array(gw * gh);
  for (let i = 0; i < g.length; i++) g[i] = 2 * rng.next() - 1;
  return g;
}

function smoothstep(t: number): number {
  return t * t * (3 - 2 * t);
}

function bilerp(g: Float32Array, gw: number, ix: number, iy: number, tx: number, ty: number): number {
  const a = g[iy * gw + ix]!;
  const b = g[iy * gw + ix + 1]!;
  const c = g[(iy + 1) * gw + ix]!;
  const d = g[(iy + 1) * gw + ix + 1]!;
  return (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
}
