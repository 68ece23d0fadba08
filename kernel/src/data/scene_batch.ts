/**
 * Turns scenes into model inputs (tensors) and per-token ground truth (plain typed arrays).
 *
 *   images     [B, H, W, 3] float32 in [0, 1]
 *   tokenIds   [B, L] int32       [BOS] words [EOS] [PAD]…
 *   tokenMask  [B, L] float32     1 real token, 0 padding
 *   tokenObject[B·L]  object index of each token, −1 for specials, function and relation words
 *   tokenBox   [B·L·4] xyxy pixels of that object (0 where tokenObject is −1)
 *   patchInBox / patchMaskFraction [B·L·P] see patch_ground_truth
 *
 * The batch owns its three tensors: call `dispose()` when done (or build it inside `tf.tidy`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { tokenPatchGroundTruth } from './patch_ground_truth';
import type { GroundedText, Scene } from './scene_types';
import { isContentRole } from './scene_vocabulary';
import type { WordTokenizer } from './word_tokenizer';

/** A grounded text encoded to a fixed length, with per-token ground truth. */
export interface EncodedGroundedText {
  ids: Int32Array;
  mask: Float32Array;
  /** Object of each token, −1 for none. */
  tokenObject: Int32Array;
  /** 1 for content tokens (size, colour, shape words), the ones grounding metrics score. */
  tokenIsContent: Uint8Array;
}

/** Encodes a grounded text to `length` tokens; throws if it does not fit or a word is not one token. */
export function encodeGroundedText(text: GroundedText, tokenizer: WordTokenizer, length: number): EncodedGroundedText {
  const split = tokenizer.tokenize(text.text);
  if (split.length !== text.words.length || split.some((w, i) => w !== text.words[i])) {
    throw new Error(`encodeGroundedText: "${text.text}" does not tokenize to its ${text.words.length} words, one token each.`);
  }
  const ids = Int32Array.from(tokenizer.encodeWords(text.words, { length }));
  const mask = new Float32Array(length);
  const tokenObject = new Int32Array(length).fill(-1);
  const tokenIsContent = new Uint8Array(length);
  const n = text.words.length + 2;
  mask.fill(1, 0, n);
  text.words.forEach((_, i) => {
    tokenObject[i + 1] = text.wordObject[i]!; // +1: after [BOS]
    tokenIsContent[i + 1] = isContentRole(text.wordRole[i]!) ? 1 : 0;
  });
  return { ids, mask, tokenObject, tokenIsContent };
}

export interface SceneBatchOptions {
  /** Tokens per text, specials included. Default 16. */
  textLength?: number;
  /** Which text of each scene. Default: the caption. */
  text?: (scene: Scene) => GroundedText;
  /** Patch size of the patch-level ground truth. Default 8. */
  patchSize?: number;
}

export interface SceneBatch {
  scenes: Scene[];
  /** B, L, H, W, P. */
  batchSize: number;
  textLength: number;
  height: number;
  width: number;
  numPatches: number;
  images: tf.Tensor4D;
  tokenIds: tf.Tensor2D;
  tokenMask: tf.Tensor2D;
  tokenObject: Int32Array;
  tokenIsContent: Uint8Array;
  tokenBox: Float32Array;
  patchInBox: Uint8Array;
  patchMaskFraction: Float32Array;
  patchBoxFraction: Float32Array;
  dispose(): void;
}

/** Scene images as one float32 array [B, H, W, 3] in [0, 1] (no tensors; e.g. for worker processes). */
export function imagesToFloat32(scenes: readonly Scene[]): Float32Array {
  if (scenes.length === 0) throw new Error('imagesToFloat32: scenes is empty.');
  const { width, height } = scenes[0]!;
  const n = width * height * 3;
  const out = new Float32Array(scenes.length * n);
  scenes.forEach((s, b) => {
    if (s.width !== width || s.height !== height) {
      throw new Error(`imagesToFloat32: scene ${b} is ${s.width}×${s.height}, scene 0 is ${width}×${height}.`);
    }
    for (let i = 0; i < n; i++) out[b * n + i] = s.image[i]! / 255;
  });
  return out;
}

export function sceneBatch(scenes: readonly Scene[], tokenizer: WordTokenizer, options: SceneBatchOptions = {}): SceneBatch {
  const L = options.textLength ?? 16;
  const pickText = options.text ?? ((s: Scene) => s.caption);
  const patchSize = options.patchSize ?? 8;
  const B = scenes.length;
  const pixels = imagesToFloat32(scenes); // validates B > 0 and equal sizes
  const { width: W, height: H } = scenes[0]!;
  const ids = new Int32Array(B * L);
  const mask = new Float32Array(B * L);
  const tokenObject = new Int32Array(B * L);
  const tokenIsContent = new Uint8Array(B * L);
  const tokenBox = new Float32Array(B * L * 4);
  let P = 0;
  let patchInBox = new Uint8Array(0);
  let patchMaskFraction = new Float32Array(0);
  let patchBoxFraction = new Float32Array(0);
  scenes.forEach((scene, b) => {
    const enc = encodeGroundedText(pickText(scene), tokenizer, L);
    ids.set(enc.ids, b * L);
    mask.set(enc.mask, b * L);
    tokenObject.set(enc.tokenObject, b * L);
    tokenIsContent.set(enc.tokenIsContent, b * L);
    enc.tokenObject.forEach((o, t) => {
      if (o >= 0) tokenBox.set(scene.objects[o]!.box, (b * L + t) * 4);
    });
    const gt = tokenPatchGroundTruth(scene, enc.tokenObject, patchSize);
    if (b === 0) {
      P = gt.numPatches;
      patchInBox = new Uint8Array(B * L * P);
      patchMaskFraction = new Float32Array(B * L * P);
      patchBoxFraction = new Float32Array(B * L * P);
    }
    patchInBox.set(gt.inBox, b * L * P);
    patchMaskFraction.set(gt.maskFraction, b * L * P);
    patchBoxFraction.set(gt.boxFraction, b * L * P);
  });
  const images = tf.tensor4d(pixels, [B, H, W, 3], 'float32'); // [B, H, W, 3]
  const tokenIds = tf.tensor2d(ids, [B, L], 'int32'); // [B, L]
  const tokenMask = tf.tensor2d(mask, [B, L], 'float32'); // [B, L]
  return {
    scenes: [...scenes],
    batchSize: B,
    textLength: L,
    height: H,
    width: W,
    numPatches: P,
    images,
    tokenIds,
    tokenMask,
    tokenObject,
    tokenIsContent,
    tokenBox,
    patchInBox,
    patchMaskFraction,
    patchBoxFraction,
    dispose: () => tf.dispose([images, tokenIds, tokenMask]),
  };
}
