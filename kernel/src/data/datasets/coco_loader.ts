/**
 * COCO captions + instances (the 2014/2017 releases):
 *
 *   ROOT/annotations/captions_<split>.json   { images: [{id, file_name, width, height}], annotations: [{id, image_id, caption}] }
 *   ROOT/annotations/instances_<split>.json  { images, annotations: [{id, image_id, category_id, bbox: [x, y, w, h],
 *                                              area, iscrowd, segmentation}], categories: [{id, name, supercategory}] }
 *   ROOT/<split>/<file_name>                  the images (or `imageDir`)
 *
 * (the annotation files may also sit directly in ROOT). One record per image, in the file's order;
 * boxes xywh (pixels, float) → xyxy; category ids are not contiguous (1..90 with gaps) and are kept
 * as `categoryId` next to the name; crowd annotations are kept with `iscrowd: true`. The files are
 * streamed (json_stream), so `limit` also bounds memory: only the first `limit` images' annotations
 * are kept. Splits default to every split found.
 *
 * @example const { records } = await loadCoco('/data/coco', { split: 'val2017', limit: 500 });
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { emptyRecord, type DatasetRecord } from './dataset_record';
import { scanJson } from './json_stream';
import {
  asObject,
  checkBox,
  checkImageFiles,
  checkImageSize,
  checkLimit,
  field,
  finishReport,
  newReport,
  optionalField,
  splitList,
  type LoadedDataset,
  type LoadOptions,
  type LoadReport,
} from './load_options';

interface CocoSplitFiles {
  split: string;
  captions?: string;
  instances?: string;
}

/** The splits whose captions_* / instances_* files are in ROOT/annotations or ROOT. */
export function findCocoSplits(root: string): CocoSplitFiles[] {
  const dir = existsSync(join(root, 'annotations')) ? join(root, 'annotations') : root;
  if (!existsSync(dir)) throw new Error(`loadCoco: folder ${root} does not exist.`);
  const splits = new Map<string, CocoSplitFiles>();
  for (const f of readdirSync(dir).sort()) {
    const m = /^(captions|instances)_(.+)\.json$/.exec(f);
    if (!m) continue;
    const s = splits.get(m[2]!) ?? { split: m[2]! };
    s[m[1] as 'captions' | 'instances'] = join(dir, f);
    splits.set(m[2]!, s);
  }
  return [...splits.values()];
}

export async function loadCoco(root: string, options: LoadOptions = {}): Promise<LoadedDataset> {
  const limit = checkLimit(options.limit, 'loadCoco');
  const found = findCocoSplits(root);
  if (found.length === 0) throw new Error(`loadCoco: no captions_*.json or instances_*.json in ${root} or ${join(root, 'annotations')}.`);
  const wanted = splitList(options.split);
  for (const s of wanted ?? []) {
    if (!found.some((f) => f.split === s)) throw new Error(`loadCoco: split '${s}' not found in ${root}; available: ${found.map((f) => f.split).join(', ')}.`);
  }
  const report = newReport();
  let records: DatasetRecord[] = [];
  for (const files of wanted ? wanted.map((s) => found.find((f) => f.split === s)!) : found) {
    if (records.length >= limit) break;
    records.push(...loadCocoSplit(root, files, limit - records.length, options, report));
  }
  records = checkImageFiles(records, options, report, 'loadCoco');
  return { format: 'coco', root, records, report: finishReport(report, options, 'loadCoco') };
}

function loadCocoSplit(root: string, files: CocoSplitFiles, limit: number, options: LoadOptions, report: LoadReport): DatasetRecord[] {
  const imageDir = options.imageDir ?? join(root, files.split);
  const byId = new Map<number, DatasetRecord>();
  const allImages = new Set<number>();
  const records: DatasetRecord[] = [];
  const readImages = (file: string, key: string, value: unknown, index: number) => {
    const img = asObject(value, `${file}: images[${index}]`);
    const id = field(img, 'id', 'number', `${file}: images[${index}]`);
    const where = `${file}: image id ${id}`;
    allImages.add(id);
    if (records.length >= limit || byId.has(id)) return;
    const fileName = field(img, 'file_name', 'string', where);
    const width = field(img, 'width', 'number', where);
    const height = field(img, 'height', 'number', where);
    checkImageSize(width, height, where);
    const r = emptyRecord(String(id), files.split, { kind: 'file', path: join(imageDir, fileName) }, width, height);
    byId.set(id, r);
    records.push(r);
  };
  const unknownImage = (file: string, where: string, imageId: number) => {
    if (!allImages.has(imageId)) throw new Error(`${file}: ${where}: image_id ${imageId} is not in 'images'.`);
  };
  for (const file of [files.instances, files.captions]) {
    if (!file) continue;
    const categories = new Map<number, string>();
    const onElement = (key: string, value: unknown, index: number) => {
      if (key === 'images') return readImages(file, key, value, index);
      const where0 = `${file}: ${key}[${index}]`;
      const a = asObject(value, where0);
      const id = field(a, 'id', 'number', where0);
      if (key === 'categories') {
        categories.set(id, field(a, 'name', 'string', `${file}: category id ${id}`));
        return;
      }
      const where = `${file}: annotation id ${id}`;
      const imageId = field(a, 'image_id', 'number', where);
      const record = byId.get(imageId);
      if (!record) return unknownImage(file, `annotation id ${id}`, imageId);
      if (file === files.captions) {
        record.captions.push(field(a, 'caption', 'string', where));
        return;
      }
      const [x, y, w, h] = field(a, 'bbox', 'box', where);
      const categoryId = field(a, 'category_id', 'number', where);
      const box = checkBox([x, y, x + w, y + h], record.width, record.height, `${where} (image ${imageId})`, options, report);
      const area = optionalField(a, 'area', 'number', where);
      const crowd = optionalField(a, 'iscrowd', 'number', where);
      if (!box) return;
      record.objects.push({ id: String(id), name: '', box, categoryId, iscrowd: crowd === 1, ...(area !== undefined ? { area } : {}) });
    };
    // One pass when 'images' precedes 'annotations' (as in every COCO release); JSON does not order
    // keys, so otherwise the annotations are read again in a second pass once the images are known.
    const first = allImages.size === 0 && byId.size === 0;
    let imagesStarted = !first;
    let deferred = false;
    const keys = file === files.instances ? ['annotations', 'categories'] : ['annotations'];
    let scan = scanJson(
      file,
      first ? ['images', ...keys] : keys,
      (key, value, index) => (key === 'annotations' && deferred ? undefined : onElement(key, value, index)),
      (key) => {
        if (key === 'images') imagesStarted = true;
        if (key === 'annotations' && !imagesStarted) deferred = true;
      },
    );
    if (first && !scan.keys.has('images')) throw new Error(`${file}: missing field 'images' at the top level.`);
    if (deferred) scan = scanJson(file, keys, onElement);
    if (!scan.keys.has('annotations')) throw new Error(`${file}: missing field 'annotations' at the top level.`);
    if (file === files.instances) {
      if (!scan.keys.has('categories')) throw new Error(`${file}: missing field 'categories' at the top level.`);
      for (const record of records) {
        for (const o of record.objects) {
          const name = categories.get(o.categoryId!);
          if (name === undefined) throw new Error(`${file}: annotation id ${o.id}: category_id ${o.categoryId} is not in 'categories'.`);
          o.name = name;
        }
      }
    }
  }
  return records;
}
