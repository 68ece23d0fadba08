/**
 * Preview images of scenes for reports and eyeballing: nearest-neighbour upscaling, optional box
 * outlines, and a contact sheet of several scenes; `scenePng` gives PNG bytes directly.
 */
import { encodePng } from './png_encode';
import type { BoxXYXY, Scene } from './scene_types';

/** An RGB image, row-major [height, width, 3]. */
export interface RgbImage {
  pixels: Uint8Array;
  width: number;
  height: number;
}

export interface PreviewOptions {
  /** Integer upscaling factor. Default 4. */
  scale?: number;
  /** Outline each object's box. Default false. */
  boxes?: boolean;
  /** Outline colour. Default yellow-green. */
  boxColour?: readonly [number, number, number];
}

/** The scene's image upscaled, with box outlines if asked. */
export function renderScenePreview(scene: Scene, options: PreviewOptions = {}): RgbImage {
  const scale = options.scale ?? 4;
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`renderScenePreview: scale must be a positive integer; got ${scale}.`);
  const W = scene.width * scale;
  const H = scene.height * scale;
  const pixels = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    const sy = Math.floor(y / scale);
    for (let x = 0; x < W; x++) {
      const src = (sy * scene.width + Math.floor(x / scale)) * 3;
      pixels.set(scene.image.subarray(src, src + 3), (y * W + x) * 3);
    }
  }
  const image = { pixels, width: W, height: H };
  if (options.boxes) {
    for (const o of scene.objects) {
      drawBox(image, o.box.map((v) => v * scale) as BoxXYXY, options.boxColour ?? [180, 255, 60]);
    }
  }
  return image;
}

/** Outlines [x1, y1, x2, y2) (x2, y2 exclusive) in place, one pixel wide. */
export function drawBox(image: RgbImage, box: BoxXYXY, rgb: readonly [number, number, number]): void {
  const [x1, y1, x2, y2] = box.map(Math.round) as BoxXYXY;
  const set = (x: number, y: number): void => {
    if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
    image.pixels.set(rgb, (y * image.width + x) * 3);
  };
  for (let x = x1; x < x2; x++) {
    set(x, y1);
    set(x, y2 - 1);
  }
  for (let y = y1; y < y2; y++) {
    set(x1, y);
    set(x2 - 1, y);
  }
}

/** Images of equal size tiled in a grid, `columns` wide, separated by `gap` grey pixels. */
export function contactSheet(images: readonly RgbImage[], columns = 4, gap = 2): RgbImage {
  if (images.length === 0) throw new Error('contactSheet: images is empty.');
  const { width: w, height: h } = images[0]!;
  const cols = Math.min(columns, images.length);
  const rows = Math.ceil(images.length / cols);
  const W = cols * w + (cols + 1) * gap;
  const H = rows * h + (rows + 1) * gap;
  const pixels = new Uint8Array(W * H * 3).fill(96);
  images.forEach((img, k) => {
    if (img.width !== w || img.height !== h) throw new Error(`contactSheet: image ${k} is ${img.width}×${img.height}, image 0 is ${w}×${h}.`);
    const ox = gap + (k % cols) * (w + gap);
    const oy = gap + Math.floor(k / cols) * (h + gap);
    for (let y = 0; y < h; y++) pixels.set(img.pixels.subarray(y * w * 3, (y + 1) * w * 3), ((oy + y) * W + ox) * 3);
  });
  return { pixels, width: W, height: H };
}

/** PNG bytes of a scene preview. */
export function scenePng(scene: Scene, options: PreviewOptions = {}): Uint8Array {
  const img = renderScenePreview(scene, options);
  return encodePng(img.pixels, img.width, img.height);
}
