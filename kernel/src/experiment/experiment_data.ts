/**
 * The experiment's data as plain typed arrays (no tensors), built once by the parent process and handed
 * to every worker, so no worker regenerates scenes: a train pool (images + caption tokens) and a test set
 * with per-token ground truth for grounding (object box, word, role).
 *
 *   images  Uint8Array [N, H, W, 3]      ids Int32Array [N, L]      mask Float32Array [N, L]
 *   test: tokenObject Int32Array [N, L] (−1 = no object), tokenContent Uint8Array [N, L],
 *         tokenBox Float32Array [N, L, 4] (xyxy pixels), words string[N][L] ('' for padding)
 *         expressions (optional, from dataset records): referring expressions of the test images, REC
 *
 * This file builds them from the grounded scenes; records_experiment_data.ts builds them from dataset
 * records (COCO, RefCOCO, Flickr30k Entities, Visual Genome) with the same shapes.
 */
import { GroundedScenes } from '../data/grounded_scenes';
import type { Scene } from '../data/scene_types';
import { encodeGroundedText } from '../data/scene_batch';
import { roleOfWord } from '../data/scene_vocabulary';
import type { ExperimentConfig } from './experiment_config';

export interface CaptionedImages {
  count: number;
  imageSize: number;
  textLength: number;
  images: Uint8Array;
  ids: Int32Array;
  mask: Float32Array;
}

export interface GroundedTestSet extends CaptionedImages {
  tokenObject: Int32Array;
  tokenContent: Uint8Array;
  tokenBox: Float32Array;
  /** Token strings per caption, specials included ('' for padding). */
  words: string[][];
  /** Role of each token: 'size' | 'colour' | 'shape' for content words, else ''. */
  roles: string[][];
  /** Number of objects per scene. */
  objectCount: Int32Array;
  /** Referring expressions on the test images (REC); absent for the grounded scenes' captions. */
  expressions?: ExpressionSet;
}

/**
 * E referring expressions, each on one test image, with the candidate boxes a REC answer picks from.
 *
 *   ids Int32Array [E, L]   mask Float32Array [E, L]   image Int32Array [E] (test image index)
 *   truth Float32Array [E, 4]   candidates Float32Array [C, 4], those of expression e at
 *   candidateOffsets[e] … candidateOffsets[e + 1] − 1 (xyxy pixels of the test image)
 */
export interface ExpressionSet {
  count: number;
  textLength: number;
  ids: Int32Array;
  mask: Float32Array;
  image: Int32Array;
  truth: Float32Array;
  candidateOffsets: Int32Array;
  candidates: Float32Array;
}

export interface ExperimentData {
  /** Size of the word vocabulary (text encoder's vocabSize). */
  vocabSize: number;
  /** The vocabulary itself when it was built from data (WordTokenizer order); absent for the scenes' fixed one. */
  vocabulary?: readonly string[];
  train: CaptionedImages;
  test: GroundedTestSet;
  /** The fully resolved GroundedScenesConfig, or for records a description with kind 'records' (stored with the metrics). */
  datasetConfig: unknown;
}

function encodeScenes(ds: GroundedScenes, scenes: readonly Scene[], L: number): CaptionedImages {
  const N = scenes.length;
  const S = ds.config.imageSize;
  const images = new Uint8Array(N * S * S * 3);
  const ids = new Int32Array(N * L);
  const mask = new Float32Array(N * L);
  scenes.forEach((s, i) => {
    images.set(s.image, i * S * S * 3);
    const enc = encodeGroundedText(s.caption, ds.tokenizer, L);
    ids.set(enc.ids, i * L);
    mask.set(enc.mask, i * L);
  });
  return { count: N, imageSize: S, textLength: L, images, ids, mask };
}

/** Generates the train pool and the test set of `config.data` (deterministic in `data.seed`). */
export function buildExperimentData(config: ExperimentConfig): ExperimentData {
  const d = config.data;
  const ds = new GroundedScenes({
    seed: d.seed,
    imageSize: d.imageSize,
    textLength: d.textLength,
    splits: { train: d.trainScenes, val: 0, test: d.testScenes },
  });
  const L = d.textLength;
  const train = encodeScenes(ds, ds.getScenes('train', 0, d.trainScenes), L);
  const testScenes = ds.getScenes('test', 0, d.testScenes);
  const base = encodeScenes(ds, testScenes, L);
  const tokenObject = new Int32Array(base.count * L).fill(-1);
  const tokenContent = new Uint8Array(base.count * L);
  const tokenBox = new Float32Array(base.count * L * 4);
  const words: string[][] = [];
  const roles: string[][] = [];
  testScenes.forEach((s, i) => {
    const enc = encodeGroundedText(s.caption, ds.tokenizer, L);
    tokenObject.set(enc.tokenObject, i * L);
    tokenContent.set(enc.tokenIsContent, i * L);
    const w: string[] = [];
    const r: string[] = [];
    for (let t = 0; t < L; t++) {
      const word = enc.mask[t] ? ds.tokenizer.vocabulary[enc.ids[t]!] ?? '?' : '';
      w.push(word);
      r.push(enc.tokenIsContent[t] ? roleOfWord(word) ?? '' : '');
      const o = enc.tokenObject[t]!;
      if (o >= 0) tokenBox.set(s.objects[o]!.box, (i * L + t) * 4);
    }
    words.push(w);
    roles.push(r);
  });
  return {
    vocabSize: ds.tokenizer.size,
    train,
    test: { ...base, tokenObject, tokenContent, tokenBox, words, roles, objectCount: Int32Array.from(testScenes, (s) => s.objects.length) },
    datasetConfig: JSON.parse(JSON.stringify(ds.config)) as unknown,
  };
}
