/**
 * Visual Genome region descriptions:
 *
 *   ROOT/region_descriptions.json  [{id, regions: [{region_id, image_id, phrase, x, y, width, height}]}]   (streamed)
 *   ROOT/image_data.json           [{image_id | id, width, height, url}]   optional: image sizes and file names
 *   ROOT/VG_100K/, ROOT/VG_100K_2/ the images (or `imageDir`); file name = basename(url), else <id>.jpg
 *
 * One record per image with one phrase per region (box xywh → xyxy). Without image_data.json the
 * sizes come from the image file headers (no decoding). Visual Genome has no official split: the
 * records are labelled with `split` when given (one name), else 'all'.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { imageFileSize } from '../images/image_header';
import { emptyRecord, type DatasetRecord } from './dataset_record';
import { scanJson } from './json_stream';
import { asObject, checkBox, checkImageFiles, checkImageSize, checkLimit, field, finishReport, newReport, optionalField, splitList, type LoadedDataset, type LoadOptions } from './load_options';

export async function loadVisualGenome(root: string, options: LoadOptions = {}): Promise<LoadedDataset> {
  const limit = checkLimit(options.limit, 'loadVisualGenome');
  const regionsFile = join(root, 'region_descriptions.json');
  if (!existsSync(regionsFile)) throw new Error(`loadVisualGenome: ${regionsFile} does not exist.`);
  const splits = splitList(options.split);
  if (splits && splits.length !== 1) throw new Error(`loadVisualGenome: Visual Genome has no splits; 'split' can only name the label of the records (one name); got ${splits.join(', ')}.`);
  const split = splits?.[0] ?? 'all';
  const report = newReport([regionsFile]);
  // Image sizes and file names first (image_data.json is small), so regions become records as they stream.
  const dataFile = join(root, 'image_data.json');
  const info = new Map<number, { width: number; height: number; file?: string }>();
  if (existsSync(dataFile)) {
    report.files.push(dataFile);
    scanJson(dataFile, null, (_k, value, index) => {
      const d = asObject(value, `${dataFile}: [${index}]`);
      const id = optionalField(d, 'image_id', 'number', `${dataFile}: [${index}]`) ?? field(d, 'id', 'number', `${dataFile}: [${index}]`);
      const where = `${dataFile}: image id ${id}`;
      const url = optionalField(d, 'url', 'string', where);
      const [width, height] = [field(d, 'width', 'number', where), field(d, 'height', 'number', where)];
      checkImageSize(width, height, where);
      info.set(id, { width, height, ...(url ? { file: basename(url) } : {}) });
    });
  }
  const dirs = options.imageDir ? [options.imageDir] : [join(root, 'VG_100K'), join(root, 'VG_100K_2'), join(root, 'images')];
  const records: DatasetRecord[] = [];
  const unsized: { record: DatasetRecord; regions: Record<string, unknown>[] }[] = [];
  const addRegions = (r: DatasetRecord, regions: readonly Record<string, unknown>[]) => {
    for (const reg of regions) {
      const rid = field(reg, 'region_id', 'number', `${regionsFile}: image id ${r.id}: a region`);
      const where = `${regionsFile}: region_id ${rid}`;
      const [x, y, w, h] = ['x', 'y', 'width', 'height'].map((k) => field(reg, k, 'number', where));
      const box = checkBox([x!, y!, x! + w!, y! + h!], r.width, r.height, `${where} (image ${r.id})`, options, report);
      if (box) r.phrases.push({ text: field(reg, 'phrase', 'string', where), boxes: [box], id: String(rid) });
    }
  };
  scanJson(regionsFile, null, (_k, value, index) => {
    if (records.length >= limit) return;
    const entry = asObject(value, `${regionsFile}: [${index}]`);
    const id = optionalField(entry, 'id', 'number', `${regionsFile}: [${index}]`) ?? field(entry, 'image_id', 'number', `${regionsFile}: [${index}]`);
    const regions = field(entry, 'regions', 'array', `${regionsFile}: image id ${id}`).map((r, i) => asObject(r, `${regionsFile}: image id ${id}: regions[${i}]`));
    const meta = info.get(id);
    const file = meta?.file ?? `${id}.jpg`;
    const path = dirs.map((d) => join(d, file)).find((p) => existsSync(p)) ?? join(dirs[0]!, file);
    const record = emptyRecord(String(id), split, { kind: 'file', path }, meta?.width ?? 0, meta?.height ?? 0);
    records.push(record);
    if (meta) addRegions(record, regions);
    else unsized.push({ record, regions }); // size from the image header, once missing files are dealt with
  });
  const kept = checkImageFiles(records, options, report, 'loadVisualGenome');
  const present = new Set(kept);
  for (const u of unsized) {
    if (!present.has(u.record)) continue;
    const path = (u.record.image as { path: string }).path;
    if (!existsSync(path)) throw new Error(`loadVisualGenome: image ${u.record.id}: ${path} is missing and image_data.json does not give its size.`);
    Object.assign(u.record, imageFileSize(path));
    addRegions(u.record, u.regions);
  }
  return { format: 'vg', root, records: kept, report: finishReport(report, options, 'loadVisualGenome') };
}
