/**
 * The evaluation views of a list of records — what `evaluate/` consumes, derived the same way for
 * every source (scenes in memory, exported scenes, real datasets):
 *
 *   retrievalPairs   every caption as a text query with its image: retrievalRecall(scores[I][T], textToImage)
 *   expressionRows   one row per referring expression (RefCOCO protocol): recAccuracy(rows + predictions)
 *   wordTargets      one row per word of a caption phrase that has boxes: the word's caption, word index
 *                    (whitespace words of the caption) and boxes — pointingHit / massInBox per box
 */
import type { BoxXYXY, DatasetRecord, ImageRef } from './dataset_record';

export interface RetrievalPairs {
  images: { ref: ImageRef; width: number; height: number; record: number }[];
  texts: string[];
  /** textToImage[j] = index into `images` of text j's image. */
  textToImage: number[];
}

export function retrievalPairs(records: readonly DatasetRecord[]): RetrievalPairs {
  const out: RetrievalPairs = { images: [], texts: [], textToImage: [] };
  records.forEach((r, i) => {
    out.images.push({ ref: r.image, width: r.width, height: r.height, record: i });
    for (const c of r.captions) {
      out.texts.push(c);
      out.textToImage.push(i);
    }
  });
  return out;
}

export interface ExpressionRow {
  /** The expression id (unique within its dataset split). */
  id: string;
  record: number;
  text: string;
  truth: BoxXYXY;
}

export function expressionRows(records: readonly DatasetRecord[]): ExpressionRow[] {
  return records.flatMap((r, i) => r.expressions.map((e) => ({ id: e.id, record: i, text: e.text, truth: e.box })));
}

export interface WordTarget {
  record: number;
  caption: number;
  /** Index of the word among the caption's whitespace-separated words. */
  word: number;
  text: string;
  boxes: BoxXYXY[];
}

/** Whitespace words of a text with their character spans. */
export function splitWords(text: string): { word: string; span: [number, number] }[] {
  return [...text.matchAll(/\S+/g)].map((m) => ({ word: m[0], span: [m.index!, m.index! + m[0].length] }));
}

export function wordTargets(records: readonly DatasetRecord[]): WordTarget[] {
  const out: WordTarget[] = [];
  records.forEach((r, i) => {
    r.captions.forEach((caption, c) => {
      const words = splitWords(caption);
      const phrases = r.phrases.filter((p) => p.caption === c && p.span && p.boxes.length > 0);
      words.forEach((w, k) => {
        const boxes = phrases.filter((p) => p.span![0] <= w.span[0] && w.span[1] <= p.span![1]).flatMap((p) => p.boxes);
        if (boxes.length) out.push({ record: i, caption: c, word: k, text: w.word, boxes });
      });
    });
  });
  return out;
}
