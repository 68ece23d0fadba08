/**
 * The original RefCOCO/+/g release (lichengunc/refer): ROOT/refs(<splitBy>).p (or a .json conversion
 * of it) + ROOT/instances.json. See refcoco_loader.ts for the layout and the conversion one-liner.
 * One record per image (in order of first appearance in refs), all its COCO instances as objects,
 * one expression per sentence (text = `raw`, else `sent`), ordered by ref then sentence.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyRecord, type DatasetRecord } from './dataset_record';
import { readJsonFile, scanJson } from './json_stream';
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
} from './load_options';
import { unpickle } from './pickle_read';
import type { RefcocoLoadOptions } from './refcoco_loader';

const CONVERT =
  `python3 -c "import pickle,json,sys; json.dump(pickle.load(open(sys.argv[1],'rb'),encoding='latin1'),open(sys.argv[2],'w'))" 'refs(unc).p' 'refs(unc).json'`;

function readRefs(root: string, splitBy: string | undefined): { file: string; refs: unknown } {
  const present = readdirSync(root)
    .map((f) => /^refs\((.+)\)\.(p|json)$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null);
  const choices = [...new Set(present.map((m) => m[1]!))];
  const by = splitBy ?? (choices.length === 1 ? choices[0]! : 'unc');
  const json = join(root, `refs(${by}).json`);
  const p = join(root, `refs(${by}).p`);
  if (existsSync(json)) return { file: json, refs: readJsonFile(json) };
  if (!existsSync(p)) {
    throw new Error(`loadRefcoco: no refs(${by}).p or refs(${by}).json in ${root}${choices.length ? `; present: ${choices.map((c) => `refs(${c})`).join(', ')}` : ''}.`);
  }
  try {
    return { file: p, refs: unpickle(readFileSync(p), p) };
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\nConvert the pickle to JSON once and load again:\n  cd ${root} && ${CONVERT.replace(/unc/g, by)}`);
  }
}

export async function loadRefsPickle(root: string, options: RefcocoLoadOptions): Promise<LoadedDataset> {
  const limit = checkLimit(options.limit, 'loadRefcoco');
  const { file, refs } = readRefs(root, options.splitBy);
  const instancesFile = join(root, 'instances.json');
  if (!existsSync(instancesFile)) throw new Error(`loadRefcoco: ${instancesFile} (the COCO instances of the referred images) is missing.`);
  if (!Array.isArray(refs)) throw new Error(`${file}: expected a list of refs at the top level.`);
  const report = newReport([file, instancesFile]);
  const wanted = splitList(options.split);
  const splitsFound = new Set<string>();
  // Which images, in order, and their refs.
  const imageOrder: number[] = [];
  const refsOf = new Map<number, Record<string, unknown>[]>();
  refs.forEach((value, i) => {
    const ref = asObject(value, `${file}: refs[${i}]`);
    const refId = field(ref, 'ref_id', 'number', `${file}: refs[${i}]`);
    const where = `${file}: ref_id ${refId}`;
    const split = field(ref, 'split', 'string', where);
    splitsFound.add(split);
    if (wanted && !wanted.includes(split)) return;
    const imageId = field(ref, 'image_id', 'number', where);
    let list = refsOf.get(imageId);
    if (!list) {
      if (imageOrder.length >= limit) return;
      imageOrder.push(imageId);
      refsOf.set(imageId, (list = []));
    }
    list.push(ref);
  });
  for (const s of wanted ?? []) {
    if (!splitsFound.has(s)) throw new Error(`loadRefcoco: split '${s}' not found in ${file}; available: ${[...splitsFound].join(', ')}.`);
  }
  const imageDir = options.imageDir ?? join(root, 'images');
  const records = new Map<number, DatasetRecord>();
  const annotations = new Map<number, { record: DatasetRecord; box: [number, number, number, number] | null; name: string; categoryId: number }>();
  const categories = new Map<number, string>();
  scanJson(instancesFile, ['images'], (_k, value, index) => {
    const img = asObject(value, `${instancesFile}: images[${index}]`);
    const id = field(img, 'id', 'number', `${instancesFile}: images[${index}]`);
    if (!refsOf.has(id)) return;
    const where = `${instancesFile}: image id ${id}`;
    const width = field(img, 'width', 'number', where);
    const height = field(img, 'height', 'number', where);
    checkImageSize(width, height, where);
    const split = field(refsOf.get(id)![0]!, 'split', 'string', where);
    records.set(id, emptyRecord(String(id), split, { kind: 'file', path: join(imageDir, field(img, 'file_name', 'string', where)) }, width, height));
  });
  scanJson(instancesFile, ['annotations', 'categories'], (key, value, index) => {
    const a = asObject(value, `${instancesFile}: ${key}[${index}]`);
    const id = field(a, 'id', 'number', `${instancesFile}: ${key}[${index}]`);
    if (key === 'categories') return void categories.set(id, field(a, 'name', 'string', `${instancesFile}: category id ${id}`));
    const where = `${instancesFile}: annotation id ${id}`;
    const record = records.get(field(a, 'image_id', 'number', where));
    if (!record) return;
    const [x, y, w, h] = field(a, 'bbox', 'box', where);
    const box = checkBox([x, y, x + w, y + h], record.width, record.height, where, options, report);
    const categoryId = field(a, 'category_id', 'number', where);
    const area = optionalField(a, 'area', 'number', where);
    annotations.set(id, { record, box, name: '', categoryId });
    if (box) record.objects.push({ id: String(id), name: '', box, categoryId, iscrowd: optionalField(a, 'iscrowd', 'number', where) === 1, ...(area !== undefined ? { area } : {}) });
  });
  const nameOf = (categoryId: number, where: string) => {
    const name = categories.get(categoryId);
    if (name === undefined) throw new Error(`${where}: category_id ${categoryId} is not in the categories of ${instancesFile}.`);
    return name;
  };
  for (const r of records.values()) for (const o of r.objects) o.name = nameOf(o.categoryId!, `${instancesFile}: annotation id ${o.id}`);
  const out: DatasetRecord[] = [];
  for (const imageId of imageOrder) {
    const record = records.get(imageId);
    if (!record) throw new Error(`${file}: image_id ${imageId} (of ref_id ${String(refsOf.get(imageId)![0]!.ref_id)}) is not in ${instancesFile}.`);
    for (const ref of refsOf.get(imageId)!) {
      const where = `${file}: ref_id ${String(ref.ref_id)}`;
      const annId = field(ref, 'ann_id', 'number', where);
      const ann = annotations.get(annId);
      if (!ann) throw new Error(`${where}: ann_id ${annId} is not in ${instancesFile}.`);
      if (!ann.box) continue; // dropped under clipBoxes (counted)
      field(ref, 'sentences', 'array', where).forEach((s, i) => {
        const sent = asObject(s, `${where}: sentences[${i}]`);
        const sentId = field(sent, 'sent_id', 'number', `${where}: sentences[${i}]`);
        const text = optionalField(sent, 'raw', 'string', `${where}: sent_id ${sentId}`) ?? field(sent, 'sent', 'string', `${where}: sent_id ${sentId}`);
        record.expressions.push({ id: String(sentId), text, box: ann.box!, objectId: String(annId), name: nameOf(ann.categoryId, where) });
      });
    }
    out.push(record);
  }
  const kept = checkImageFiles(out, options, report, 'loadRefcoco');
  return { format: 'refcoco', root, records: kept, report: finishReport(report, options, 'loadRefcoco') };
}
