/**
 * The grounded scenes dataset: procedural RGB images of 1–4 coloured shapes with exact word ↔ object
 * ↔ box/mask ground truth, captions, region phrases and unique referring expressions.
 *
 * Scene `index` of split `s` is drawn from its own random stream, seeded by hashSeed(seed, 'grounded-scenes', s, index),,
 * so `getScene` is deterministic random access (no need to generate the scenes before it), splits
 * never share a stream, and resizing one split leaves the others' scenes unchanged. The same seed
 * gives byte-identical images and identical texts on every platform (integer PRNG + IEEE arithmetic).
 *
 * @example
 *   const ds = new GroundedScenes({ seed: 1, splits: { train: 5000 } });
 *   const s = ds.getScene('test', 0);
 *   s.caption.text;           // "a small red circle left of a large blue square"
 *   s.caption.wordObject;     // [-1, 0, 0, 0, -1, -1, -1, 1, 1, 1]
 *   s.objects[0].box;         // [x1, y1, x2, y2]
 */
import { deepFreeze } from '../util/merge_config';
import { hashSeed, SeededRandom } from '../util/seeded_random';
import { generateCaption, regionPhrases } from './caption_grammar';
import { drawScene } from './draw_scene';
import { resolveGroundedScenesConfig, type GroundedScenesConfig } from './grounded_scenes_config';
import { generateReferringExpressions } from './referring_expressions';
import { sampleObjects } from './sample_objects';
import { SPLITS, type Scene, type SceneObject, type SplitName } from './scene_types';
import { maskBox, visibleMasks } from './shape_raster';
import { relationMarginFor } from './spatial_relation';
import { WordTokenizer } from './word_tokenizer';

/** Bump when a change to the generator changes any scene (pinned by the determinism test's hash). */
export const GROUNDED_SCENES_VERSION = 1;

/** One scene, fully determined by the resolved config, the split and the index. */
export function generateScene(config: GroundedScenesConfig, split: SplitName, index: number): Scene {
  const seed = hashSeed(config.seed, 'grounded-scenes', split, index);
  const rng = new SeededRandom(seed);
  const size = config.imageSize;
  const placed = sampleObjects(config, rng.fork('objects'));
  const image = drawScene(placed, size, size, config, rng.fork('pixels'));
  const { masks, fractions } = visibleMasks(placed.map((p) => p.raster), size, size);
  const phrases = regionPhrases(placed);
  const objects: SceneObject[] = placed.map((p, i) => {
    const mask = masks[i]!;
    let area = 0;
    for (let k = 0; k < mask.length; k++) area += mask[k]!;
    return {
      shape: p.shape,
      colour: p.colour,
      size: p.size,
      name: p.shape,
      center: p.center,
      radius: p.radius,
      box: maskBox(mask, size, size) ?? [0, 0, 0, 0], // never empty: minVisibleFraction > 0 keeps pixels
      mask,
      area,
      visibleFraction: fractions[i]!,
      regionPhrase: phrases[i]!.text,
    };
  });
  const margin = relationMarginFor(size);
  const caption = generateCaption(
    objects,
    {
      maxObjects: config.captionMaxObjects,
      maxWords: config.textLength - 2,
      relationProbability: config.relationProbability,
      relationMargin: margin,
    },
    rng.fork('caption'),
  );
  return {
    split,
    index,
    seed,
    width: size,
    height: size,
    image,
    objects,
    caption,
    regionPhrases: phrases,
    referringExpressions: generateReferringExpressions(objects, margin),
  };
}

export class GroundedScenes {
  /** The fully resolved config (store it with any run that uses this data). */
  readonly config: Readonly<GroundedScenesConfig>;
  /** The word tokenizer of the scene language (36 tokens by default). */
  readonly tokenizer: WordTokenizer;
  /** Pixels below which two centres have no spatial relation (used by the grammars and resolvers). */
  readonly relationMargin: number;

  /** `overrides`: a partial GroundedScenesConfig; unknown keys or wrong types throw, naming the key. */
  constructor(overrides?: unknown) {
    this.config = deepFreeze(resolveGroundedScenesConfig(overrides));
    this.tokenizer = WordTokenizer.forScenes();
    this.relationMargin = relationMarginFor(this.config.imageSize);
  }

  /** Number of scenes in a split. */
  size(split: SplitName): number {
    checkSplit(split);
    return this.config.splits[split];
  }

  /** Scene `index` of `split` (0 ≤ index < size(split)); the same arguments always give the same scene. */
  getScene(split: SplitName, index: number): Scene {
    const n = this.size(split);
    if (!Number.isInteger(index) || index < 0 || index >= n) {
      throw new Error(`GroundedScenes.getScene: index must be an integer in [0, ${n}) for split '${split}'; got ${index}.`);
    }
    return generateScene(this.config, split, index);
  }

  /** Scenes `start … start+count−1` of a split. */
  getScenes(split: SplitName, start: number, count: number): Scene[] {
    return Array.from({ length: count }, (_, k) => this.getScene(split, start + k));
  }

  /** Scenes at the given indices of a split (e.g. a shuffled batch). */
  getMany(split: SplitName, indices: ArrayLike<number>): Scene[] {
    return Array.from(indices, (i) => this.getScene(split, i));
  }
}

function checkSplit(split: string): asserts split is SplitName {
  if (!(SPLITS as readonly string[]).includes(split)) {
    throw new Error(`GroundedScenes: split must be one of ${SPLITS.join(', ')}; got '${split}'.`);
  }
}
