/**
 * Scores grounded-LM predictions with kernel/src/evaluate (plain numbers out):
 *
 *   REC        Acc@τ (default IoU ≥ 0.5) over every referring expression of the split; a parse
 *              failure is a miss; N and failures reported (evaluate/rec_accuracy.ts); misses split
 *              into wrong object / imprecise box / parse failure (evaluate/rec_misses.ts)
 *   detection  COCO bbox mAP, all 12 numbers (evaluate/coco_map.ts); categories = object names (the
 *              scene shapes in their order, then any other name seen, sorted: dataset records);
 *              each object's confidence is its score; parse failures reported
 *   names      object-name extraction: per image, predicted vs true name sets, micro/macro P/R/F1
 *              (evaluate/name_prf.ts) — from the listing task and, separately, from detection and
 *              (when the checklist task was trained) from the checklist's "yes" answers
 *   captions   region captioning exact match (the phrase equals the region phrase)
 */
import type { BoxXYXY } from '../data/scene_types';
import { SHAPES } from '../data/scene_vocabulary';
import { cocoMAP, namePRF, recAccuracy, recAccuracyByGroup, recMisses, xyxyToXywh, type RecByGroup, type RecMisses, type RecOptions } from '../evaluate';

export interface RecPrediction {
  id: string;
  truth: BoxXYXY;
  predicted: BoxXYXY | null;
  /** The boxes of the image's other objects (for the miss breakdown; none when absent). */
  others?: BoxXYXY[];
  /** How the expression singles its object out (task_templates.ts recGroup), for the accuracy per group. */
  group?: string;
}

export interface ImagePrediction {
  record: string;
  truthBoxes: BoxXYXY[];
  truthNames: string[];
  /** Detection output. */
  objects: { box: BoxXYXY; name: string; score: number }[];
  /** Listing output. */
  listedNames: string[];
  /** Checklist output (the names answered "yes"), when the checklist task was evaluated. */
  checkedNames?: string[];
}

export interface CaptionPrediction {
  truth: string;
  predicted: string;
}

export interface ParseFailures {
  rec: number;
  detection: number;
  listing: number;
  caption: number;
  /** Present when the checklist task was evaluated. */
  checklist?: number;
}

export interface GroundedMetrics {
  rec: { accuracy: number; n: number; correct: number; parseFailures: number; options: Required<RecOptions>; accuracyGIoU: number; accuracyStrict: number; misses: RecMisses; byGroup: RecByGroup };
  detection: { AP: number; AP50: number; AP75: number; stats: Record<string, number>; nImages: number; nDetections: number };
  names: { micro: { precision: number; recall: number; f1: number }; macro: { precision: number; recall: number; f1: number }; exactMatch: number; nImages: number };
  namesFromDetection: { micro: { precision: number; recall: number; f1: number }; macro: { precision: number; recall: number; f1: number } };
  /** Names from the checklist task's "yes" answers; present only when it was evaluated. */
  namesFromChecklist?: { micro: { precision: number; recall: number; f1: number }; macro: { precision: number; recall: number; f1: number }; exactMatch: number; nImages: number };
  captions: { exactMatch: number; n: number };
  parseFailures: ParseFailures;
}

/** Category ids 1… of the scene shapes, then of every other name in `names` (sorted). */
function categoryIds(names: Iterable<string>): Map<string, number> {
  const extra = [...new Set(names)].filter((n) => !(SHAPES as readonly string[]).includes(n)).sort();
  return new Map([...SHAPES, ...extra].map((n, k) => [n, k + 1]));
}

export function scoreGrounded(
  rec: readonly RecPrediction[],
  images: readonly ImagePrediction[],
  captions: readonly CaptionPrediction[],
  failures: ParseFailures,
  recOptions: RecOptions = {},
): GroundedMetrics {
  const rows = rec.map((r) => ({ id: r.id, predicted: r.predicted, truth: r.truth }));
  const r = recAccuracy(rows, recOptions);
  const giou = recAccuracy(rows, { ...recOptions, measure: 'giou' });
  const strict = recAccuracy(rows, { ...recOptions, strict: true });
  const ids = categoryIds(images.flatMap((im) => [...im.truthNames, ...im.objects.map((o) => o.name)]));
  const categoryId = (name: string): number => ids.get(name)!;
  const gt = {
    imageIds: images.map((_, i) => i + 1),
    categoryIds: [...ids.values()],
    annotations: images.flatMap((im, i) => im.truthBoxes.map((b, k) => ({ imageId: i + 1, categoryId: categoryId(im.truthNames[k]!), bbox: xyxyToXywh(b) }))),
  };
  const dets = images.flatMap((im, i) => im.objects.map((o) => ({ imageId: i + 1, categoryId: categoryId(o.name), bbox: xyxyToXywh(o.box), score: o.score })));
  const map = images.length ? cocoMAP(gt, dets) : null;
  const listed = namePRF(images.map((im) => ({ predicted: im.listedNames, truth: im.truthNames })));
  const detNames = namePRF(images.map((im) => ({ predicted: im.objects.map((o) => o.name), truth: im.truthNames })));
  const checkedImages = images.filter((im) => im.checkedNames !== undefined);
  const checked = checkedImages.length > 0 ? namePRF(checkedImages.map((im) => ({ predicted: im.checkedNames!, truth: im.truthNames }))) : null;
  const exact = captions.filter((c) => c.predicted === c.truth).length;
  return {
    rec: {
      accuracy: r.accuracy,
      n: r.n,
      correct: r.correct,
      parseFailures: r.parseFailures,
      options: r.options,
      accuracyGIoU: giou.accuracy,
      accuracyStrict: strict.accuracy,
      misses: recMisses(rec.map((x) => ({ predicted: x.predicted, truth: x.truth, others: x.others ?? [] })), recOptions),
      byGroup: recAccuracyByGroup(rec, recOptions),
    },
    detection: {
      AP: map?.AP ?? NaN,
      AP50: map?.AP50 ?? NaN,
      AP75: map?.AP75 ?? NaN,
      stats: map ? Object.fromEntries(Object.entries(map).filter(([, v]) => typeof v === 'number')) as Record<string, number> : {},
      nImages: images.length,
      nDetections: dets.length,
    },
    names: { micro: pick(listed.micro), macro: listed.macro, exactMatch: listed.exactMatch, nImages: listed.nImages },
    namesFromDetection: { micro: pick(detNames.micro), macro: detNames.macro },
    ...(checked ? { namesFromChecklist: { micro: pick(checked.micro), macro: checked.macro, exactMatch: checked.exactMatch, nImages: checked.nImages } } : {}),
    captions: { exactMatch: captions.length ? exact / captions.length : NaN, n: captions.length },
    parseFailures: failures,
  };
}

const pick = (m: { precision: number; recall: number; f1: number }) => ({ precision: m.precision, recall: m.recall, f1: m.f1 });
