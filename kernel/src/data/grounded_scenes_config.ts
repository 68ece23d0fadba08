/**
 * Configuration of the grounded scenes generator: typed data with frozen defaults and a merge that
 * rejects unknown keys, wrong types and out-of-range values (each error names the key).
 */
import { deepFreeze, mergeConfig } from '../util/merge_config';
import { COLOURS, SHAPES, type ColourName, type ShapeName } from './scene_vocabulary';

export interface GroundedScenesConfig {
  /** Dataset seed: fixes every scene of every split. */
  seed: number;
  /** Image side in pixels (square images). */
  imageSize: number;
  /** Objects per scene, drawn uniformly in [minObjects, maxObjects] (1 ≤ min ≤ max ≤ 6). */
  minObjects: number;
  maxObjects: number;
  /** Number of scenes of each split. Splits are disjoint ranges of one global index, so they never share a scene. */
  splits: { train: number; val: number; test: number };
  /** Text length in tokens, special tokens included; captions are built to fit it. */
  textLength: number;
  /** Most objects a caption mentions (the first two joined by a spatial relation, the rest by "and"). */
  captionMaxObjects: number;
  /** Probability that a caption joins its first two objects with a spatial relation rather than "and". */
  relationProbability: number;
  /** Probability that each added object copies one or two attributes of an earlier one (a distractor). */
  distractorProbability: number;
  /** Allow two objects with identical shape, colour and size (then only spatial expressions tell them apart). */
  allowIdenticalObjects: boolean;
  /** Every object keeps at least this fraction of its area visible after occlusion. */
  minVisibleFraction: number;
  /** Centres are at least this × (r_i + r_j) apart: < 1 allows partial overlap. */
  minSeparation: number;
  /** Object half extent as a fraction of imageSize, per size word: [min, max]. */
  smallRadius: [number, number];
  largeRadius: [number, number];
  /** Per-channel random offset of an object's colour around its named colour. */
  colourJitter: number;
  /** Background texture and per-pixel noise amplitudes (fractions of full scale). */
  backgroundTexture: number;
  pixelNoise: number;
  /** The shapes and colours in use (a subset of the vocabulary; at least 2 each). */
  shapes: ShapeName[];
  colours: ColourName[];
}

export const DEFAULT_GROUNDED_SCENES_CONFIG: Readonly<GroundedScenesConfig> = deepFreeze({
  seed: 0,
  imageSize: 64,
  minObjects: 1,
  maxObjects: 4,
  splits: { train: 20000, val: 1000, test: 1000 },
  textLength: 16,
  captionMaxObjects: 3,
  relationProbability: 0.85,
  distractorProbability: 0.6,
  allowIdenticalObjects: false,
  minVisibleFraction: 0.6,
  minSeparation: 0.75,
  smallRadius: [0.085, 0.115],
  largeRadius: [0.16, 0.2],
  colourJitter: 0.04,
  backgroundTexture: 0.06,
  pixelNoise: 0.025,
  shapes: [...SHAPES],
  colours: [...COLOURS],
});

const WHAT = 'GroundedScenesConfig';

/** Defaults merged with `overrides`, validated. Throws an Error naming the offending key. */
export function resolveGroundedScenesConfig(overrides?: unknown): GroundedScenesConfig {
  const c = mergeConfig(DEFAULT_GROUNDED_SCENES_CONFIG as GroundedScenesConfig, overrides, WHAT);
  const fail = (key: string, expected: string, seen: unknown): never => {
    throw new Error(`${WHAT}.${key}: expected ${expected}, got ${JSON.stringify(seen)}.`);
  };
  const int = (key: string, v: number, lo: number, hi = Number.MAX_SAFE_INTEGER): void => {
    if (!Number.isInteger(v) || v < lo || v > hi) fail(key, `an integer in [${lo}, ${hi}]`, v);
  };
  const unit = (key: string, v: number): void => {
    if (!(v >= 0 && v <= 1)) fail(key, 'a number in [0, 1]', v);
  };
  int('seed', c.seed, Number.MIN_SAFE_INTEGER);
  int('imageSize', c.imageSize, 16, 1024);
  int('minObjects', c.minObjects, 1, 6);
  int('maxObjects', c.maxObjects, c.minObjects, 6);
  for (const s of ['train', 'val', 'test'] as const) int(`splits.${s}`, c.splits[s], 0, 1e9);
  int('textLength', c.textLength, 6, 4096);
  int('captionMaxObjects', c.captionMaxObjects, 1, 6);
  unit('relationProbability', c.relationProbability);
  unit('distractorProbability', c.distractorProbability);
  unit('minVisibleFraction', c.minVisibleFraction);
  if (!(c.minSeparation >= 0.3 && c.minSeparation <= 2)) fail('minSeparation', 'a number in [0.3, 2]', c.minSeparation);
  for (const key of ['smallRadius', 'largeRadius'] as const) {
    const [lo, hi] = c[key];
    if (c[key].length !== 2 || !(lo! > 0 && lo! <= hi! && hi! <= 0.45)) fail(key, '[min, max] with 0 < min ≤ max ≤ 0.45', c[key]);
  }
  if (!(c.smallRadius[1] < c.largeRadius[0])) {
    fail('largeRadius', `a range above smallRadius (${c.smallRadius[1]}) so the sizes stay distinct`, c.largeRadius);
  }
  for (const key of ['colourJitter', 'backgroundTexture', 'pixelNoise'] as const) {
    if (!(c[key] >= 0 && c[key] <= 0.3)) fail(key, 'a number in [0, 0.3]', c[key]);
  }
  checkSubset('shapes', c.shapes, SHAPES, fail);
  checkSubset('colours', c.colours, COLOURS, fail);
  return c;
}

function checkSubset(
  key: string,
  values: readonly string[],
  known: readonly string[],
  fail: (key: string, expected: string, seen: unknown) => never,
): void {
  values.forEach((v, i) => {
    if (!known.includes(v)) fail(`${key}[${i}]`, `one of ${known.join(', ')}`, v);
  });
  if (new Set(values).size !== values.length || values.length < 2) fail(key, 'at least 2 distinct names', values);
}
