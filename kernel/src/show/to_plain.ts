/**
 * Conversions from what users pass to `show.*` (tf.Tensors, nested arrays, typed arrays) to the
 * plain JSON values of the display schema. Reads tensors synchronously and creates no tensors, so
 * nothing can leak; the caller keeps ownership of its tensors.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Cell } from './display_schema';

/** A 2-D input: a rank-2 tensor, nested arrays, or an array of typed arrays. */
export type MatrixInput = tf.Tensor | ArrayLike<number | null>[] | readonly (readonly (number | null)[])[];
/** A 1-D input. */
export type VectorInput = tf.Tensor | ArrayLike<number | null> | readonly (number | null)[];

/** Duck-typed so that a tensor from another copy of tfjs-core is still recognised. */
export function isTensor(x: unknown): x is tf.Tensor {
  return typeof x === 'object' && x !== null && 'shape' in x && 'dataSync' in x && typeof (x as tf.Tensor).dataSync === 'function';
}

/** Rounds to 6 significant digits (float32 carries ~7) and maps non-finite values to null. */
export function toCell(v: number | null | undefined): Cell {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  return v === 0 ? 0 : Number(v.toPrecision(6));
}

function shapeOf(x: tf.Tensor): string {
  return `[${x.shape.join(', ')}]`;
}

/** Converts a 2-D input to rows of cells; `what` names the argument in errors ('show.plan: matrix'). */
export function toMatrix(x: MatrixInput, what: string): Cell[][] {
  if (isTensor(x)) {
    if (x.rank !== 2) throw new Error(`${what}: expected a rank-2 tensor, got shape ${shapeOf(x)}.`);
    const [rows, cols] = x.shape as [number, number];
    const data = x.dataSync();
    return Array.from({ length: rows }, (_, i) => Array.from(data.subarray(i * cols, (i + 1) * cols), toCell));
  }
  if (!Array.isArray(x) || x.length === 0) throw new Error(`${what}: expected a non-empty 2-D array or rank-2 tensor.`);
  const cols = x[0].length;
  return x.map((row, i) => {
    if (row === null || typeof row !== 'object' || typeof row.length !== 'number') {
      throw new Error(`${what}: row ${i} is not an array.`);
    }
    if (row.length !== cols) throw new Error(`${what}: row ${i} has ${row.length} values, row 0 has ${cols}.`);
    return Array.from(row as ArrayLike<number | null>, (v) => toCell(v));
  });
}

/** Converts a 1-D input to cells. */
export function toVector(x: VectorInput, what: string): Cell[] {
  if (isTensor(x)) {
    if (x.rank !== 1) throw new Error(`${what}: expected a rank-1 tensor, got shape ${shapeOf(x)}.`);
    return Array.from(x.dataSync(), toCell);
  }
  if (x === null || typeof x !== 'object' || typeof x.length !== 'number') throw new Error(`${what}: expected a 1-D array or rank-1 tensor.`);
  return Array.from(x as ArrayLike<number | null>, (v) => toCell(v));
}

/** Transposes a rectangular matrix. */
export function transpose(m: Cell[][]): Cell[][] {
  return m.length === 0 ? [] : m[0].map((_, j) => m.map((row) => row[j]));
}
