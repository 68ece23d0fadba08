/**
 * The experiment's typed arrays (experiment_data.ts) from dataset records — COCO, RefCOCO, Flickr30k
 * Entities, Visual Genome, or the grounded scenes read back from an export — so that the same training
 * and evaluation run on real data:
 *
 *   images     each record's image decoded and resized to data.imageSize (stretch; boxes mapped along)
 *   text       one per record: its first caption; without captions its first referring expression;
 *              without those its first region phrase. Records with none are skipped and counted.
 *   vocabulary built from the training texts (specials first, then words by frequency), capped at
 *              data.maxVocabulary entries with [UNK] for the rest — or a given tokenizer (a trained
 *              model's). Its size and [UNK] rate are stored in datasetConfig.vocabulary.
 *   tokens     [BOS] words [EOS] [PAD]…, cut to data.textLength (cut texts counted)
 *   grounding  test tokens inside a caption phrase with boxes (caption_ground_truth.ts): its box, its
 *              role (scene word role, or the Flickr30k type); records without boxes give retrieval only
 *   REC        every referring expression of the test records, candidates = the record's distinct
 *              object and expression boxes (evaluate_rec.ts)
 *
 * data.trainScenes / data.testScenes of the returned config are set to the record counts used, so the
 * stored config says what ran. On the grounded scenes exported and read back, with the scenes'
 * tokenizer, the arrays equal buildExperimentData's (records_experiment_data.test.ts).
 *
 * @example
 *   const split = await datasets.loadTrainTestRecords({ data: 'flickr30k:/d/f30k?split=train', testData: 'flickr30k:/d/f30k?split=test', holdOut: 500, seed: 0 });
 *   const { config, data } = await buildRecordsExperimentData(split, resolveExperimentConfig(QUICK_OVERRIDES));
 *   await runExperiment({ config, data });
 */
import { captionGroundTruth } from '../data/datasets/caption_ground_truth';
import type { BoxXYXY, DatasetRecord } from '../data/datasets/dataset_record';
import { resizeRecords } from '../data/datasets/resize_records';
import { buildWordVocabulary, type WordVocabularyStats } from '../data/word_vocabulary';
import { WordTokenizer } from '../data/word_tokenizer';
import { resolveExperimentConfig, type ExperimentConfig } from './experiment_config';
import type { CaptionedImages, ExperimentData, ExpressionSet, GroundedTestSet } from './experiment_data';

export interface RecordsExperimentOptions {
  /** Encode with this tokenizer (e.g. the one a model was trained with) instead of building one. */
  tokenizer?: WordTokenizer;
  /** Where the records came from (stored in datasetConfig.sources). */
  sources?: unknown;
  /** How train/test were split (stored in datasetConfig.split). */
  rule?: string;
  /** Receives each warning line (skipped records, cut texts); default stderr. */
  onWarning?: (message: string) => void;
}

export interface RecordsExperiment {
  /** The input config with data.trainScenes / testScenes set to the records used. */
  config: ExperimentConfig;
  data: ExperimentData;
  tokenizer: WordTokenizer;
}

type TextKind = 'caption' | 'expression' | 'region';

/** The one text of a record used by line (i), and where it comes from. */
export function recordText(r: DatasetRecord): { text: string; kind: TextKind } | null {
  if (r.captions.length) return { text: r.captions[0]!, kind: 'caption' };
  if (r.expressions.length) return { text: r.expressions[0]!.text, kind: 'expression' };
  const region = r.phrases.find((p) => p.caption === undefined);
  return region ? { text: region.text, kind: 'region' } : null;
}

interface Rows {
  records: DatasetRecord[];
  texts: { text: string; kind: TextKind }[];
}

function withText(records: readonly DatasetRecord[], role: string, warn: (m: string) => void): Rows & { skipped: number } {
  const out: Rows = { records: [], texts: [] };
  for (const r of records) {
    const t = recordText(r);
    if (t) {
      out.records.push(r);
      out.texts.push(t);
    }
  }
  const skipped = records.length - out.records.length;
  if (skipped) warn(`experiment data: skipped ${skipped} ${role} record(s) without a caption, referring expression or region phrase (e.g. record ${records.find((r) => !recordText(r))!.id}).`);
  return { ...out, skipped };
}

function encode(rows: Rows, tok: WordTokenizer, S: number, L: number, cut: { n: number }): CaptionedImages & { words: string[][] } {
  const N = rows.records.length;
  const images = new Uint8Array(N * S * S * 3);
  const ids = new Int32Array(N * L);
  const mask = new Float32Array(N * L);
  const words: string[][] = [];
  rows.records.forEach((r, i) => {
    if (r.image.kind !== 'memory' || r.width !== S || r.height !== S) throw new Error(`encode: record ${r.id} is not resized to ${S}×${S}.`);
    images.set(r.image.rgb, i * S * S * 3);
    const w = tok.tokenize(rows.texts[i]!.text);
    if (w.length + 2 > L) cut.n++;
    const row = tok.encodeWords(w, { length: L, truncate: true });
    ids.set(row, i * L);
    row.forEach((id, t) => (mask[i * L + t] = id === tok.pad ? 0 : 1));
    words.push(w);
  });
  return { count: N, imageSize: S, textLength: L, images, ids, mask, words };
}

function kinds(rows: Rows): Record<TextKind, number> {
  const k = { caption: 0, expression: 0, region: 0 };
  for (const t of rows.texts) k[t.kind]++;
  return k;
}

