/**
 * Small datasets in the exact on-disk formats of COCO, RefCOCO (finetune and refs(unc).p),
 * Flickr30k Entities and Visual Genome, written into a folder for the loader tests — with the awkward
 * cases real files have: crowd annotations, non-contiguous category ids, non-ASCII captions, several
 * boxes per entity, an <object> naming two entities, nobndbox/scene entities, a notvisual entity
 * with no <object>, VG without image_data.json (sizes from image headers), JPEG and PNG images.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jpeg from 'jpeg-js';
import { encodePng } from '../../png_encode';
import { pickle } from '../pickle_write';

/** A w×h RGB image: left half red, right half blue. */
export function halfImage(w: number, h: number): Uint8Array {
  const px = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px.set(x < w / 2 ? [220, 30, 20] : [20, 40, 230], (y * w + x) * 3);
  return px;
}

export function jpegBytes(rgb: Uint8Array, w: number, h: number, quality = 95): Uint8Array {
  const rgba = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) rgba.set([rgb[3 * i]!, rgb[3 * i + 1]!, rgb[3 * i + 2]!, 255], 4 * i);
  return jpeg.encode({ data: rgba, width: w, height: h }, quality).data;
}

/** Inserts an APP1 Exif segment (big-endian TIFF, IFD0 with one Orientation entry) after SOI. */
export function withExifOrientation(jpg: Uint8Array, orientation: number): Uint8Array {
  const tiff = [0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
  const body = [...Buffer.from('Exif\0\0', 'latin1'), ...tiff];
  const len = body.length + 2;
  const app1 = Uint8Array.from([0xff, 0xe1, len >> 8, len & 255, ...body]);
  return Buffer.concat([jpg.subarray(0, 2), app1, jpg.subarray(2)]);
}

const write = (path: string, data: string | Uint8Array) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, data);
};

export const COCO_CAPTION_UNICODE = 'Ein Café am Straßenrand — naïve 東京 🚲';

export function writeCocoFixture(root: string): void {
  const images = [
    { license: 1, file_name: '000000000139.jpg', coco_url: 'http://images.cocodataset.org/val2017/000000000139.jpg', height: 40, width: 60, date_captured: '2013-11-21 01:34:01', id: 139 },
    { license: 2, file_name: '000000000285.png', height: 30, width: 20, id: 285 },
  ];
  write(join(root, 'val2017', '000000000139.jpg'), jpegBytes(halfImage(60, 40), 60, 40));
  write(join(root, 'val2017', '000000000285.png'), encodePng(halfImage(20, 30), 20, 30));
  const instances = {
    info: { year: 2017 },
    licenses: [],
    // annotations before images: legal JSON, and the loader must not depend on key order
    annotations: [
      { segmentation: [[10, 10, 20, 10, 20, 20]], area: 50.5, iscrowd: 0, image_id: 139, bbox: [10.5, 5.25, 20, 15], category_id: 18, id: 1768 },
      { segmentation: { counts: [0, 5, 10], size: [40, 60] }, area: 300, iscrowd: 1, image_id: 139, bbox: [0, 0, 30, 20], category_id: 1, id: 900100 },
      { segmentation: [[1, 1, 5, 1, 5, 5]], area: 12, iscrowd: 0, image_id: 285, bbox: [1, 2, 4, 5], category_id: 90, id: 42 },
    ],
    images,
    categories: [
      { supercategory: 'person', id: 1, name: 'person' },
      { supercategory: 'animal', id: 18, name: 'dog' },
      { supercategory: 'indoor', id: 90, name: 'toothbrush' },
    ],
  };
  const captions = {
    info: {},
    licenses: [],
    images,
    annotations: [
      { image_id: 139, id: 5, caption: 'A dog next to a person.' },
      { image_id: 285, id: 6, caption: COCO_CAPTION_UNICODE },
      { image_id: 139, id: 7, caption: 'Two things, "quoted" \\ and a backslash.' },
    ],
  };
  write(join(root, 'annotations', 'instances_val2017.json'), JSON.stringify(instances, null, 1));
  write(join(root, 'annotations', 'captions_val2017.json'), JSON.stringify(captions));
}

export function writeFlickrFixture(root: string): void {
  write(join(root, 'flickr30k-images', '1000092795.jpg'), jpegBytes(halfImage(50, 40), 50, 40));
  write(
    join(root, 'Sentences', '1000092795.txt'),
    [
      '[/EN#1/people Two young guys] with [/EN#2/bodyparts shaggy hair] look at [/EN#3/bodyparts their hands] while hanging out in [/EN#4/scene the yard] .',
      '[/EN#1/people Zwei Jungen] schauen auf [/EN#3/bodyparts ihre Hände] , während [/EN#5/notvisual sie] [/EN#4/scene im Hof] sind .',
    ].join('\n') + '\n',
  );
  write(
    join(root, 'Annotations', '1000092795.xml'),
    `<annotation>
<filename>1000092795.jpg</filename>
<size><width>50</width><height>40</height><depth>3</depth></size>
<object><name>1</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>20</xmax><ymax>30</ymax></bndbox></object>
<object><name>1</name><bndbox><xmin>25</xmin><ymin>2</ymin><xmax>50</xmax><ymax>40</ymax></bndbox></object>
<object><name>2</name><name>3</name><bndbox><xmin>5</xmin><ymin>5</ymin><xmax>10</xmax><ymax>12</ymax></bndbox></object>
<object><name>4</name><nobndbox>1</nobndbox><scene>1</scene></object>
</annotation>
`,
  );
  write(join(root, 'test.txt'), '1000092795\n');
}

