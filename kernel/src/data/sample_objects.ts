/**
 * Samples the objects of one scene: attributes (with deliberate distractors that share attributes
 * with an earlier object) and a placement that keeps every object inside the image, centres apart
 * by `minSeparation · (r_i + r_j)` (objects of one colour never touch) and at least
 * `minVisibleFraction` of each object visible.
 */
import type { SeededRandom } from '../util/seeded_random';
import type { GroundedScenesConfig } from './grounded_scenes_config';
import { COLOUR_RGB, SIZES, type ObjectAttributes } from './scene_vocabulary';
import { rasterShape, visibleMasks, type WindowRaster } from './shape_raster';

export interface PlacedObject extends ObjectAttributes {
  center: [number, number];
  radius: number;
  rgb: [number, number, number];
  raster: WindowRaster;
}

const PLACEMENT_TRIES = 40;
const SCENE_TRIES = 20;

/** Attributes copied from an earlier object to make a distractor; the others are forced to differ. */
const DISTRACTOR_PATTERNS: readonly (readonly (keyof ObjectAttributes)[])[] = [
  ['shape'], // same shape, something else differs (two circles): weighted double, the commonest case
  ['shape'],
  ['colour'], // same colour, different shape
  ['shape', 'colour'], // same shape and colour, different size
  ['shape', 'size'], // same shape and size, different colour
];

function randomAttributes(cfg: GroundedScenesConfig, rng: SeededRandom): ObjectAttributes {
  return { shape: rng.pick(cfg.shapes), colour: rng.pick(cfg.colours), size: rng.pick(SIZES) };
}

function sameAttributes(a: ObjectAttributes, b: ObjectAttributes): boolean {
  return a.shape === b.shape && a.colour === b.colour && a.size === b.size;
}

function sampleAttributes(previous: readonly ObjectAttributes[], cfg: GroundedScenesConfig, rng: SeededRandom): ObjectAttributes {
  for (let attempt = 0; attempt < 20; attempt++) {
    let attrs = randomAttributes(cfg, rng);
    if (previous.length > 0 && rng.bool(cfg.distractorProbability)) {
      const source = rng.pick(previous);
      const copied = rng.pick(DISTRACTOR_PATTERNS);
      attrs = {
        shape: copied.includes('shape') ? source.shape : attrs.shape,
        colour: copied.includes('colour') ? source.colour : attrs.colour,
        size: copied.includes('size') ? source.size : attrs.size,
      };
      // A distractor differs from its source in at least one attribute not copied.
      if (copied.includes('shape') && copied.includes('colour')) attrs.size = source.size === 'small' ? 'large' : 'small';
      else if (sameAttributes(attrs, source)) continue;
    }
    if (cfg.allowIdenticalObjects || !previous.some((p) => sameAttributes(p, attrs))) return attrs;
  }
  return randomAttributes(cfg, rng); // give up on the pattern; placement may still reject duplicates below
}

function sampleRadius(size: ObjectAttributes['size'], cfg: GroundedScenesConfig, rng: SeededRandom): number {
  const [lo, hi] = size === 'small' ? cfg.smallRadius : cfg.largeRadius;
  return rng.uniform(lo, hi) * cfg.imageSize;
}

/** Tries to place one more object on top of `placed`; null if no placement satisfies the constraints. */
function place(attrs: ObjectAttributes, placed: readonly PlacedObject[], cfg: GroundedScenesConfig, rng: SeededRandom): PlacedObject | null {
  const s = cfg.imageSize;
  for (let t = 0; t < PLACEMENT_TRIES; t++) {
    const radius = sampleRadius(attrs.size, cfg, rng);
    // Whole shape inside the image, one pixel of margin.
    const center: [number, number] = [rng.uniform(radius + 1, s - radius - 1), rng.uniform(radius + 1, s - radius - 1)];
    const apart = placed.every((p) => {
      const dx = p.center[0] - center[0];
      const dy = p.center[1] - center[1];
      // Same-coloured objects never touch: their shared outline would be invisible. Every shape lies
      // within 1.25·r of its centre (a square's corner is at 0.86·√2·r ≈ 1.22·r).
      const factor = p.colour === attrs.colour ? Math.max(1.25, cfg.minSeparation) : cfg.minSeparation;
      return Math.sqrt(dx * dx + dy * dy) >= factor * (p.radius + radius) + (p.colour === attrs.colour ? 1 : 0);
    });
    if (!apart) continue;
    const raster = rasterShape({ shape: attrs.shape, center, radius }, s, s);
    if (placed.length > 0) {
      const { fractions } = visibleMasks([...placed.map((p) => p.raster), raster], s, s);
      if (fractions.some((f) => f < cfg.minVisibleFraction)) continue;
    }
    const base = COLOUR_RGB[attrs.colour];
    const j = cfg.colourJitter;
    const rgb = base.map((v) => Math.min(1, Math.max(0, v + rng.uniform(-j, j)))) as [number, number, number];
    return { ...attrs, center, radius, rgb, raster };
  }
  return null;
}

/** The objects of one scene, in drawing order. */
export function sampleObjects(cfg: GroundedScenesConfig, rng: SeededRandom): PlacedObject[] {
  const wanted = rng.intBetween(cfg.minObjects, cfg.maxObjects);
  let best: PlacedObject[] = [];
  for (let attempt = 0; attempt < SCENE_TRIES; attempt++) {
    const placed: PlacedObject[] = [];
    for (let guard = 0; placed.length < wanted && guard < 100; guard++) {
      const attrs = sampleAttributes(placed, cfg, rng);
      if (!cfg.allowIdenticalObjects && placed.some((p) => sameAttributes(p, attrs))) continue;
      const obj = place(attrs, placed, cfg, rng);
      if (!obj) break;
      placed.push(obj);
    }
    if (placed.length === wanted) return placed;
    if (placed.length > best.length) best = placed;
  }
  if (best.length < cfg.minObjects) {
    throw new Error(
      `GroundedScenesConfig: could not place ${cfg.minObjects} objects in a ${cfg.imageSize}px image after ` +
        `${SCENE_TRIES} tries; lower minObjects, the radii or minSeparation.`,
    );
  }
  return best;
}
