/**
 * Dataset records as the scene source of the grounded-LM pipeline (`alignscope grounded-lm --data`):
 * train and test records resized to the model's image size, adapted to scenes (record_scene.ts), with a
 * text vocabulary built from the training texts (sequence_vocabulary.ts `dataTextTokenizer`); words
 * outside it become [UNK] in every text, so each template word is a vocabulary entry.
 *
 * `RecordScenesData` is plain data (scenes with typed arrays, string lists): the command serialises it
 * once for its worker processes (v8), and `new RecordScenes(data)` is the `SceneSource` a `ScenePool`
 * reads. Which tasks the data can teach is recorded: detection / listing / region captioning need
 * objects, REC needs referring expressions.
 *
 * @example
 *   const split = await datasets.loadTrainTestRecords({ data: 'refcoco:/d/refcoco?split=train', testData: 'refcoco:/d/refcoco?split=testA', holdOut: 200, seed: 0 });
 *   const data = await buildRecordScenes(split, { imageSize: 64, maxObjects: 6, maxWords: 20 });
 *   const pool = new ScenePool(new RecordScenes(data));
 */
import type { DatasetRecord } from '../data/datasets/dataset_record';
import { resizeRecords } from '../data/datasets/resize_records';
import type { Scene, SplitName } from '../data/scene_types';
import type { WordVocabularyStats } from '../data/word_vocabulary';
import { newRecordSceneReport, recordToScene, type RecordSceneReport } from './record_scene';
import type { SceneSource } from './scene_pool';
import { dataTextTokenizer } from './sequence_vocabulary';
import type { TaskName } from './task_templates';

export interface RecordScenesOptions {
  imageSize: number;
  /** Objects per scene at most (a detection answer must fit the LM's context). */
  maxObjects: number;
  /** Words per referring expression / region phrase at most. */
  maxWords: number;
  /** Text vocabulary entries at most (specials, task words, digits and names included). Default 4096. */
  maxVocabulary?: number;
  /** Stored in the description (metrics.json). */
  sources?: unknown;
  rule?: string;
  /** Receives each warning line; default stderr. */
  onWarning?: (message: string) => void;
}

export interface RecordScenesData {
  train: Scene[];
  test: Scene[];
  /** The stage-0 text vocabulary (WordTokenizer order). */
  vocabulary: string[];
  /** Object names (detection classes), sorted. */
  names: string[];
  /** Words of the training region phrases (what region captioning may answer). */
  phraseWords: string[];
  /** Tasks with training examples in this data. */
  tasks: TaskName[];
  description: {
    kind: 'records';
    imageSize: number;
    fit: 'stretch';
    split: string;
    sources: unknown;
    train: { records: number; objects: number; expressions: number };
    test: { records: number; objects: number; expressions: number };
    vocabulary: WordVocabularyStats;
    names: number;
    limits: { maxObjects: number; maxWords: number };
    adapter: RecordSceneReport;
  };
}

export class RecordScenes implements SceneSource {
  constructor(readonly data: RecordScenesData) {}

  size(split: SplitName): number {
    return split === 'train' ? this.data.train.length : split === 'test' ? this.data.test.length : 0;
  }

  getScene(split: SplitName, index: number): Scene {
    const n = this.size(split);
    if (!Number.isInteger(index) || index < 0 || index >= n) throw new Error(`RecordScenes.getScene: index must be an integer in [0, ${n}) for split '${split}'; got ${index}.`);
    return (split === 'train' ? this.data.train : this.data.test)[index]!;
  }
}

const texts = (s: Scene): string[][] => [s.caption.words, ...s.regionPhrases.map((p) => p.words), ...s.referringExpressions.map((e) => e.words)].filter((w) => w.length > 0);

function withVocabulary(s: Scene, has: (w: string) => boolean): Scene {
  const map = (words: readonly string[]): string[] => words.map((w) => (has(w) ? w : '[UNK]'));
  const text = <T extends { text: string; words: string[] }>(t: T): T => {
    const words = map(t.words);
    return { ...t, words, text: words.join(' ') };
  };
  return {
    ...s,
    objects: s.objects.map((o) => ({ ...o, regionPhrase: map(o.regionPhrase.split(' ')).join(' ') })),
    caption: text(s.caption),
    regionPhrases: s.regionPhrases.map(text),
    referringExpressions: s.referringExpressions.map(text),
  };
}

export async function buildRecordScenes(split: { train: readonly DatasetRecord[]; test: readonly DatasetRecord[] }, o: RecordScenesOptions): Promise<RecordScenesData> {
  const warn = o.onWarning ?? ((m: string) => void process.stderr.write(`${m}\n`));
  const report = newRecordSceneReport();
  const limits = { maxObjects: o.maxObjects, maxWords: o.maxWords };
  const adapt = async (records: readonly DatasetRecord[], s: SplitName): Promise<Scene[]> =>
    (await resizeRecords(records, o.imageSize)).records.map((r, i) => recordToScene(r, s, i, limits, report));
  const train0 = await adapt(split.train, 'train');
  const test0 = await adapt(split.test, 'test');
  const names = [...new Set([...train0, ...test0].flatMap((s) => s.objects.map((x) => x.name)))].sort();
  const { tokenizer, stats } = dataTextTokenizer(train0.flatMap(texts), names, o.maxVocabulary ?? 4096);
  const has = (w: string): boolean => tokenizer.has(w);
  const train = train0.map((s) => withVocabulary(s, has));
  const test = test0.map((s) => withVocabulary(s, has));
  const count = (ss: Scene[]) => ({ records: ss.length, objects: ss.reduce((n, s) => n + s.objects.length, 0), expressions: ss.reduce((n, s) => n + s.referringExpressions.length, 0) });
  const tasks: TaskName[] = [];
  if (train.some((s) => s.objects.length > 0)) tasks.push('detection', 'regionCaption', 'listing');
  if (train.some((s) => s.referringExpressions.length > 0)) tasks.push('rec');
  if (tasks.length === 0) throw new Error(`grounded-lm data: none of the ${train.length} training records has a box (objects, phrases with boxes or referring expressions); the grounded tasks need boxes.`);
  const lines: string[] = [];
  if (report.crowdObjects) lines.push(`left out ${report.crowdObjects} crowd box(es) (iscrowd).`);
  if (report.droppedObjects) lines.push(`kept the ${o.maxObjects} largest objects in ${report.scenesWithDroppedObjects} record(s): ${report.droppedObjects} object(s) dropped (a detection answer must fit the LM's context).`);
  if (report.droppedExpressions) lines.push(`dropped ${report.droppedExpressions} referring expression(s) longer than ${o.maxWords} words or whose target was dropped.`);
  if (report.longRegionPhrases) lines.push(`${report.longRegionPhrases} region phrase(s) longer than ${o.maxWords} words: the object's name is its region caption instead.`);
  const empty = train.filter((s) => s.objects.length === 0).length;
  if (tasks.includes('detection') && empty) lines.push(`${empty} training record(s) have no box: detection and listing see them as images without objects.`);
  for (const l of lines) warn(`grounded-lm data: ${l}`);
  return {
    train,
    test,
    vocabulary: [...tokenizer.vocabulary],
    names,
    phraseWords: [...new Set(train.flatMap((s) => s.regionPhrases.flatMap((p) => p.words)))].sort(),
    tasks,
    description: {
      kind: 'records',
      imageSize: o.imageSize,
      fit: 'stretch',
      split: o.rule ?? 'given',
      sources: o.sources ?? null,
      train: count(train),
      test: count(test),
      vocabulary: stats,
      names: names.length,
      limits,
      adapter: report,
    },
  };
}