function expressionSet(records: readonly DatasetRecord[], tok: WordTokenizer, L: number, cut: { n: number }): ExpressionSet {
  const ids: number[] = [];
  const image: number[] = [];
  const truth: number[] = [];
  const offsets = [0];
  const candidates: number[] = [];
  records.forEach((r, i) => {
    if (!r.expressions.length) return;
    const boxes: BoxXYXY[] = [];
    const seen = new Set<string>();
    for (const b of [...r.objects.filter((o) => !o.iscrowd).map((o) => o.box), ...r.expressions.map((e) => e.box)]) {
      if (!seen.has(b.join(','))) seen.add(b.join(',')), boxes.push(b);
    }
    for (const e of r.expressions) {
      const w = tok.tokenize(e.text);
      if (w.length + 2 > L) cut.n++;
      ids.push(...tok.encodeWords(w, { length: L, truncate: true }));
      image.push(i);
      truth.push(...e.box);
      for (const b of boxes) candidates.push(...b);
      offsets.push(offsets[offsets.length - 1]! + boxes.length);
    }
  });
  return {
    count: image.length,
    textLength: L,
    ids: Int32Array.from(ids),
    mask: Float32Array.from(ids, (id) => (id === tok.pad ? 0 : 1)),
    image: Int32Array.from(image),
    truth: Float32Array.from(truth),
    candidateOffsets: Int32Array.from(offsets),
    candidates: Float32Array.from(candidates),
  };
}

export async function buildRecordsExperimentData(
  split: { train: readonly DatasetRecord[]; test: readonly DatasetRecord[] },
  config: ExperimentConfig,
  options: RecordsExperimentOptions = {},
): Promise<RecordsExperiment> {
  const warn = options.onWarning ?? ((m: string) => void process.stderr.write(`${m}\n`));
  const S = config.data.imageSize;
  const L = config.data.textLength;
  const trainRows = withText(split.train, 'training', warn);
  const testRows = withText(split.test, 'test', warn);
  if (trainRows.records.length < config.train.batchSize) {
    throw new Error(`experiment data: ${trainRows.records.length} training record(s) with a text; train.batchSize ${config.train.batchSize} needs at least that many (add records or lower the batch size).`);
  }
  if (testRows.records.length < 2) throw new Error(`experiment data: ${testRows.records.length} test record(s) with a text; retrieval needs at least 2.`);
  const train = await resizeRecords(trainRows.records, S);
  const test = await resizeRecords(testRows.records, S);
  trainRows.records = train.records;
  testRows.records = test.records;

  const splitter = WordTokenizer.forScenes(); // tokenize() does not depend on the vocabulary
  const built = options.tokenizer ? null : buildWordVocabulary(trainRows.texts.map((t) => splitter.tokenize(t.text)), { maxSize: config.data.maxVocabulary });
  const tokenizer = options.tokenizer ?? built!.tokenizer;
  const vocabulary: WordVocabularyStats | { given: true; size: number } = built ? built.stats : { given: true, size: tokenizer.size };
  const cut = { n: 0 };
  const trainSet = encode(trainRows, tokenizer, S, L, cut);
  const base = encode(testRows, tokenizer, S, L, cut);
  const N = base.count;
  const tokenObject = new Int32Array(N * L).fill(-1);
  const tokenContent = new Uint8Array(N * L);
  const tokenBox = new Float32Array(N * L * 4);
  const words: string[][] = [];
  const roles: string[][] = [];
  const objectCount = new Int32Array(N);
  let grounded = 0;
  testRows.records.forEach((r, i) => {
    const w: string[] = [];
    const ro: string[] = Array.from({ length: L }, () => '');
    for (let t = 0; t < L; t++) w.push(base.mask[i * L + t] ? tokenizer.vocabulary[base.ids[i * L + t]!]! : '');
    if (testRows.texts[i]!.kind === 'caption') {
      const gt = captionGroundTruth(r, 0, tokenizer);
      objectCount[i] = gt.boxes.length;
      gt.tokenBox.forEach((b, k) => {
        const t = k + 1; // after [BOS]
        if (b < 0 || t >= L - 1 || base.ids[i * L + t] === tokenizer.eos) return; // cut off with the text
        tokenObject[i * L + t] = b;
        tokenContent[i * L + t] = 1;
        tokenBox.set(gt.boxes[b]!, (i * L + t) * 4);
        ro[t] = gt.roles[k]!;
        grounded++;
      });
    }
    words.push(w);
    roles.push(ro);
  });
  const expressions = expressionSet(testRows.records, tokenizer, L, cut);
  if (cut.n) warn(`experiment data: cut ${cut.n} text(s) longer than data.textLength ${L} tokens (specials included).`);
  const testSet: GroundedTestSet = {
    count: N,
    imageSize: S,
    textLength: L,
    images: base.images,
    ids: base.ids,
    mask: base.mask,
    tokenObject,
    tokenContent,
    tokenBox,
    words,
    roles,
    objectCount,
    ...(expressions.count ? { expressions } : {}),
  };
  const datasetConfig = {
    kind: 'records',
    imageSize: S,
    fit: 'stretch',
    textLength: L,
    split: options.rule ?? 'given',
    sources: options.sources ?? null,
    train: { records: trainRows.records.length, skippedWithoutText: trainRows.skipped, texts: kinds(trainRows) },
    test: { records: N, skippedWithoutText: testRows.skipped, texts: kinds(testRows), groundedTokens: grounded, expressions: expressions.count },
    vocabulary,
    cutTexts: cut.n,
  };
  return {
    config: resolveExperimentConfig({ data: { trainScenes: trainSet.count, testScenes: N } }, config),
    data: {
      vocabSize: tokenizer.size,
      vocabulary: tokenizer.vocabulary,
      train: { count: trainSet.count, imageSize: S, textLength: L, images: trainSet.images, ids: trainSet.ids, mask: trainSet.mask },
      test: testSet,
      datasetConfig,
    },
    tokenizer,
  };
}
