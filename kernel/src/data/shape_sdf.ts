/**
 * Signed distance functions of the scene shapes: negative inside, positive outside, in pixels.
 * A shape of "radius" r fits in the square [−r, r]²; y points down (so a triangle's apex is at −r).
 *
 * Anti-aliased coverage of a pixel is `clamp(0.5 − d, 0, 1)` with d the distance at the pixel centre —
 * exact for straight edges at 0°/90° and within a few percent elsewhere.
 * Only +, −, ×, ÷, sqrt, abs, min and max are used, so the rasters are bit-identical on every engine.
 * Source: Inigo Quilez, "2D distance functions" (iquilezles.org/articles/distfunctions2d).
 */
import type { ShapeName } from './scene_vocabulary';

/** A signed distance function for a point (x, y) relative to the shape's centre. */
export type Sdf = (x: number, y: number) => number;

/** Distance to an axis-aligned box of half sizes (bx, by) centred at the origin. */
function boxSdf(x: number, y: number, bx: number, by: number): number {
  const qx = Math.abs(x) - bx;
  const qy = Math.abs(y) - by;
  const ox = Math.max(qx, 0);
  const oy = Math.max(qy, 0);
  return Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(qx, qy), 0);
}

/** Signed distance to a closed polygon given as flat [x0, y0, x1, y1, ...] (either winding). */
function polygonSdf(px: number, py: number, v: Float64Array): number {
  const n = v.length / 2;
  let d = (px - v[0]!) * (px - v[0]!) + (py - v[1]!) * (py - v[1]!);
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i, i++) {
    const xi = v[2 * i]!;
    const yi = v[2 * i + 1]!;
    const xj = v[2 * j]!;
    const yj = v[2 * j + 1]!;
    const ex = xj - xi;
    const ey = yj - yi;
    const wx = px - xi;
    const wy = py - yi;
    const t = Math.min(Math.max((wx * ex + wy * ey) / (ex * ex + ey * ey), 0), 1);
    const dx = wx - ex * t;
    const dy = wy - ey * t;
    d = Math.min(d, dx * dx + dy * dy);
    // Even–odd crossing test along +x.
    if (yi > py !== yj > py && px < (xj - xi) * (py - yi) / (yj - yi) + xi) inside = !inside;
  }
  return inside ? -Math.sqrt(d) : Math.sqrt(d);
}

// Unit-radius polygons. Trigonometric constants are literals so that no Math.sin/cos is needed.
const SQRT3_2 = 0.8660254037844386; // sin 60°
const C18 = 0.9510565162951535; // cos 18°
const S18 = 0.3090169943749474; // sin 18°
const C54 = 0.5877852522924731; // cos 54°
const S54 = 0.8090169943749475; // sin 54°
const STAR_INNER = 0.45;

const UNIT_DIAMOND = [0, -1, 1, 0, 0, 1, -1, 0];
const UNIT_TRIANGLE = [0, -1, 1, 0.85, -1, 0.85];
const UNIT_HEXAGON = [1, 0, 0.5, SQRT3_2, -0.5, SQRT3_2, -1, 0, -0.5, -SQRT3_2, 0.5, -SQRT3_2];
// Five outer points (apex up) interleaved with five inner points; centred vertically on the box.
const UNIT_STAR = (() => {
  const outer: [number, number][] = [[0, -1], [C18, -S18], [C54, S54], [-C54, S54], [-C18, -S18]];
  const inner: [number, number][] = [[C54, -S54], [C18, S18], [0, 1], [-C18, S18], [-C54, -S54]];
  const pts: number[] = [];
  const dy = (1 - S54) / 2; // the star spans y ∈ [−1, S54]; shift it to be centred
  for (let i = 0; i < 5; i++) {
    pts.push(outer[i]![0], outer[i]![1] + dy);
    pts.push(inner[i]![0] * STAR_INNER, inner[i]![1] * STAR_INNER + dy);
  }
  return pts;
})();
// The triangle spans y ∈ [−1, 0.85]; centre it.
const TRIANGLE_DY = (1 - 0.85) / 2;

function scaled(unit: readonly number[], r: number, dy = 0): Float64Array {
  const v = new Float64Array(unit.length);
  for (let i = 0; i < unit.length; i += 2) {
    v[i] = unit[i]! * r;
    v[i + 1] = (unit[i + 1]! + dy) * r;
  }
  return v;
}

/** The signed distance function of a shape of radius r (pixels). */
export function shapeSdf(shape: ShapeName, r: number): Sdf {
  switch (shape) {
    case 'circle':
      return (x, y) => Math.sqrt(x * x + y * y) - r;
    case 'square': {
      const b = 0.86 * r; // about the circle's area, so sizes read alike across shapes
      return (x, y) => boxSdf(x, y, b, b);
    }
    case 'diamond': {
      const v = scaled(UNIT_DIAMOND, r);
      return (x, y) => polygonSdf(x, y, v);
    }
    case 'cross': {
      const arm = 0.36 * r;
      return (x, y) => Math.min(boxSdf(x, y, r, arm), boxSdf(x, y, arm, r));
    }
    case 'ring': {
      const mid = 0.68 * r;
      const half = 0.32 * r;
      return (x, y) => Math.abs(Math.sqrt(x * x + y * y) - mid) - half;
    }
    case 'triangle': {
      const v = scaled(UNIT_TRIANGLE, r, TRIANGLE_DY);
      return (x, y) => polygonSdf(x, y, v);
    }
    case 'hexagon': {
      const v = scaled(UNIT_HEXAGON, r);
      return (x, y) => polygonSdf(x, y, v);
    }
    case 'star': {
      const v = scaled(UNIT_STAR, r);
      return (x, y) => polygonSdf(x, y, v);
    }
  }
}
