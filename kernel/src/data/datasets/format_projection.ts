/**
 * What of a record each format can carry — the records a loader gives back after an export. Used by
 * the exporter's round-trip guarantee: load(export(records, F)) deep-equals project(records, F),
 * image references aside (files instead of memory; the pixels are equal).
 *
 *   coco            captions; objects (id, name, box, categoryId, iscrowd, area)
 *   refcoco         expressions (id, text, box, objectId, name)                      — finetune form
 *   refcoco-refs    objects as COCO; expressions ordered by their target's object   — refs(unc).p form
 *   flickr30k       captions; caption phrases (text, boxes, id, caption, span, type, noBox, scene)
 *   vg              region phrases (text, boxes, id); split is a label given at load time
 */
import type { DatasetFormat, DatasetRecord, RecordPhrase } from './dataset_record';

export type ProjectionForm = DatasetFormat | 'refcoco-refs';

export function projectRecord(r: DatasetRecord, form: ProjectionForm): DatasetRecord {
  const base = { id: r.id, split: r.split, image: r.image, width: r.width, height: r.height, captions: [], objects: [], phrases: [], expressions: [] };
  const objects = () => r.objects.map((o) => ({ ...o, box: [...o.box] as typeof o.box }));
  switch (form) {
    case 'coco':
      return { ...base, captions: [...r.captions], objects: objects() };
    case 'refcoco':
      return { ...base, expressions: r.expressions.map((e) => ({ ...e, box: [...e.box] as typeof e.box })) };
    case 'refcoco-refs': {
      const order = new Map(r.objects.map((o, i) => [o.id, i]));
      const rank = (id: string | undefined) => (id !== undefined && order.has(id) ? order.get(id)! : Infinity);
      const expressions = r.expressions.map((e, i) => ({ e, i })).sort((a, b) => rank(a.e.objectId) - rank(b.e.objectId) || a.i - b.i);
      return { ...base, objects: objects(), expressions: expressions.map(({ e }) => ({ ...e, box: [...e.box] as typeof e.box })) };
    }
    case 'flickr30k':
      return { ...base, captions: [...r.captions], phrases: r.phrases.filter((p) => p.caption !== undefined).map(copyPhrase) };
    case 'vg':
      return { ...base, phrases: r.phrases.filter((p) => p.caption === undefined).map((p) => ({ text: p.text, boxes: copyPhrase(p).boxes, ...(p.id !== undefined ? { id: p.id } : {}) })) };
  }
}

function copyPhrase(p: RecordPhrase): RecordPhrase {
  return { ...p, boxes: p.boxes.map((b) => [...b] as typeof b), ...(p.span ? { span: [...p.span] as [number, number] } : {}) };
}
