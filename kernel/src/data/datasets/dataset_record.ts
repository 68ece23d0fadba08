/**
 * The common record of every dataset alignscope reads: one image with everything annotated on it.
 * Loaders (COCO, RefCOCO, Flickr30k Entities, Visual Genome) and the grounded scenes
 * (`sceneToRecord`) all produce it, so evaluation code is written once against this type.
 *
 * Coordinates: pixels of the image as stored on disk after EXIF orientation, origin top-left,
 * boxes in corner form [x1, y1, x2, y2] with x2/y2 exclusive (width = x2 − x1), the convention of
 * `evaluate/box_iou` and of the scenes. Each loader documents how it converts its format's boxes.
 *
 * @example
 *   const { records } = await loadCoco('/data/coco', { split: 'val2017', limit: 100 });
 *   records[0].captions;            // ['A man riding a wave on top of a surfboard.', ...]
 *   records[0].objects[0].box;      // [x1, y1, x2, y2]
 */
import type { BoxXYXY } from '../scene_types';

export type { BoxXYXY };

/** Where the pixels are: a file on disk (JPEG or PNG), or RGB bytes in memory (row-major [H, W, 3]). */
export type ImageRef = { kind: 'file'; path: string } | { kind: 'memory'; rgb: Uint8Array };

/** An annotated object instance (COCO/RefCOCO instances, scene objects). */
export interface RecordObject {
  /** The annotation id in its dataset (COCO `id`), as a string. */
  id: string;
  /** Category name ("person", "circle"). */
  name: string;
  box: BoxXYXY;
  /** The dataset's category id (COCO ids are not contiguous: 1..90 with gaps). */
  categoryId?: number;
  /** COCO `iscrowd`: the box covers a group; usually ignored as a target. */
  iscrowd?: boolean;
  /** Segmentation area in pixels, as given (COCO `area`). */
  area?: number;
}

/**
 * A phrase with the boxes it refers to: a span of a caption (Flickr30k Entities, scene captions) or
 * a standalone region description (Visual Genome, scene region phrases).
 */
export interface RecordPhrase {
  text: string;
  /** Zero, one or several boxes (a Flickr30k entity may have several; `nobndbox` entities have none). */
  boxes: BoxXYXY[];
  /** Entity id (Flickr30k `EN#id`) or region id (Visual Genome). */
  id?: string;
  /** For caption phrases: the caption's index in `captions` and the [start, end) character span. */
  caption?: number;
  span?: [number, number];
  /** Flickr30k entity type(s), "people", "clothing/other"... */
  type?: string;
  /** Flickr30k: the entity has no box (`nobndbox`), and whether it is the whole scene (`scene`). */
  noBox?: boolean;
  scene?: boolean;
}

/** A referring expression with its one target box (RefCOCO/+/g, scene expressions). */
export interface RecordExpression {
  /** Sentence id (RefCOCO `sent_id`, the finetune entry `id`), as a string. */
  id: string;
  text: string;
  box: BoxXYXY;
  /** The target's annotation id (`RecordObject.id`), when known. */
  objectId?: string;
  /** Target category name, when known. */
  name?: string;
}

export interface DatasetRecord {
  /** The image id in its dataset (COCO image id, Flickr30k image number), as a string. */
  id: string;
  /** Split as the dataset names it: 'train', 'val', 'test', 'testA', 'testB', 'val2017'... */
  split: string;
  image: ImageRef;
  width: number;
  height: number;
  captions: string[];
  objects: RecordObject[];
  phrases: RecordPhrase[];
  expressions: RecordExpression[];
}

/** The dataset formats alignscope reads and writes. */
export const DATASET_FORMATS = ['coco', 'refcoco', 'flickr30k', 'vg'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export function isDatasetFormat(name: string): name is DatasetFormat {
  return (DATASET_FORMATS as readonly string[]).includes(name);
}

/** Throws, listing the supported formats, unless `name` is one of them. */
export function checkDatasetFormat(name: string, what = 'format'): DatasetFormat {
  if (!isDatasetFormat(name)) {
    throw new Error(`${what}: unknown dataset format '${name}'; supported formats: ${DATASET_FORMATS.join(', ')}.`);
  }
  return name;
}

/** An empty record to fill in (loaders build records field by field). */
export function emptyRecord(id: string, split: string, image: ImageRef, width: number, height: number): DatasetRecord {
  return { id, split, image, width, height, captions: [], objects: [], phrases: [], expressions: [] };
}
