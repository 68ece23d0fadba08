/**
 * `--data` sources: one flag, several datasets.
 *
 *   SOURCES := SOURCE ( ',' SOURCE )*
 *   SOURCE  := FORMAT ':' PATH [ '?' KEY '=' VALUE ( '&' KEY '=' VALUE )* ]
 *   FORMAT  := coco | refcoco | flickr30k | vg | scenes
 *   KEY     := split (several joined by '+': split=testA+testB) | limit | images (the image folder)
 *            | skipMissing | clipBoxes (true/false or 1/0; bare `skipMissing` means true)
 *            | form, variant, splitBy (refcoco)
 *
 * `scenes` needs no path: `scenes:` or `scenes:?split=test&limit=500` are the embedded grounded
 * scenes (seed 0 unless `seed=N`). A path may not contain ',' or '?'.
 *
 * @example
 *   --data coco:/data/coco?split=val2017&limit=500,refcoco:/data/refcoco?split=testA+testB&images=/data/coco/train2014
 *   const sources = parseDataSources(argv.data);          // validated, typed
 *   const loaded = await loadDataSources(sources);        // LoadedDataset per source
 */
import { GroundedScenes } from '../grounded_scenes';
import { SPLITS, type SplitName } from '../scene_types';
import { DATASET_FORMATS, type DatasetFormat, type DatasetRecord } from './dataset_record';
import { loadCoco } from './coco_loader';
import { loadFlickr30k } from './flickr30k_loader';
import { newReport, type LoadedDataset, type LoadOptions } from './load_options';
import { loadRefcoco, type RefcocoLoadOptions } from './refcoco_loader';
import { sceneToRecord } from './scene_to_record';
import { loadVisualGenome } from './vg_loader';

export const SOURCE_FORMATS = [...DATASET_FORMATS, 'scenes'] as const;
export type SourceFormat = DatasetFormat | 'scenes';

export interface DataSource {
  format: SourceFormat;
  path: string;
  options: RefcocoLoadOptions & { seed?: number };
}

/** Usage text for a command's `--data` flag. */
export const DATA_FLAG_HELP = `--data FORMAT:PATH[?split=S[+S2]&limit=N&images=DIR&skipMissing&clipBoxes][,FORMAT:PATH...]
    FORMAT: ${['coco', 'refcoco', 'flickr30k', 'vg', 'scenes'].join(' | ')}; e.g.
    --data coco:/data/coco?split=val2017&limit=500,refcoco:/data/refcoco?split=testA&images=/data/coco/train2014`;

const KEYS = ['split', 'limit', 'images', 'skipMissing', 'clipBoxes', 'form', 'variant', 'splitBy', 'seed'];

function bool(value: string, where: string): boolean {
  if (value === '' || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new Error(`${where}: expected true/false; got '${value}'.`);
}

function integer(value: string, where: string): number {
  const v = Number(value);
  if (value === '' || !Number.isInteger(v) || v < 0) throw new Error(`${where}: expected a non-negative integer; got '${value}'.`);
  return v;
}

/** Parses and validates a `--data` value (see the grammar above); throws naming the bad part. */
export function parseDataSources(spec: string): DataSource[] {
  if (!spec.trim()) throw new Error(`--data: empty; expected FORMAT:PATH[,FORMAT:PATH...] with FORMAT one of ${SOURCE_FORMATS.join(', ')}.`);
  return spec.split(',').map((part) => {
    const s = part.trim();
    const colon = s.indexOf(':');
    const format = colon < 0 ? s : s.slice(0, colon);
    if (!(SOURCE_FORMATS as readonly string[]).includes(format)) {
      throw new Error(`--data: unknown format '${format}' in '${s}'; supported formats: ${SOURCE_FORMATS.join(', ')}.`);
    }
    if (colon < 0) throw new Error(`--data: '${s}' has no ':'; write ${format}:PATH.`);
    const rest = s.slice(colon + 1);
    const q = rest.indexOf('?');
    const path = q < 0 ? rest : rest.slice(0, q);
    if (!path && format !== 'scenes') throw new Error(`--data: '${s}' has no path after '${format}:'.`);
    const options: DataSource['options'] = {};
    for (const kv of q < 0 ? [] : rest.slice(q + 1).split('&').filter(Boolean)) {
      const eq = kv.indexOf('=');
      const key = eq < 0 ? kv : kv.slice(0, eq);
      const value = eq < 0 ? '' : decodeURIComponent(kv.slice(eq + 1));
      const where = `--data ${format}: option '${key}'`;
      if (!KEYS.includes(key)) throw new Error(`--data ${format}: unknown option '${key}'; known: ${KEYS.join(', ')}.`);
      if (key === 'split') options.split = value.split('+');
      else if (key === 'limit') options.limit = integer(value, where);
      else if (key === 'seed') options.seed = integer(value, where);
      else if (key === 'images') options.imageDir = value;
      else if (key === 'skipMissing') options.skipMissing = bool(value, where);
      else if (key === 'clipBoxes') options.clipBoxes = bool(value, where);
      else if (key === 'form') {
        if (value !== 'finetune' && value !== 'refs') throw new Error(`${where}: expected finetune or refs; got '${value}'.`);
        options.form = value;
      } else if (key === 'variant') {
        if (value !== 'refcoco' && value !== 'refcoco+' && value !== 'refcocog') throw new Error(`${where}: expected refcoco, refcoco+ or refcocog; got '${value}'.`);
        options.variant = value;
      } else options.splitBy = value;
    }
    if (format === 'scenes') for (const sp of [options.split ?? []].flat()) if (!(SPLITS as readonly string[]).includes(sp)) throw new Error(`--data scenes: split '${sp}' is not one of ${SPLITS.join(', ')}.`);
    return { format: format as SourceFormat, path, options };
  });
}

/** Loads one source (the scenes are generated: `limit` per split, default the whole split). */
export async function loadDataSource(source: DataSource, extra: LoadOptions = {}): Promise<LoadedDataset> {
  const options = { ...source.options, ...extra };
  switch (source.format) {
    case 'coco':
      return loadCoco(source.path, options);
    case 'refcoco':
      return loadRefcoco(source.path, options);
    case 'flickr30k':
      return loadFlickr30k(source.path, options);
    case 'vg':
      return loadVisualGenome(source.path, options);
    case 'scenes': {
      const ds = new GroundedScenes({ seed: options.seed ?? 0 });
      const splits = (options.split ? [options.split].flat() : ['test']) as SplitName[];
      const records: DatasetRecord[] = [];
      for (const sp of splits) {
        const n = Math.min(ds.size(sp), options.limit ?? Infinity);
        for (let i = 0; i < n; i++) records.push(sceneToRecord(ds.getScene(sp, i)));
      }
      return { format: 'scenes', root: 'scenes:', records, report: newReport() };
    }
  }
}

/** Parses (if given a string) and loads every source, in order. */
export async function loadDataSources(spec: string | readonly DataSource[], extra: LoadOptions = {}): Promise<(LoadedDataset & { source: DataSource })[]> {
  const sources = typeof spec === 'string' ? parseDataSources(spec) : spec;
  const out: (LoadedDataset & { source: DataSource })[] = [];
  for (const s of sources) out.push({ ...(await loadDataSource(s, extra)), source: s });
  return out;
}
