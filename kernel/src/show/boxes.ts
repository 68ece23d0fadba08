/**
 * `show.boxes`: an image with ground-truth and predicted boxes (REC, grounding, detection); each
 * prediction is judged hit/miss by IoU against the ground truth.
 *
 * Matching: 'index' pairs predicted[i] with groundTruth[i] (REC: one expression, one box each);
 * 'best' takes the best IoU over all ground-truth boxes (with the same label when both have one).
 * Default: 'index' when the counts are equal, else 'best'. A prediction that already carries `hit`
 * keeps it.
 *
 * @example
 *   show.boxes({ image, groundTruth: [[8, 8, 20, 20]], predicted: [{ x: 10, y: 9, w: 18, h: 22, label: 'red ball' }] });
 */
import { DISPLAY_MIME, type BoxesPayload, type DisplayBox, type DisplayBundle, type PredictedBox } from './display_schema';
import { fmt, quote } from './format_text';
import { toDisplayImage, type ImageEncoding, type ImageInput } from './image_input';
import { publish } from './publisher';
import { isTensor, toMatrix, type MatrixInput } from './to_plain';

/** A box as an object, or as 4 numbers in `format` order. */
export type BoxLike = (DisplayBox & { hit?: boolean; iou?: number }) | readonly number[];
/** A list of boxes, or a [k, 4] tensor / matrix. */
export type BoxListInput = readonly BoxLike[] | MatrixInput;

export interface BoxesInput {
  image: ImageInput;
  groundTruth?: BoxListInput;
  predicted?: BoxListInput;
  /** Labels for boxes given as numbers (same order). */
  groundTruthLabels?: readonly string[];
  predictedLabels?: readonly string[];
  /** Order of 4-number boxes: [x, y, w, h] (default) or [x0, y0, x1, y1]. */
  format?: 'xywh' | 'xyxy';
  /** 4-number boxes are in [0, 1] image units (multiplied by width/height). Default false. */
  normalized?: boolean;
  iouThreshold?: number;
  match?: 'index' | 'best';
  title?: string;
  imageEncoding?: ImageEncoding;
}

const OP = 'show.boxes';

/** Intersection over union of two xywh boxes (0 when either is empty). */
export function iou(a: DisplayBox, b: DisplayBox): number {
  const iw = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const ih = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const inter = iw * ih;
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}

function toBoxes(list: BoxListInput | undefined, what: string, input: BoxesInput, w: number, h: number, labels?: readonly string[]): PredictedBox[] {
  if (list === undefined) return [];
  const items: readonly (BoxLike | (number | null)[])[] = isTensor(list) ? toMatrix(list, `${OP}: ${what}`) : (list as readonly BoxLike[]);
  if (labels !== undefined && labels.length !== items.length) {
    throw new Error(`${OP}: ${what}Labels: expected ${items.length} labels (one per box), got ${labels.length}.`);
  }
  return items.map((b, i) => {
    let box: PredictedBox;
    if (Array.isArray(b)) {
      if (b.length !== 4 || b.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
        throw new Error(`${OP}: ${what}[${i}]: expected 4 finite numbers, got [${b.join(', ')}].`);
      }
      const [sx, sy] = input.normalized ? [w, h] : [1, 1];
      const [a, c, d, e] = b as number[];
      box = input.format === 'xyxy' ? { x: a * sx, y: c * sy, w: (d - a) * sx, h: (e - c) * sy } : { x: a * sx, y: c * sy, w: d * sx, h: e * sy };
    } else {
      box = { ...(b as PredictedBox) };
    }
    if (!(box.w >= 0 && box.h >= 0)) throw new Error(`${OP}: ${what}[${i}]: width and height must be ≥ 0, got ${box.w}×${box.h}.`);
    if (labels !== undefined) box.label = String(labels[i]);
    return box;
  });
}

function judge(pred: PredictedBox[], gt: DisplayBox[], input: BoxesInput, threshold: number): void {
  if (gt.length === 0) return;
  const mode = input.match ?? (pred.length === gt.length ? 'index' : 'best');
  if (mode === 'index' && pred.length !== gt.length) {
    throw new Error(`${OP}: match 'index' needs as many predicted as ground-truth boxes, got ${pred.length} and ${gt.length}.`);
  }
  pred.forEach((p, i) => {
    if (p.hit !== undefined) return;
    const candidates = mode === 'index' ? [gt[i]] : gt.filter((g) => p.label === undefined || g.label === undefined || g.label === p.label);
    const best = Math.max(0, ...candidates.map((g) => iou(p, g)));
    p.iou = Number(best.toPrecision(4));
    p.hit = best >= threshold;
  });
}

function boxText(b: PredictedBox): string {
  const label = b.label !== undefined ? ` ${quote(b.label)}` : '';
  const judged = b.hit === undefined ? '' : `  ${b.iou !== undefined ? `IoU ${fmt(b.iou)} ` : ''}${b.hit ? 'hit' : 'miss'}`;
  return `${label} [x ${fmt(b.x)}, y ${fmt(b.y)}, w ${fmt(b.w)}, h ${fmt(b.h)}]${b.score !== undefined ? ` score ${fmt(b.score)}` : ''}${judged}`;
}

function summary(p: BoxesPayload): string {
  const hits = p.predicted.filter((b) => b.hit === true).length;
  const judged = p.predicted.filter((b) => b.hit !== undefined).length;
  const verdict = judged ? ` — ${hits} hit, ${judged - hits} miss (IoU ≥ ${fmt(p.iouThreshold ?? 0.5)})` : '';
  const head = `boxes${p.title ? ` ${quote(p.title)}` : ''}: image ${p.image.width}×${p.image.height}, ${p.groundTruth.length} ground truth, ${p.predicted.length} predicted${verdict}`;
  const lines = [
    ...p.groundTruth.slice(0, 20).map((b, i) => `  gt ${i}:${boxText(b)}`),
    ...p.predicted.slice(0, 20).map((b, i) => `  pred ${i}:${boxText(b)}`),
  ];
  return [head, ...lines].join('\n');
}

/** Builds the boxes bundle (no publishing). Box coordinates are image pixels, origin top-left. */
export function buildBoxesBundle(input: BoxesInput): DisplayBundle {
  const image = toDisplayImage(input.image, `${OP}: image`, input.imageEncoding);
  const threshold = input.iouThreshold ?? 0.5;
  if (!(threshold > 0 && threshold <= 1)) throw new Error(`${OP}: iouThreshold: expected a number in (0, 1], got ${threshold}.`);
  const gt = toBoxes(input.groundTruth, 'groundTruth', input, image.width, image.height, input.groundTruthLabels).map(
    ({ hit: _h, iou: _i, ...b }) => b,
  );
  const predicted = toBoxes(input.predicted, 'predicted', input, image.width, image.height, input.predictedLabels);
  judge(predicted, gt, input, threshold);
  const payload: BoxesPayload = { kind: 'boxes', version: 1, image, groundTruth: gt, predicted, iouThreshold: threshold };
  if (input.title !== undefined) payload.title = input.title;
  return { [DISPLAY_MIME]: payload, 'text/plain': summary(payload) };
}

/** Shows an image with ground-truth and predicted boxes. */
export function boxes(input: BoxesInput): void {
  publish(buildBoxesBundle(input));
}