/** RefCOCO in both forms: finetune_refcoco_{val,testA}.json and refs(unc).p + instances.json. */
export function writeRefcocoFixture(root: string): void {
  write(join(root, 'images', 'COCO_train2014_000000000009.jpg'), jpegBytes(halfImage(64, 48), 64, 48));
  write(join(root, 'images', 'COCO_train2014_000000000025.jpg'), jpegBytes(halfImage(32, 32), 32, 32));
  const entry = (id: number, caption: string, orig: number, file: string, w: number, h: number) => ({
    file_name: file, height: h, width: w, id, caption, dataset_name: 'refcoco', tokens_negative: [[0, caption.length]], original_id: orig, tokens_positive_eval: [[[0, caption.length]]],
  });
  const ann = (id: number, imageId: number, bbox: number[], orig: number) => ({ area: bbox[2]! * bbox[3]!, iscrowd: 0, image_id: imageId, category_id: 1, id, bbox, tokens_positive: [[0, 3]], original_id: orig });
  write(
    join(root, 'finetune_refcoco_testA.json'),
    JSON.stringify({
      images: [entry(0, 'man on the left', 9, 'COCO_train2014_000000000009.jpg', 64, 48), entry(1, 'right guy', 9, 'COCO_train2014_000000000009.jpg', 64, 48), entry(2, 'hombre pequeño', 25, 'COCO_train2014_000000000025.jpg', 32, 32)],
      annotations: [ann(0, 0, [0, 0, 30, 40], 501), ann(1, 1, [32, 0, 32, 48], 502), ann(2, 2, [4, 4, 10, 10], 503)],
      categories: [{ supercategory: 'person', id: 1, name: 'person' }],
    }),
  );
  write(join(root, 'finetune_refcoco_val.json'), JSON.stringify({ images: [entry(7, 'the cat', 25, 'COCO_train2014_000000000025.jpg', 32, 32)], annotations: [ann(9, 7, [1, 1, 5, 5], 503)], categories: [] }));
  const refs = [
    { sent_ids: [0, 1], file_name: 'COCO_train2014_000000000009_501.jpg', ann_id: 501, ref_id: 0, image_id: 9, split: 'testA', category_id: 1,
      sentences: [{ tokens: ['man', 'on', 'the', 'left'], raw: 'Man on the LEFT', sent_id: 0, sent: 'man on the left' }, { tokens: ['left', 'man'], raw: 'left man', sent_id: 1, sent: 'left man' }] },
    { sent_ids: [2], file_name: 'COCO_train2014_000000000025_503.jpg', ann_id: 503, ref_id: 1, image_id: 25, split: 'val', category_id: 1,
      sentences: [{ tokens: ['el', 'gato'], sent_id: 2, sent: 'el gato pequeño' }] },
  ];
  write(join(root, 'refs(unc).p'), pickle(refs));
  write(
    join(root, 'instances.json'),
    JSON.stringify({
      images: [{ file_name: 'COCO_train2014_000000000009.jpg', height: 48, width: 64, id: 9 }, { file_name: 'COCO_train2014_000000000025.jpg', height: 32, width: 32, id: 25 }],
      annotations: [ann(501, 9, [0, 0, 30, 40], 0), ann(502, 9, [32, 0, 32, 48], 0), ann(503, 25, [4, 4, 10, 10], 0)].map(({ tokens_positive, original_id, ...a }) => (void tokens_positive, void original_id, a)),
      categories: [{ supercategory: 'person', id: 1, name: 'person' }],
    }),
  );
}

export function writeVgFixture(root: string): void {
  write(join(root, 'VG_100K', '1.jpg'), jpegBytes(halfImage(80, 60), 80, 60));
  write(join(root, 'VG_100K_2', '2.jpg'), jpegBytes(halfImage(40, 50), 40, 50));
  write(
    join(root, 'region_descriptions.json'),
    JSON.stringify([
      { regions: [{ region_id: 1382, width: 40, height: 20, image_id: 1, phrase: 'the clock is green in colour', y: 10, x: 5 }, { region_id: 1383, width: 10, height: 10, image_id: 1, phrase: 'Schäferhund', y: 0, x: 0 }], id: 1 },
      { regions: [{ region_id: 5000, width: 39, height: 49, image_id: 2, phrase: 'a blue wall', y: 1, x: 1 }], id: 2 },
    ]),
  );
}
