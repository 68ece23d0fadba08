/**
 * Ground-truth box checks (bad input policy): a box with x1 ≥ x2, y1 ≥ y2, a non-finite value, or a
 * corner outside the image is an error naming the record — or, with `clipBoxes`, it is clipped to
 * the image and counted (a box still empty after clipping is always an error).
 *
 * @example
 *   const warnings = { clipped: 0, messages: [] };
 *   checkedBox([-2, 3, 10, 12], 64, 64, 'test#4 object 1', { clipBoxes: true }, warnings); // [0, 3, 10, 12]
 */
import type { BoxXYXY } from '../data/scene_types';
import { clamp } from './coordinate_codec';

export interface BoxPolicy {
  clipBoxes: boolean;
}

export interface BoxWarnings {
  clipped: number;
  /** The first few messages (at most 20), for the report. */
  messages: string[];
}

export function newBoxWarnings(): BoxWarnings {
  return { clipped: 0, messages: [] };
}

export function checkedBox(box: readonly number[], width: number, height: number, record: string, policy: BoxPolicy, warnings: BoxWarnings): BoxXYXY {
  const [x1, y1, x2, y2] = box as [number, number, number, number];
  const finite = box.length === 4 && box.every(Number.isFinite);
  const ordered = finite && x1 < x2 && y1 < y2;
  const inside = finite && x1 >= 0 && y1 >= 0 && x2 <= width && y2 <= height;
  if (ordered && inside) return [x1, y1, x2, y2];
  const what = `ground-truth box of ${record}: [${box.join(', ')}]`;
  if (!finite) throw new Error(`${what} has a non-finite value or not 4 values.`);
  if (!policy.clipBoxes) {
    const why = !ordered ? 'needs x1 < x2 and y1 < y2' : `lies outside the ${width}×${height} image`;
    throw new Error(`${what} ${why} (set clipBoxes to clip boxes to the image and count them).`);
  }
  const c: BoxXYXY = [clamp(x1, 0, width), clamp(y1, 0, height), clamp(x2, 0, width), clamp(y2, 0, height)];
  if (!(c[0] < c[2] && c[1] < c[3])) throw new Error(`${what} is empty after clipping to the ${width}×${height} image.`);
  warnings.clipped += 1;
  if (warnings.messages.length < 20) warnings.messages.push(`${what} clipped to [${c.join(', ')}]`);
  return c;
}
