/**
 * Writes records (the grounded scenes via `sceneToRecord`, or any in-memory records) in a real
 * dataset's on-disk format — images as PNG plus annotations exactly as the loaders read them:
 *
 *   coco       annotations/{captions,instances}_<split>.json, <split>/<id>.png
 *   refcoco    finetune_refcoco_<split>.json, refs(unc).p (pickle protocol 2), instances.json, images/<id>.png
 *   flickr30k  Sentences/<id>.txt, Annotations/<id>.xml, <split>.txt, flickr30k-images/<id>.png
 *   vg         region_descriptions.json, image_data.json, VG_100K/<id>.png   (one split: VG has none)
 *
 * Record ids must be numeric strings (COCO/VG ids are integers); scene records are.
 * Round trip: loading the output gives `projectRecord(record, format)` (format_projection.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readImage } from '../images/image_loader';
import { encodePng } from '../png_encode';
import { checkDatasetFormat, type BoxXYXY, type DatasetFormat, type DatasetRecord, type RecordObject } from './dataset_record';
import { formatFlickrSentence } from './flickr30k_sentence';
import { pickle } from './pickle_write';

const xywh = (b: BoxXYXY) => [b[0], b[1], b[2] - b[0], b[3] - b[1]];
const num = (id: string, what: string): number => {
  const v = Number(id);
  if (!Number.isSafeInteger(v)) throw new Error(`exportDataset: ${what} id '${id}' is not an integer; the formats need numeric ids.`);
  return v;
};

function bySplit(records: readonly DatasetRecord[]): Map<string, DatasetRecord[]> {
  const m = new Map<string, DatasetRecord[]>();
  for (const r of records) m.set(r.split, [...(m.get(r.split) ?? []), r]);
  return m;
}

function categories(records: readonly DatasetRecord[]): { id: number; name: string; supercategory: string }[] {
  const m = new Map<number, string>();
  for (const r of records) for (const o of r.objects) if (o.categoryId !== undefined) m.set(o.categoryId, o.name);
  return [...m].sort((a, b) => a[0] - b[0]).map(([id, name]) => ({ id, name, supercategory: 'shape' }));
}

function cocoAnnotation(o: RecordObject, imageId: number) {
  const [x1, y1, x2, y2] = o.box;
  return {
    id: num(o.id, 'object'),
    image_id: imageId,
    category_id: o.categoryId ?? 1,
    bbox: xywh(o.box),
    area: o.area ?? (x2 - x1) * (y2 - y1),
    iscrowd: o.iscrowd ? 1 : 0,
    segmentation: [[x1, y1, x2, y1, x2, y2, x1, y2]],
  };
}

async function writeImage(r: DatasetRecord, path: string): Promise<void> {
  const rgb = await readImage(r.image, r);
  writeFileSync(path, encodePng(rgb.pixels, rgb.width, rgb.height));
}

const json = (path: string, value: unknown) => writeFileSync(path, JSON.stringify(value));

/** Writes `records` under `outDir` in `format`; returns the annotation files written (not the images). */
export async function exportDataset(records: readonly DatasetRecord[], format: string, outDir: string): Promise<string[]> {
  const f: DatasetFormat = checkDatasetFormat(format, 'exportDataset');
  const written: string[] = [];
  const put = (path: string, value: unknown) => {
    json(path, value);
    written.push(path);
  };
  mkdirSync(outDir, { recursive: true });
  const fileName = (r: DatasetRecord) => `${r.id}.png`;
  if (f === 'coco') {
    mkdirSync(join(outDir, 'annotations'), { recursive: true });
    for (const [split, rs] of bySplit(records)) {
      mkdirSync(join(outDir, split), { recursive: true });
      const images = rs.map((r) => ({ id: num(r.id, 'image'), file_name: fileName(r), width: r.width, height: r.height }));
      const captions = rs.flatMap((r) => r.captions.map((caption, c) => ({ id: num(r.id, 'image') * 10 + c, image_id: num(r.id, 'image'), caption })));
      put(join(outDir, 'annotations', `captions_${split}.json`), { info: { description: 'alignscope grounded scenes' }, licenses: [], images, annotations: captions });
      const anns = rs.flatMap((r) => r.objects.map((o) => cocoAnnotation(o, num(r.id, 'image'))));
      put(join(outDir, 'annotations', `instances_${split}.json`), { info: { description: 'alignscope grounded scenes' }, licenses: [], images, annotations: anns, categories: categories(rs) });
      for (const r of rs) await writeImage(r, join(outDir, split, fileName(r)));
    }
  } else if (f === 'refcoco') {
    mkdirSync(join(outDir, 'images'), { recursive: true });
    let annId = 0;
    for (const [split, rs] of bySplit(records)) {
      const images = rs.flatMap((r) =>
        r.expressions.map((e) => ({
          id: num(e.id, 'expression'),
          file_name: fileName(r),
          width: r.width,
          height: r.height,
          caption: e.text,
          original_id: num(r.id, 'image'),
          dataset_name: 'refcoco',
          tokens_negative: [[0, e.text.length]],
          tokens_positive_eval: [[[0, e.text.length]]],
        })),
      );
      const annotations = rs.flatMap((r) =>
        r.expressions.map((e) => {
          const o = r.objects.find((x) => x.id === e.objectId);
          return {
            id: annId++,
            image_id: num(e.id, 'expression'),
            bbox: xywh(e.box),
            area: (e.box[2] - e.box[0]) * (e.box[3] - e.box[1]),
            iscrowd: 0,
            category_id: o?.categoryId ?? 1,
            ...(e.objectId !== undefined ? { original_id: num(e.objectId, 'object') } : {}),
            tokens_positive: [[0, e.text.length]],
          };
        }),
      );
      put(join(outDir, `finetune_refcoco_${split}.json`), { images, annotations, categories: categories(rs) });
    }
    const refs = records.flatMap((r) =>
      r.objects
        .map((o) => ({ o, es: r.expressions.filter((e) => e.objectId === o.id) }))
        .filter(({ es }) => es.length > 0)
        .map(({ o, es }) => ({
          ref_id: num(o.id, 'object'),
          ann_id: num(o.id, 'object'),
          image_id: num(r.id, 'image'),
          split: r.split,
          category_id: o.categoryId ?? 1,
          file_name: `${r.id}_${o.id}.png`,
          sent_ids: es.map((e) => num(e.id, 'expression')),
          sentences: es.map((e) => ({ tokens: e.text.split(/\s+/), raw: e.text, sent: e.text, sent_id: num(e.id, 'expression') })),
        })),
    );
    writeFileSync(join(outDir, 'refs(unc).p'), pickle(refs));
    written.push(join(outDir, 'refs(unc).p'));
    put(join(outDir, 'instances.json'), {
      images: records.map((r) => ({ id: num(r.id, 'image'), file_name: fileName(r), width: r.width, height: r.height })),
      annotations: records.flatMap((r) => r.objects.map((o) => cocoAnnotation(o, num(r.id, 'image')))),
      categories: categories(records),
    });
    for (const r of records) await writeImage(r, join(outDir, 'images', fileName(r)));
  } else if (f === 'flickr30k') {
    for (const d of ['Sentences', 'Annotations', 'flickr30k-images']) mkdirSync(join(outDir, d), { recursive: true });
    for (const [split, rs] of bySplit(records)) {
      writeFileSync(join(outDir, `${split}.txt`), rs.map((r) => `${r.id}\n`).join(''));
      written.push(join(outDir, `${split}.txt`));
    }
    for (const r of records) {
      const lines = r.captions.map((text, c) =>
        formatFlickrSentence(text, r.phrases.filter((p) => p.caption === c && p.span).map((p) => ({ entityId: p.id ?? '0', type: p.type ?? 'other', span: p.span! }))),
      );
      writeFileSync(join(outDir, 'Sentences', `${r.id}.txt`), `${lines.join('\n')}\n`);
      const entities = new Map<string, { boxes: BoxXYXY[]; noBox: boolean; scene: boolean }>();
      for (const p of r.phrases) if (p.caption !== undefined && p.id !== undefined && !entities.has(p.id)) entities.set(p.id, { boxes: p.boxes, noBox: !!p.noBox, scene: !!p.scene });
      const objects = [...entities].flatMap(([id, e]) =>
        e.boxes.length
          ? e.boxes.map((b) => `  <object>\n    <name>${id}</name>\n    <bndbox>\n      <xmin>${b[0] + 1}</xmin>\n      <ymin>${b[1] + 1}</ymin>\n      <xmax>${b[2]}</xmax>\n      <ymax>${b[3]}</ymax>\n    </bndbox>\n  </object>\n`)
          : e.noBox
            ? [`  <object>\n    <name>${id}</name>\n    <nobndbox>1</nobndbox>\n    <scene>${e.scene ? 1 : 0}</scene>\n  </object>\n`]
            : [],
      );
      const xml = `<annotation>\n  <filename>${fileName(r)}</filename>\n  <size>\n    <width>${r.width}</width>\n    <height>${r.height}</height>\n    <depth>3</depth>\n  </size>\n${objects.join('')}</annotation>\n`;
      writeFileSync(join(outDir, 'Annotations', `${r.id}.xml`), xml);
      await writeImage(r, join(outDir, 'flickr30k-images', fileName(r)));
    }
    written.push(`${join(outDir, 'Sentences')}/ (${records.length} files)`, `${join(outDir, 'Annotations')}/ (${records.length} files)`);
  } else {
    const splits = [...bySplit(records).keys()];
    if (splits.length > 1) throw new Error(`exportDataset: Visual Genome has no splits; export one split at a time (got ${splits.join(', ')}).`);
    mkdirSync(join(outDir, 'VG_100K'), { recursive: true });
    put(
      join(outDir, 'region_descriptions.json'),
      records.map((r) => ({
        id: num(r.id, 'image'),
        regions: r.phrases
          .filter((p) => p.caption === undefined)
          .map((p, k) => {
            if (p.boxes.length !== 1) throw new Error(`exportDataset: record ${r.id}: region phrase "${p.text}" has ${p.boxes.length} boxes; a Visual Genome region has exactly one.`);
            const [x, y, w, h] = xywh(p.boxes[0]!);
            return { region_id: num(p.id ?? String(num(r.id, 'image') * 100 + k), 'region'), image_id: num(r.id, 'image'), phrase: p.text, x, y, width: w, height: h };
          }),
      })),
    );
    put(join(outDir, 'image_data.json'), records.map((r) => ({ image_id: num(r.id, 'image'), width: r.width, height: r.height, url: `VG_100K/${fileName(r)}` })));
    for (const r of records) await writeImage(r, join(outDir, 'VG_100K', fileName(r)));
  }
  return written;
}
