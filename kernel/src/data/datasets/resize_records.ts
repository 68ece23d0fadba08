/**
 * Records at model-input resolution: every image decoded (JPEG/PNG, EXIF orientation applied), resized
 * to size × size and kept in memory as RGB bytes, and every box (objects, phrases, expressions) mapped
 * into the resized frame — still `DatasetRecord`s, so everything written against records (evaluation
 * rows, the experiment's arrays, the grounded-LM scene adapter) reads them unchanged.
 *
 *   fit 'stretch' (default): the whole image, aspect ratio not kept — no box is cropped away;
 *   'cover' / 'contain' as in images/model_input.ts (a box cropped to nothing is dropped and counted).
 *   pixels: round(255 · resized value); a record already at size × size comes back byte-identical.
 *
 * The annotation's width × height must be the decoded (upright) image's size: a mismatch means the
 * boxes are in another frame, an error naming the record and the file.
 *
 * @example
 *   const { records } = await resizeRecords(loaded.records, 32);
 *   records[0].image;   // { kind: 'memory', rgb: Uint8Array(32·32·3) }
 */
import { ImageLoader } from '../images/image_loader';
import { mapBox, type InputTransform, type ResizeFit } from '../images/model_input';
import type { BoxXYXY, DatasetRecord } from './dataset_record';

export interface ResizeRecordsOptions {
  fit?: ResizeFit;
  /** Files decoded at once (default 8). */
  concurrency?: number;
  /** Called after each record (for a progress line). */
  onProgress?: (done: number, total: number) => void;
}

export interface ResizedRecords {
  records: DatasetRecord[];
  size: number;
  fit: ResizeFit;
  /** Boxes that became empty in the resized frame (only with 'cover'), dropped. */
  droppedBoxes: number;
}

const nonEmpty = (b: BoxXYXY): boolean => b[2] > b[0] && b[3] > b[1];

export async function resizeRecords(records: readonly DatasetRecord[], size: number, options: ResizeRecordsOptions = {}): Promise<ResizedRecords> {
  const fit = options.fit ?? 'stretch';
  const loader = new ImageLoader({ size, fit, cacheBytes: 0, ...(options.concurrency ? { concurrency: options.concurrency } : {}) });
  const out: DatasetRecord[] = new Array(records.length);
  let dropped = 0;
  let next = 0;
  let done = 0;
  const one = async (r: DatasetRecord): Promise<DatasetRecord> => {
    const where = `record ${r.id} (${r.split}${r.image.kind === 'file' ? `, ${r.image.path}` : ''})`;
    let input;
    try {
      input = await loader.load(r.image, r);
    } catch (e) {
      throw new Error(`resizeRecords: ${where}: ${(e as Error).message}`);
    }
    if (input.source.width !== r.width || input.source.height !== r.height) {
      throw new Error(`resizeRecords: ${where}: the image is ${input.source.width}×${input.source.height} but the annotation says ${r.width}×${r.height}; its boxes would be in another frame.`);
    }
    const t: InputTransform = input.transform;
    const rgb = new Uint8Array(input.data.length);
    for (let i = 0; i < rgb.length; i++) rgb[i] = Math.round(input.data[i]! * 255);
    const box = (b: BoxXYXY): BoxXYXY => mapBox(b, t);
    const objects = r.objects.map((o) => ({ ...o, box: box(o.box) })).filter((o) => nonEmpty(o.box) || (dropped++, false));
    const phrases = r.phrases.map((p) => {
      const boxes = p.boxes.map(box).filter((b) => nonEmpty(b) || (dropped++, false));
      return { ...p, boxes, ...(p.span ? { span: [...p.span] as [number, number] } : {}) };
    });
    const expressions = r.expressions.map((e) => ({ ...e, box: box(e.box) })).filter((e) => nonEmpty(e.box) || (dropped++, false));
    return { ...r, image: { kind: 'memory', rgb }, width: t.width, height: t.height, captions: [...r.captions], objects, phrases, expressions };
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 8, records.length));
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < records.length) {
        const i = next++;
        out[i] = await one(records[i]!);
        options.onProgress?.(++done, records.length);
      }
    }),
  );
  return { records: out, size, fit, droppedBoxes: dropped };
}
