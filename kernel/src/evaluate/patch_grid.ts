import type { BoxXYXY } from './box_iou';

/**
 * Geometry of a ViT patch grid over an image: `rows × cols` patches, flattened row-major (index
 * r·cols + c, the order a ViT's patch embedding produces). Patch (r, c) covers
 * [c·W/cols, (c+1)·W/cols] × [r·H/rows, (r+1)·H/rows] in pixel coordinates, W = imageWidth,
 * H = imageHeight; its centre is ((c + ½)·W/cols, (r + ½)·H/rows).
 */
export interface PatchGrid {
  imageWidth: number;
  imageHeight: number;
  rows: number;
  cols: number;
}

export function patchCentre(grid: PatchGrid, index: number): [number, number] {
  const r = Math.floor(index / grid.cols);
  const c = index % grid.cols;
  return [((c + 0.5) * grid.imageWidth) / grid.cols, ((r + 0.5) * grid.imageHeight) / grid.rows];
}

/** Whether patch `index`'s centre lies in `box` (boundary included). */
export function patchCentreInBox(grid: PatchGrid, index: number, box: BoxXYXY): boolean {
  const [x, y] = patchCentre(grid, index);
  return x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3];
}

/** Throws unless `grid` is well formed and `length` = rows·cols. */
export function checkGrid(grid: PatchGrid, length: number, what: string): void {
  const { imageWidth, imageHeight, rows, cols } = grid;
  if (!(imageWidth > 0 && imageHeight > 0 && Number.isInteger(rows) && rows > 0 && Number.isInteger(cols) && cols > 0)) {
    throw new Error(`${what}: invalid patch grid ${JSON.stringify(grid)} (positive image size, positive integer rows/cols).`);
  }
  if (length !== rows * cols) throw new Error(`${what}: column has ${length} entries, expected rows·cols = ${rows * cols}.`);
}
