/**
 * Ground truth at the resolution of a ViT's patches, for grounding metrics (pointing hit@1,
 * mass-in-box): for each token, which patches lie in its object's box and how much of each patch
 * the object's visible mask covers.
 *
 * Patches are numbered row-major, p = gy · gridW + gx, patch p covering pixels
 * [gx·s, (gx+1)·s) × [gy·s, (gy+1)·s) — the order of a [H/s, s, W/s, s, C] → [H/s · W/s, s·s·C] reshape.
 *
 *   boxFraction[p]  = |box ∩ patch| / s²        inBox[p] = 1 iff boxFraction[p] > 0 (the patch touches the box)
 *   maskFraction[p] = Σ_{pixels in patch} mask / s²
 *
 * Default s = 8: 64 patches on a 64×64 image.
 */
import type { BoxXYXY, Scene } from './scene_types';

export interface PatchGrid {
  patchSize: number;
  gridW: number;
  gridH: number;
  numPatches: number;
}

export interface PatchCoverage extends PatchGrid {
  /** [P] 1 where the patch overlaps the object's box. */
  inBox: Uint8Array;
  /** [P] share of the patch's area inside the box. */
  boxFraction: Float32Array;
  /** [P] share of the patch covered by the object's visible mask. */
  maskFraction: Float32Array;
}

export interface TokenPatchGroundTruth extends PatchGrid {
  /** Number of tokens L. */
  length: number;
  /** [L, P]; rows of tokens without an object (−1) are all zero. */
  inBox: Uint8Array;
  boxFraction: Float32Array;
  maskFraction: Float32Array;
}

export function patchGrid(width: number, height: number, patchSize = 8): PatchGrid {
  if (!Number.isInteger(patchSize) || patchSize < 1 || width % patchSize !== 0 || height % patchSize !== 0) {
    throw new Error(`patchGrid: patchSize must be a positive integer dividing the image size ${width}×${height}; got ${patchSize}.`);
  }
  const gridW = width / patchSize;
  const gridH = height / patchSize;
  return { patchSize, gridW, gridH, numPatches: gridW * gridH };
}

/** Patch coverage of one object (its box and visible mask). */
export function objectPatchCoverage(
  object: { box: BoxXYXY; mask: Float32Array },
  width: number,
  height: number,
  patchSize = 8,
): PatchCoverage {
  const grid = patchGrid(width, height, patchSize);
  const s = patchSize;
  const inBox = new Uint8Array(grid.numPatches);
  const boxFraction = new Float32Array(grid.numPatches);
  const maskFraction = new Float32Array(grid.numPatches);
  const [x1, y1, x2, y2] = object.box;
  for (let gy = 0; gy < grid.gridH; gy++) {
    for (let gx = 0; gx < grid.gridW; gx++) {
      const p = gy * grid.gridW + gx;
      const ox = Math.max(0, Math.min(x2, (gx + 1) * s) - Math.max(x1, gx * s));
      const oy = Math.max(0, Math.min(y2, (gy + 1) * s) - Math.max(y1, gy * s));
      boxFraction[p] = (ox * oy) / (s * s);
      inBox[p] = ox * oy > 0 ? 1 : 0;
      let m = 0;
      for (let y = gy * s; y < (gy + 1) * s; y++) {
        for (let x = gx * s; x < (gx + 1) * s; x++) m += object.mask[y * width + x]!;
      }
      maskFraction[p] = m / (s * s);
    }
  }
  return { ...grid, inBox, boxFraction, maskFraction };
}

/**
 * Per-token patch ground truth: `tokenObject[t]` is the object of token t (−1 for none), e.g. from
 * `encodeGroundedText`.
 */
export function tokenPatchGroundTruth(scene: Scene, tokenObject: ArrayLike<number>, patchSize = 8): TokenPatchGroundTruth {
  const grid = patchGrid(scene.width, scene.height, patchSize);
  const L = tokenObject.length;
  const P = grid.numPatches;
  const inBox = new Uint8Array(L * P);
  const boxFraction = new Float32Array(L * P);
  const maskFraction = new Float32Array(L * P);
  const perObject = new Map<number, PatchCoverage>();
  for (let t = 0; t < L; t++) {
    const o = tokenObject[t]!;
    if (o < 0) continue;
    const object = scene.objects[o];
    if (!object) throw new Error(`tokenPatchGroundTruth: token ${t} refers to object ${o}, but the scene has ${scene.objects.length}.`);
    let cov = perObject.get(o);
    if (!cov) {
      cov = objectPatchCoverage(object, scene.width, scene.height, patchSize);
      perObject.set(o, cov);
    }
    inBox.set(cov.inBox, t * P);
    boxFraction.set(cov.boxFraction, t * P);
    maskFraction.set(cov.maskFraction, t * P);
  }
  return { ...grid, length: L, inBox, boxFraction, maskFraction };
}
