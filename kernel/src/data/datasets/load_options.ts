/**
 * What every loader accepts and reports, and the checks they share: required fields, box validity,
 * image files on disk. Nothing is dropped or changed silently: every skip or clip is counted in the
 * `LoadReport` and announced through `onWarning` (default: one line on stderr per kind of event).
 */
import { existsSync } from 'node:fs';
import type { BoxXYXY, DatasetFormat, DatasetRecord } from './dataset_record';

export interface LoadOptions {
  /** Split(s) to load, as the dataset names them ('val2017', 'testA', 'test'...). Default: the loader's. */
  split?: string | readonly string[];
  /** At most this many records (images), in file order. */
  limit?: number;
  /** Skip records whose image file is missing (counted) instead of failing. */
  skipMissing?: boolean;
  /** Clip boxes to the image, and drop empty ones (counted), instead of failing. */
  clipBoxes?: boolean;
  /** Check that image files exist (default true). */
  checkImages?: boolean;
  /** Folder of the image files, when the annotations live elsewhere (RefCOCO → COCO train2014). */
  imageDir?: string;
  /** Receives each warning line; default writes to stderr. */
  onWarning?: (message: string) => void;
}

export interface LoadReport {
  files: string[];
  /** Records dropped because their image file is missing (`skipMissing`). */
  skippedMissingImages: number;
  /** Boxes clipped to the image (`clipBoxes`). */
  clippedBoxes: number;
  /** Boxes dropped as empty after clipping or with non-positive size (`clipBoxes`). */
  droppedBoxes: number;
  /** Boxes beyond the image by at most BOX_TOLERANCE pixels (float rounding in the annotations), clipped. */
  roundedBoxes: number;
  warnings: string[];
}

export interface LoadedDataset {
  format: DatasetFormat | 'scenes';
  root: string;
  records: DatasetRecord[];
  report: LoadReport;
}

/** Pixels a box may exceed the image by before it counts as outside (clipped and counted). */
export const BOX_TOLERANCE = 1;

export function newReport(files: string[] = []): LoadReport {
  return { files, skippedMissingImages: 0, clippedBoxes: 0, droppedBoxes: 0, roundedBoxes: 0, warnings: [] };
}

/** Resolved split selection: undefined = all. */
export function splitList(split: LoadOptions['split']): string[] | undefined {
  if (split === undefined) return undefined;
  return typeof split === 'string' ? [split] : [...split];
}

export function checkLimit(limit: number | undefined, what: string): number {
  if (limit === undefined) return Infinity;
  if (!Number.isInteger(limit) || limit < 0) throw new Error(`${what}: limit must be a non-negative integer; got ${limit}.`);
  return limit;
}

type Kind = 'number' | 'string' | 'array' | 'object' | 'box';
type KindType<K extends Kind> = K extends 'number'
  ? number
  : K extends 'string'
    ? string
    : K extends 'array'
      ? unknown[]
      : K extends 'object'
        ? Record<string, unknown>
        : [number, number, number, number];

function kindOk(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'string':
      return typeof v === 'string';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'box':
      return Array.isArray(v) && v.length === 4 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  }
}

/** `obj[field]`, which must exist and be of `kind`; the error names `where` (file and record id) and the field. */
export function field<K extends Kind>(obj: Record<string, unknown>, name: string, kind: K, where: string): KindType<K> {
  if (!(name in obj) || obj[name] === undefined) throw new Error(`${where}: missing field '${name}'.`);
  const v = obj[name];
  if (!kindOk(kind, v)) {
    const seen = JSON.stringify(v) ?? String(v);
    const expected = kind === 'box' ? 'an array of 4 finite numbers' : kind === 'number' ? 'a finite number' : `a ${kind}`;
    throw new Error(`${where}: field '${name}' must be ${expected}; got ${seen.length > 60 ? `${seen.slice(0, 57)}...` : seen}.`);
  }
  return v as KindType<K>;
}

/** `obj[field]` if present (and of `kind`), else undefined. */
export function optionalField<K extends Kind>(obj: Record<string, unknown>, name: string, kind: K, where: string): KindType<K> | undefined {
  return obj[name] === undefined || obj[name] === null ? undefined : field(obj, name, kind, where);
}

