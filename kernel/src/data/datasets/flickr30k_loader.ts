/**
 * Flickr30k Entities:
 *
 *   ROOT/Sentences/<image>.txt    5 captions with [/EN#id/type words] phrase markup (flickr30k_sentence.ts)
 *   ROOT/Annotations/<image>.xml  <annotation><filename/><size><width/><height/></size>
 *                                   <object><name>ENTITY</name>[<name>...</name>]
 *                                     <bndbox><xmin/><ymin/><xmax/><ymax/></bndbox> | <nobndbox>1</nobndbox><scene>0|1</scene>
 *                                 </object>...</annotation>
 *   ROOT/<split>.txt              image ids of train / val / test
 *   ROOT/flickr30k-images/<filename>   the images (or `imageDir`)
 *
 * One record per image; one phrase per marked phrase, with every box of its entity (an entity may
 * have several boxes; one <object> may carry several entity names; `nobndbox` entities have none and
 * are flagged `noBox`, with `scene` when the whole scene is meant). Boxes are 1-based inclusive pixel
 * indices (PASCAL VOC style; the official utils subtract 1), so xyxy = [xmin − 1, ymin − 1, xmax, ymax].
 * Without `split`, every split listed in <split>.txt files is loaded (or every XML file, split 'all').
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyRecord, type BoxXYXY, type DatasetRecord } from './dataset_record';
import { parseFlickrSentence } from './flickr30k_sentence';
import { checkBox, checkImageFiles, checkImageSize, checkLimit, finishReport, newReport, splitList, type LoadedDataset, type LoadOptions, type LoadReport } from './load_options';

const SPLIT_FILES = ['train', 'val', 'test'];

/** Text content of the first <tag> in `xml`, or undefined. */
function tagText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m ? m[1]!.trim() : undefined;
}

function xmlNumber(xml: string, tag: string, where: string): number {
  const s = tagText(xml, tag);
  if (s === undefined) throw new Error(`${where}: missing field '${tag}'.`);
  const v = Number(s);
  if (s === '' || !Number.isFinite(v)) throw new Error(`${where}: field '${tag}' must be a number; got '${s}'.`);
  return v;
}

interface EntityBoxes {
  boxes: BoxXYXY[];
  noBox: boolean;
  scene: boolean;
}

function readAnnotation(file: string, options: LoadOptions, report: LoadReport): { filename?: string; width: number; height: number; entities: Map<string, EntityBoxes> } {
  const xml = readFileSync(file, 'utf8');
  if (!/<annotation>[\s\S]*<\/annotation>/.test(xml)) throw new Error(`${file}: not a Flickr30k Entities annotation (no <annotation>...</annotation>).`);
  const size = /<size>([\s\S]*?)<\/size>/.exec(xml);
  if (!size) throw new Error(`${file}: missing field 'size'.`);
  const width = xmlNumber(size[1]!, 'width', file);
  const height = xmlNumber(size[1]!, 'height', file);
  checkImageSize(width, height, file);
  const entities = new Map<string, EntityBoxes>();
  for (const m of xml.matchAll(/<object>([\s\S]*?)<\/object>/g)) {
    const body = m[1]!;
    const names = [...body.matchAll(/<name>([^<]*)<\/name>/g)].map((n) => n[1]!.trim());
    if (names.length === 0) throw new Error(`${file}: an <object> at character ${m.index} has no <name> (entity id).`);
    const bnd = /<bndbox>([\s\S]*?)<\/bndbox>/.exec(body);
    for (const name of names) {
      const where = `${file}: entity ${name}`;
      const e = entities.get(name) ?? { boxes: [], noBox: false, scene: false };
      entities.set(name, e);
      if (bnd) {
        const b = bnd[1]!;
        const box = checkBox([xmlNumber(b, 'xmin', where) - 1, xmlNumber(b, 'ymin', where) - 1, xmlNumber(b, 'xmax', where), xmlNumber(b, 'ymax', where)], width, height, where, options, report);
        if (box) e.boxes.push(box);
      } else {
        e.noBox ||= Number(tagText(body, 'nobndbox') ?? '0') > 0;
        e.scene ||= Number(tagText(body, 'scene') ?? '0') > 0;
        if (tagText(body, 'nobndbox') === undefined) throw new Error(`${where}: <object> has neither <bndbox> nor <nobndbox>.`);
      }
    }
  }
  return { filename: tagText(xml, 'filename'), width, height, entities };
}

export async function loadFlickr30k(root: string, options: LoadOptions = {}): Promise<LoadedDataset> {
  const limit = checkLimit(options.limit, 'loadFlickr30k');
  const annDir = join(root, 'Annotations');
  const sentDir = join(root, 'Sentences');
  for (const d of [annDir, sentDir]) if (!existsSync(d)) throw new Error(`loadFlickr30k: folder ${d} does not exist (expected ROOT/Annotations and ROOT/Sentences).`);
  const wanted = splitList(options.split);
  const listed = SPLIT_FILES.filter((s) => existsSync(join(root, `${s}.txt`)));
  const ids: { id: string; split: string }[] = [];
  const readList = (s: string) => {
    const file = join(root, `${s}.txt`);
    if (!existsSync(file)) throw new Error(`loadFlickr30k: split '${s}' needs ${file}; available: ${listed.join(', ') || 'none (no <split>.txt files)'}.`);
    for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) if (line.trim()) ids.push({ id: line.trim(), split: s });
  };
  if (wanted) wanted.forEach(readList);
  else if (listed.length) listed.forEach(readList);
  else for (const f of readdirSync(annDir).sort()) if (f.endsWith('.xml')) ids.push({ id: f.slice(0, -4), split: 'all' });
  const imageDir = options.imageDir ?? join(root, 'flickr30k-images');
  const report = newReport();
  let records: DatasetRecord[] = [];
  for (const { id, split } of ids.slice(0, limit)) {
    const xmlFile = join(annDir, `${id}.xml`);
    const txtFile = join(sentDir, `${id}.txt`);
    if (!existsSync(xmlFile)) throw new Error(`loadFlickr30k: image ${id} (split ${split}): annotation file ${xmlFile} is missing.`);
    if (!existsSync(txtFile)) throw new Error(`loadFlickr30k: image ${id} (split ${split}): sentence file ${txtFile} is missing.`);
    const ann = readAnnotation(xmlFile, options, report);
    const record = emptyRecord(id, split, { kind: 'file', path: join(imageDir, ann.filename ?? `${id}.jpg`) }, ann.width, ann.height);
    readFileSync(txtFile, 'utf8')
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .forEach((line, c) => {
        const { text, phrases } = parseFlickrSentence(line, `${txtFile}: line ${c + 1}`);
        record.captions.push(text);
        for (const p of phrases) {
          const e = ann.entities.get(p.entityId);
          record.phrases.push({
            text: p.text,
            boxes: e ? e.boxes.map((b) => [...b] as BoxXYXY) : [],
            id: p.entityId,
            caption: c,
            span: p.span,
            type: p.type,
            ...(e?.noBox ? { noBox: true } : {}),
            ...(e?.scene ? { scene: true } : {}),
          });
        }
      });
    records.push(record);
  }
  report.files.push(annDir, sentDir);
  records = checkImageFiles(records, options, report, 'loadFlickr30k');
  return { format: 'flickr30k', root, records, report: finishReport(report, options, 'loadFlickr30k') };
}
