/**
 * Grounded scene → DatasetRecord, so that evaluation written against records runs unchanged on the
 * embedded scenes and on real datasets (and on scenes exported to those formats and read back).
 *
 * Ids are numeric strings, valid in every format: image id = base(split) + index with base
 * train 1 000 000, val 2 000 000, test 3 000 000; object (annotation) k of image I has id 100·I + k,
 * which is also the Flickr30k entity id and the Visual Genome region id of that object; expression e
 * has id 100·I + e.
 *
 * What goes where:
 *   captions    [caption.text]
 *   objects     one per scene object: name = shape noun, box = visible-mask box, area = mask sum,
 *               categoryId = 1 + index of the shape in SHAPES, iscrowd false
 *   phrases     caption phrases: each maximal run of consecutive caption words grounded to the same
 *               object ("small red circle", the article excluded — it is grounded to nothing), with
 *               its character span, entity id = the object's id, type 'other';
 *               then the region phrases ("the small red circle"), id = the object's id
 *   expressions the referring expressions, box = the target's box
 */
import type { Scene, SplitName } from '../scene_types';
import { SHAPES } from '../scene_vocabulary';
import type { DatasetRecord, RecordPhrase } from './dataset_record';

const SPLIT_BASE: Record<SplitName, number> = { train: 1_000_000, val: 2_000_000, test: 3_000_000 };

/** The numeric image id of scene `index` of `split`. */
export function sceneImageId(split: SplitName, index: number): number {
  return SPLIT_BASE[split] + index;
}

/** The annotation / entity / region id of object `k` of image `imageId`. */
export function sceneObjectId(imageId: number, k: number): number {
  return 100 * imageId + k;
}

/** Character [start, end) of each word of a text whose words are separated by single spaces. */
export function wordSpans(text: string, words: readonly string[]): [number, number][] {
  const spans: [number, number][] = [];
  let at = 0;
  for (const w of words) {
    const start = text.indexOf(w, at);
    if (start < 0) throw new Error(`wordSpans: word '${w}' not found in "${text}" after character ${at}.`);
    spans.push([start, start + w.length]);
    at = start + w.length;
  }
  return spans;
}

export function sceneToRecord(scene: Scene): DatasetRecord {
  const imageId = sceneImageId(scene.split, scene.index);
  const objectId = (k: number) => String(sceneObjectId(imageId, k));
  const { text, words, wordObject } = scene.caption;
  const spans = wordSpans(text, words);
  const captionPhrases: RecordPhrase[] = [];
  for (let i = 0; i < words.length; ) {
    const k = wordObject[i]!;
    let j = i + 1;
    while (k >= 0 && j < words.length && wordObject[j] === k) j++;
    if (k >= 0) {
      const span: [number, number] = [spans[i]![0], spans[j - 1]![1]];
      captionPhrases.push({
        text: text.slice(span[0], span[1]),
        boxes: [[...scene.objects[k]!.box]],
        id: objectId(k),
        caption: 0,
        span,
        type: 'other',
      });
    }
    i = j;
  }
  return {
    id: String(imageId),
    split: scene.split,
    image: { kind: 'memory', rgb: scene.image },
    width: scene.width,
    height: scene.height,
    captions: [text],
    objects: scene.objects.map((o, k) => ({
      id: objectId(k),
      name: o.name,
      box: [...o.box],
      categoryId: SHAPES.indexOf(o.shape) + 1,
      iscrowd: false,
      area: o.area,
    })),
    phrases: [
      ...captionPhrases,
      ...scene.regionPhrases.map((p, k) => ({ text: p.text, boxes: [[...scene.objects[k]!.box] as [number, number, number, number]], id: objectId(k) })),
    ],
    expressions: scene.referringExpressions.map((e, n) => ({
      id: String(sceneObjectId(imageId, n)),
      text: e.text,
      box: [...scene.objects[e.target]!.box],
      objectId: objectId(e.target),
      name: scene.objects[e.target]!.name,
    })),
  };
}
