/**
 * RefCOCO / RefCOCO+ / RefCOCOg referring expressions, in either of their two common forms:
 *
 * 1. 'finetune' — the COCO-style conversion (MDETR, GLIP, Grounding DINO...), one image entry per
 *    expression:  ROOT/finetune_<variant>_<split>.json  with
 *      images:      [{id, file_name, width, height, caption, original_id (COCO image id), ...}]
 *      annotations: [{id, image_id (→ the entry id), bbox: [x, y, w, h], category_id, tokens_positive, original_id?}]
 *    variant ∈ refcoco | refcoco+ | refcocog; split ∈ train | val | testA | testB | test.
 * 2. 'refs' — the original release (lichengunc/refer): ROOT/refs(<splitBy>).p, a Python pickle of
 *    [{ref_id, ann_id, image_id, split, category_id, sentences: [{sent_id, raw, sent, tokens}]}], and
 *    ROOT/instances.json (COCO instances of the referred images). splitBy ∈ unc | umd | google.
 *    The pickle is read by `pickle_read.ts`; a pickle that holds Python objects is rejected — convert it
 *    once with
 *      python3 -c "import pickle,json,sys; json.dump(pickle.load(open(sys.argv[1],'rb'),encoding='latin1'),open(sys.argv[2],'w'))" 'refs(unc).p' 'refs(unc).json'
 *    and the loader reads refs(unc).json instead.
 *
 * Either way: one record per COCO image (expressions grouped by image, in file order), one
 * `RecordExpression` per sentence — `expressionRows` turns them into one evaluation row each.
 * Images: `imageDir` (COCO train2014), default ROOT/images.
 *
 * @example const { records } = await loadRefcoco('/data/refcoco', { split: 'testA', imageDir: '/data/coco/train2014' });
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
} from './load_options';
import { loadRefsPickle } from './refcoco_refs_loader';

export type RefcocoVariant = 'refcoco' | 'refcoco+' | 'refcocog';

export interface RefcocoLoadOptions extends LoadOptions {
  /** Which form to read; default: 'finetune' when such files are present, else 'refs'. */
  form?: 'finetune' | 'refs';
  /** finetune form: which dataset, when ROOT holds several. */
  variant?: RefcocoVariant;
  /** refs form: refs(<splitBy>).p; default: the only one present, else 'unc'. */
  splitBy?: string;
}

const FINETUNE = /^finetune_(refcoco\+?|refcocog)_(.+)\.json$/;

export async function loadRefcoco(root: string, options: RefcocoLoadOptions = {}): Promise<LoadedDataset> {
  if (!existsSync(root)) throw new Error(`loadRefcoco: folder ${root} does not exist.`);
  const finetune = readdirSync(root)
    .map((f) => FINETUNE.exec(f))
    .filter((m): m is RegExpExecArray => m !== null);
  const form = options.form ?? (finetune.length ? 'finetune' : 'refs');
  if (form === 'refs') return loadRefsPickle(root, options);
  if (form !== 'finetune') throw new Error(`loadRefcoco: form must be 'finetune' or 'refs'; got '${String(form)}'.`);
  const variants = [...new Set(finetune.map((m) => m[1]!))];
  if (variants.length === 0) throw new Error(`loadRefcoco: no finetune_<variant>_<split>.json files in ${root}.`);
  const variant = options.variant ?? (variants.length === 1 ? variants[0]! : undefined);
  if (!variant) throw new Error(`loadRefcoco: ${root} holds several variants (${variants.join(', ')}); choose one with 'variant'.`);
  const files = finetune.filter((m) => m[1] === variant);
  const wanted = splitList(options.split);
  for (const s of wanted ?? []) {
    if (!files.some((m) => m[2] === s)) throw new Error(`loadRefcoco: split '${s}' of ${variant} not found in ${root}; available: ${files.map((m) => m[2]).join(', ')}.`);
  }
  const limit = checkLimit(options.limit, 'loadRefcoco');
  const imageDir = options.imageDir ?? join(root, 'images');
  const report = newReport();
  let records: DatasetRecord[] = [];
  for (const m of wanted ? wanted.map((s) => files.find((f) => f[2] === s)!) : files) {
    const file = join(root, m[0]);
    report.files.push(file);
    const split = m[2]!;
    const byImage = new Map<number, DatasetRecord>();
    const entries = new Map<number, { record: DatasetRecord; text: string; boxes: number }>();
    const categories = new Map<number, string>();
    scanJson(file, ['images'], (_key, value, index) => {
      const img = asObject(value, `${file}: images[${index}]`);
      const id = field(img, 'id', 'number', `${file}: images[${index}]`);
      const where = `${file}: image entry id ${id}`;
      const originalId = field(img, 'original_id', 'number', where);
      let record = byImage.get(originalId);
      if (!record) {
        if (records.length + byImage.size >= limit) return;
        const width = field(img, 'width', 'number', where);
        const height = field(img, 'height', 'number', where);
        checkImageSize(width, height, where);
        record = emptyRecord(String(originalId), split, { kind: 'file', path: join(imageDir, field(img, 'file_name', 'string', where)) }, width, height);
        byImage.set(originalId, record);
      }
      entries.set(id, { record, text: field(img, 'caption', 'string', where), boxes: 0 });
    });
    const scan = scanJson(file, ['annotations', 'categories'], (key, value, index) => {
      const a = asObject(value, `${file}: ${key}[${index}]`);
      const id = field(a, 'id', 'number', `${file}: ${key}[${index}]`);
      if (key === 'categories') {
        categories.set(id, field(a, 'name', 'string', `${file}: category id ${id}`));
        return;
      }
      const where = `${file}: annotation id ${id}`;
      const entryId = field(a, 'image_id', 'number', where);
      const entry = entries.get(entryId);
      if (!entry) return; // beyond `limit`
      entry.boxes++;
      if (entry.boxes > 1) throw new Error(`${where}: expression (image entry) ${entryId} has a second target box; the finetune form has one per expression.`);
      const [x, y, w, h] = field(a, 'bbox', 'box', where);
      const box = checkBox([x, y, x + w, y + h], entry.record.width, entry.record.height, where, options, report);
      const objectId = optionalField(a, 'original_id', 'number', where);
      const categoryId = optionalField(a, 'category_id', 'number', where);
      if (!box) return;
      entry.record.expressions.push({
        id: String(entryId),
        text: entry.text,
        box,
        ...(objectId !== undefined ? { objectId: String(objectId) } : {}),
        ...(categoryId !== undefined ? { name: String(categoryId) } : {}), // resolved to a name below
      });
    });
    if (!scan.keys.has('annotations')) throw new Error(`${file}: missing field 'annotations' at the top level.`);
    for (const [id, e] of entries) {
      if (e.boxes === 0) throw new Error(`${file}: image entry id ${id} ("${e.text}") has no annotation (target box).`);
    }
    const order = new Map([...entries.keys()].map((id, i) => [String(id), i]));
    for (const r of byImage.values()) {
      r.expressions.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
      for (const e of r.expressions) {
        if (e.name === undefined) continue;
        const name = categories.get(Number(e.name));
        if (name === undefined) delete e.name;
        else e.name = name;
      }
      records.push(r);
    }
  }
  records = checkImageFiles(records, options, report, 'loadRefcoco');
  return { format: 'refcoco', root, records, report: finishReport(report, options, 'loadRefcoco') };
}
