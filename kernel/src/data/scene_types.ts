/**
 * The data types of one grounded scene. Coordinates are in pixels, origin at the top-left corner,
 * x to the right, y downwards; pixel (x, y) covers [x, x+1) × [y, y+1).
 */
import type { ObjectAttributes, WordRole } from './scene_vocabulary';

/** Which split a scene belongs to. */
export type SplitName = 'train' | 'val' | 'test';
export const SPLITS: readonly SplitName[] = ['train', 'val', 'test'];

/** An axis-aligned box [x1, y1, x2, y2] in pixels; x2, y2 exclusive (width = x2 − x1). */
export type BoxXYXY = [number, number, number, number];

export interface SceneObject extends ObjectAttributes {
  /** The object's name as a word (its shape noun), for object-listing tasks. */
  name: string;
  /** Centre of the drawn shape (before occlusion), in pixels (continuous coordinates). */
  center: [number, number];
  /** Half extent of the shape in pixels. */
  radius: number;
  /** Tight box of the visible mask (pixels with coverage > 0), xyxy, x2/y2 exclusive. */
  box: BoxXYXY;
  /** Visible coverage of each pixel in [0, 1] (anti-aliased, after occlusion by later objects), row-major [H, W]. */
  mask: Float32Array;
  /** Sum of `mask` (visible area in pixels). */
  area: number;
  /** Visible area / unoccluded area, in (0, 1]. */
  visibleFraction: number;
  /** "the large blue square". */
  regionPhrase: string;
}

/**
 * A text with word-level ground truth: `words[i]` refers to object `wordObject[i]` (an index into the
 * scene's objects) or to none (−1, for function and relation words).
 */
export interface GroundedText {
  text: string;
  words: string[];
  wordObject: number[];
  wordRole: WordRole[];
}

/** A referring expression that picks exactly one object of its scene. */
export interface ReferringExpression extends GroundedText {
  /** The object it refers to. */
  target: number;
  /**
   * How it singles the target out: its attributes alone, an extremal ("the leftmost red circle"),
   * or a relation to a landmark object ("the circle left of the blue square").
   */
  kind: 'attributes' | 'extremal' | 'relational';
  /** For relational expressions, the landmark object. */
  landmark?: number;
}

export interface Scene {
  split: SplitName;
  /** Index within the split. */
  index: number;
  /** The 32-bit seed of this scene's random stream: hashSeed(config.seed, 'grounded-scenes', split, index). */
  seed: number;
  width: number;
  height: number;
  /** RGB bytes, row-major [H, W, 3]. */
  image: Uint8Array;
  /** Objects in drawing order (later objects are on top). */
  objects: SceneObject[];
  /** "a small red circle left of a large blue square" — mentions up to `captionMaxObjects` objects. */
  caption: GroundedText;
  /** One region phrase per object, in object order. */
  regionPhrases: GroundedText[];
  /** Referring expressions; each is unique in this scene. At least one per object when one exists. */
  referringExpressions: ReferringExpression[];
}
