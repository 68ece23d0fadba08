/**
 * The spatial relations of the scene language, decided from object centres along the dominant axis:
 *
 *   d = center(a) − center(b);   if |dx| ≥ |dy|: a is "left of" b when dx < 0, else "right of";
 *                                otherwise a is "above" b when dy < 0 (y points down), else "below".
 *   No relation when max(|dx|, |dy|) < margin (too close to say).
 *
 * Captions and referring expressions use this one definition, so a relation in text is true of the
 * scene by construction, and a resolver reading the text back agrees with the generator.
 */
import type { ExtremalName, RelationName } from './scene_vocabulary';

export interface Located {
  center: [number, number];
}

/** The relation of `a` to `b` ("a is <relation> b"), or null when their centres are within `margin`. */
export function spatialRelation(a: Located, b: Located, margin: number): RelationName | null {
  const dx = a.center[0] - b.center[0];
  const dy = a.center[1] - b.center[1];
  if (Math.max(Math.abs(dx), Math.abs(dy)) < margin) return null;
  if (Math.abs(dx) >= Math.abs(dy)) return dx < 0 ? 'left of' : 'right of';
  return dy < 0 ? 'above' : 'below';
}

/**
 * Which of `candidates` (indices into `objects`) is the extremal one, or null if the best is not
 * ahead of the runner-up by at least `margin` pixels along the axis.
 */
export function extremalObject(
  objects: readonly Located[],
  candidates: readonly number[],
  extremal: ExtremalName,
  margin: number,
): number | null {
  if (candidates.length === 0) return null;
  // Score so that larger is "more extremal".
  const score = (i: number): number => {
    const [x, y] = objects[i]!.center;
    switch (extremal) {
      case 'leftmost':
        return -x;
      case 'rightmost':
        return x;
      case 'topmost':
        return -y;
      case 'bottommost':
        return y;
    }
  };
  const ranked = [...candidates].sort((p, q) => score(q) - score(p));
  if (ranked.length > 1 && score(ranked[0]!) - score(ranked[1]!) < margin) return null;
  return ranked[0]!;
}

/** The margin (pixels) below which two centres are "too close to say": 5% of the image side, at least 2 px. */
export function relationMarginFor(imageSize: number): number {
  return Math.max(2, 0.05 * imageSize);
}
