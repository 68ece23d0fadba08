/**
 * A dataset record (already resized: resize_records.ts) as the `Scene` the grounded-LM task templates
 * read — the reverse of data/datasets/scene_to_record.ts — so stage 0, stage 1 and evaluation run on
 * COCO / RefCOCO / Flickr30k Entities / Visual Genome unchanged:
 *
 *   objects        detection and listing targets, and the boxes region captioning describes:
 *                  the record's objects (COCO instances; crowd boxes left out, counted); for a record
 *                  without an object list, one object per distinct phrase box (Flickr30k entities, VG
 *                  regions), named by its Flickr30k type ('people', 'clothing'…) or 'region'; plus the
 *                  target box of any expression whose object is not listed (RefCOCO finetune), named by
 *                  its category when known
 *   object name    one token: lower-cased, spaces and punctuation → '_' ("traffic light" → traffic_light)
 *   regionPhrase   the region phrase (VG) with exactly the object's box, else a caption phrase with it,
 *                  else the object's name; tokenized and joined by spaces (the templates split on ' ')
 *   expressions    each referring expression, its target the object with its id (else its box)
 *   caption        the first caption, tokenized (stage 0 reads its words; no word-level boxes here)
 *
 * Limits that keep every sequence inside the LM's context (counted in the report, nothing silent):
 * at most `maxObjects` objects (the largest kept; an expression whose target is dropped is dropped) and
 * at most `maxWords` words per expression (longer: dropped) or region phrase (longer: the name instead).
 * Records carry no scene attributes: `shape` holds the name, `colour` / `size` are ''.
 */
import type { BoxXYXY, DatasetRecord } from '../data/datasets/dataset_record';
import type { ColourName, ShapeName, SizeName, WordRole } from '../data/scene_vocabulary';
import { roleOfWord } from '../data/scene_vocabulary';
import type { GroundedText, Scene, SceneObject, SplitName } from '../data/scene_types';
import { WordTokenizer } from '../data/word_tokenizer';

export interface RecordSceneLimits {
  maxObjects: number;
  maxWords: number;
}

export interface RecordSceneReport {
  crowdObjects: number;
  objectsFromPhrases: number;
  objectsFromExpressions: number;
  droppedObjects: number;
  scenesWithDroppedObjects: number;
  droppedExpressions: number;
  longRegionPhrases: number;
}

export function newRecordSceneReport(): RecordSceneReport {
  return { crowdObjects: 0, objectsFromPhrases: 0, objectsFromExpressions: 0, droppedObjects: 0, scenesWithDroppedObjects: 0, droppedExpressions: 0, longRegionPhrases: 0 };
}

const splitter = WordTokenizer.forScenes(); // tokenize() does not depend on the vocabulary

/** The words of a text as the word tokenizer splits them. */
export const textWords = (text: string): string[] => splitter.tokenize(text);

/** A category name as one vocabulary token. */
export function objectNameToken(name: string): string {
  return name.trim().toLowerCase().replace(/[\s,.;:!?]+/g, '_').replace(/^_+|_+$/g, '') || 'object';
}

const key = (b: readonly number[]): string => b.join(',');

export function groundedText(words: string[]): GroundedText {
  return { text: words.join(' '), words, wordObject: words.map(() => -1), wordRole: words.map((w): WordRole => roleOfWord(w) ?? 'function') };
}

function sceneObject(name: string, box: BoxXYXY, regionPhrase: string): SceneObject {
  const [x1, y1, x2, y2] = box;
  return {
    shape: name as ShapeName, // records have no scene attributes (see the header)
    colour: '' as ColourName,
    size: '' as SizeName,
    name,
    center: [(x1 + x2) / 2, (y1 + y2) / 2],
    radius: Math.max(x2 - x1, y2 - y1) / 2,
    box: [...box],
    mask: new Float32Array(0),
    area: (x2 - x1) * (y2 - y1),
    visibleFraction: 1,
    regionPhrase,
  };
}

export function recordToScene(r: DatasetRecord, split: SplitName, index: number, limits: RecordSceneLimits, report: RecordSceneReport): Scene {
  if (r.image.kind !== 'memory' || r.image.rgb.length !== r.width * r.height * 3) {
    throw new Error(`recordToScene: record ${r.id} needs its pixels in memory at its own size (resize it first: resizeRecords).`);
  }
  type Item = { name: string; box: BoxXYXY; id?: string };
  const items: Item[] = [];
  const byBox = new Map<string, number>();
  const add = (it: Item): void => {
    if (!byBox.has(key(it.box))) byBox.set(key(it.box), items.length);
    items.push(it);
  };
  for (const o of r.objects) {
    if (o.iscrowd) report.crowdObjects++;
    else add({ name: objectNameToken(o.name), box: o.box, id: o.id });
  }
  if (items.length === 0) {
    for (const p of r.phrases) {
      for (const b of p.boxes) {
        if (byBox.has(key(b))) continue;
        add({ name: objectNameToken(p.type ? p.type.split('/')[0]! : 'region'), box: b });
        report.objectsFromPhrases++;
      }
    }
  }
  const targetOf = (e: DatasetRecord['expressions'][number]): number | undefined => {
    const byId = e.objectId !== undefined ? items.findIndex((it) => it.id === e.objectId) : -1;
    return byId >= 0 ? byId : byBox.get(key(e.box));
  };
  for (const e of r.expressions) {
    if (targetOf(e) !== undefined) continue;
    add({ name: objectNameToken(e.name ?? 'region'), box: e.box });
    report.objectsFromExpressions++;
  }
  // keep the largest maxObjects (in their original order)
  let kept = items.map((_, i) => i);
  if (kept.length > limits.maxObjects) {
    const area = (b: BoxXYXY): number => (b[2] - b[0]) * (b[3] - b[1]);
    kept = kept.sort((a, b) => area(items[b]!.box) - area(items[a]!.box) || a - b).slice(0, limits.maxObjects).sort((a, b) => a - b);
    report.droppedObjects += items.length - kept.length;
    report.scenesWithDroppedObjects++;
  }
  const newIndex = new Map(kept.map((old, k) => [old, k]));
  const regionText = (box: BoxXYXY, name: string): string[] => {
    const region = r.phrases.find((p) => p.caption === undefined && p.boxes.length === 1 && key(p.boxes[0]!) === key(box));
    const inCaption = r.phrases.find((p) => p.caption !== undefined && p.boxes.some((b) => key(b) === key(box)));
    const words = textWords((region ?? inCaption)?.text ?? '');
    if (words.length > 0 && words.length <= limits.maxWords) return words;
    if (words.length > limits.maxWords) report.longRegionPhrases++;
    return name.split('_');
  };
  const objects = kept.map((i) => sceneObject(items[i]!.name, items[i]!.box, regionText(items[i]!.box, items[i]!.name).join(' ')));
  const referringExpressions: Scene['referringExpressions'] = [];
  for (const e of r.expressions) {
    const target = newIndex.get(targetOf(e)!);
    const words = textWords(e.text);
    if (target === undefined || words.length === 0 || words.length > limits.maxWords) {
      report.droppedExpressions++;
      continue;
    }
    referringExpressions.push({ ...groundedText(words), target, kind: 'attributes' });
  }
  return {
    split,
    index,
    seed: 0,
    width: r.width,
    height: r.height,
    image: r.image.rgb,
    objects,
    caption: groundedText(textWords(r.captions[0] ?? '')),
    regionPhrases: objects.map((o) => groundedText(o.regionPhrase.split(' '))),
    referringExpressions,
  };
}