/** Checks that `value` is a JSON object (an element of an annotation array). */
export function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected an object; got ${JSON.stringify(value)?.slice(0, 60)}.`);
  }
  return value as Record<string, unknown>;
}

/**
 * A box checked against its image: returned as is when inside; beyond the image by at most
 * BOX_TOLERANCE → clipped (counted as rounded); further outside → error, or clipped (counted) under
 * `clipBoxes`; non-positive width/height (or empty after clipping) → error, or null (dropped,
 * counted) under `clipBoxes`.
 */
export function checkBox(box: BoxXYXY, width: number, height: number, where: string, options: LoadOptions, report: LoadReport): BoxXYXY | null {
  const [x1, y1, x2, y2] = box;
  if (!(x2 > x1 && y2 > y1)) {
    if (!options.clipBoxes) {
      throw new Error(`${where}: box [${box.join(', ')}] (xyxy) has non-positive size; use clipBoxes (--clip-boxes) to drop such boxes.`);
    }
    report.droppedBoxes++;
    return null;
  }
  const over = Math.max(-x1, -y1, x2 - width, y2 - height);
  if (over <= 0) return box;
  const clipped: BoxXYXY = [Math.max(0, x1), Math.max(0, y1), Math.min(width, x2), Math.min(height, y2)];
  if (over <= BOX_TOLERANCE) {
    report.roundedBoxes++;
    return clipped;
  }
  if (!options.clipBoxes) {
    throw new Error(
      `${where}: box [${box.join(', ')}] (xyxy) lies outside the ${width}×${height} image; use clipBoxes (--clip-boxes) to clip it.`,
    );
  }
  if (!(clipped[2] > clipped[0] && clipped[3] > clipped[1])) {
    report.droppedBoxes++;
    return null;
  }
  report.clippedBoxes++;
  return clipped;
}

/** Checks the image size of a record. */
export function checkImageSize(width: unknown, height: unknown, where: string): void {
  const ok = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
  if (!ok(width) || !ok(height)) throw new Error(`${where}: image width/height must be positive integers; got ${String(width)}×${String(height)}.`);
}

/**
 * Checks that every file image exists: missing → error listing the first few paths and the count, or,
 * under `skipMissing`, the records are dropped and counted.
 */
export function checkImageFiles(records: DatasetRecord[], options: LoadOptions, report: LoadReport, what: string): DatasetRecord[] {
  if (options.checkImages === false) return records;
  const missing: string[] = [];
  const kept = records.filter((r) => {
    if (r.image.kind !== 'file' || existsSync(r.image.path)) return true;
    missing.push(r.image.path);
    return false;
  });
  if (missing.length === 0) return records;
  if (!options.skipMissing) {
    const shown = missing.slice(0, 5).join('\n  ');
    throw new Error(
      `${what}: ${missing.length} image file(s) missing (of ${records.length}), e.g.\n  ${shown}\n` +
        `Point imageDir at the images, or use skipMissing (--skip-missing) to skip those records.`,
    );
  }
  report.skippedMissingImages += missing.length;
  return kept;
}

/** Emits one warning line per non-zero counter of the report (called by each loader at the end). */
export function finishReport(report: LoadReport, options: LoadOptions, what: string): LoadReport {
  const warn = options.onWarning ?? ((m: string) => process.stderr.write(`${m}\n`));
  const lines: string[] = [];
  if (report.skippedMissingImages) lines.push(`${what}: skipped ${report.skippedMissingImages} record(s) whose image file is missing (skipMissing).`);
  if (report.clippedBoxes) lines.push(`${what}: clipped ${report.clippedBoxes} box(es) to the image (clipBoxes).`);
  if (report.droppedBoxes) lines.push(`${what}: dropped ${report.droppedBoxes} empty or non-positive box(es) (clipBoxes).`);
  if (report.roundedBoxes) lines.push(`${what}: clipped ${report.roundedBoxes} box(es) exceeding the image by ≤ ${BOX_TOLERANCE} px (rounding).`);
  for (const l of lines) {
    report.warnings.push(l);
    warn(l);
  }
  return report;
}
