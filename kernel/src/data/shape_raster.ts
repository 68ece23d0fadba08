/**
 * Rasterises one shape into an anti-aliased coverage window, and resolves occlusion between shapes
 * drawn in order (later on top) into visible masks.
 *
 * coverage(x, y) = clamp(0.5 − sdf(x + 0.5 − cx, y + 0.5 − cy), 0, 1)   (pixel centres)
 * visible_i = coverage_i · Π_{j > i} (1 − coverage_j)                    (alpha compositing)
 */
import { shapeSdf } from './shape_sdf';
import type { ShapeName } from './scene_vocabulary';

/** Coverage of a shape over the window [x0, x0+w) × [y0, y0+h) of the image; zero outside it. */
export interface WindowRaster {
  x0: number;
  y0: number;
  w: number;
  h: number;
  /** Row-major [h, w] coverage in [0, 1]. */
  data: Float32Array;
  /** Sum of `data`: the unoccluded area in pixels. */
  area: number;
}

export interface ShapeSpec {
  shape: ShapeName;
  center: [number, number];
  radius: number;
}

/** The coverage window of one shape, clipped to a width × height image. */
export function rasterShape(spec: ShapeSpec, width: number, height: number): WindowRaster {
  const [cx, cy] = spec.center;
  const r = spec.radius;
  const sdf = shapeSdf(spec.shape, r);
  const x0 = Math.max(0, Math.floor(cx - r - 1));
  const y0 = Math.max(0, Math.floor(cy - r - 1));
  const x1 = Math.min(width, Math.ceil(cx + r + 1));
  const y1 = Math.min(height, Math.ceil(cy + r + 1));
  const w = Math.max(0, x1 - x0);
  const h = Math.max(0, y1 - y0);
  const data = new Float32Array(w * h);
  let area = 0;
  for (let y = 0; y < h; y++) {
    const py = y0 + y + 0.5 - cy;
    for (let x = 0; x < w; x++) {
      const c = 0.5 - sdf(x0 + x + 0.5 - cx, py);
      const v = c <= 0 ? 0 : c >= 1 ? 1 : c;
      data[y * w + x] = v;
      area += v;
    }
  }
  return { x0, y0, w, h, data, area };
}

/**
 * Visible coverage of each raster (index order = drawing order) as full [height, width] masks, with
 * each one's visible fraction (visible area / unoccluded area).
 */
export function visibleMasks(
  rasters: readonly WindowRaster[],
  width: number,
  height: number,
): { masks: Float32Array[]; fractions: number[] } {
  const remaining = new Float32Array(width * height).fill(1); // transmittance of everything above
  const masks: Float32Array[] = new Array(rasters.length);
  const fractions: number[] = new Array(rasters.length);
  for (let i = rasters.length - 1; i >= 0; i--) {
    const r = rasters[i]!;
    const mask = new Float32Array(width * height);
    let visible = 0;
    for (let y = 0; y < r.h; y++) {
      const row = (r.y0 + y) * width + r.x0;
      for (let x = 0; x < r.w; x++) {
        const c = r.data[y * r.w + x]!;
        if (c === 0) continue;
        const v = c * remaining[row + x]!;
        mask[row + x] = v;
        visible += v;
        remaining[row + x] = remaining[row + x]! * (1 - c);
      }
    }
    masks[i] = mask;
    fractions[i] = r.area > 0 ? visible / r.area : 0;
  }
  return { masks, fractions };
}

/** The tight box [x1, y1, x2, y2] (x2, y2 exclusive) of the pixels where `mask` > 0; null if empty. */
export function maskBox(mask: Float32Array, width: number, height: number): [number, number, number, number] | null {
  let x1 = width;
  let y1 = height;
  let x2 = -1;
  let y2 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (mask[row + x]! > 0) {
        if (x < x1) x1 = x;
        if (x > x2) x2 = x;
        if (y < y1) y1 = y;
        y2 = y;
      }
    }
  }
  return x2 < 0 ? null : [x1, y1, x2 + 1, y2 + 1];
}
