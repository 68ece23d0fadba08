/**
 * Display payloads for the renderer tests, made with the kernel's own `build*Bundle` builders so the
 * schema, the builders and the renderer are tested together. The scene is a tiny procedural image:
 * a red square top-left, a blue disc bottom-right, on a pale green background.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DisplayBundle, DisplayPayload } from '../../kernel/src/show/display_schema';
import { DISPLAY_MIME } from '../../kernel/src/show/display_schema';
import { buildAlignmentBundle } from '../../kernel/src/show/alignment';
import { buildBoxesBundle } from '../../kernel/src/show/boxes';
import { buildCurvesBundle } from '../../kernel/src/show/curves';
import { buildPlanBundle } from '../../kernel/src/show/plan';
import { buildProgressBundle } from '../../kernel/src/show/progress';
import { buildTableBundle } from '../../kernel/src/show/table';

export const EVIL = '<img src=x onerror=alert(1)>';
const SIZE = 64;
const GRID = 4;

/** [H, W, 3] in [0, 1]: red square (patch rows 0–1, cols 0–1), blue disc (rows 2–3, cols 2–3). */
export function sceneTensor(): tf.Tensor3D {
  const data = new Float32Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const o = (y * SIZE + x) * 3;
      let rgb = [0.85, 0.93, 0.85];
      if (x >= 4 && x < 28 && y >= 4 && y < 28) rgb = [0.9, 0.1, 0.1];
      if ((x - 46) ** 2 + (y - 46) ** 2 < 12 ** 2) rgb = [0.1, 0.2, 0.9];
      data.set(rgb, o);
    }
  }
  return tf.tensor3d(data, [SIZE, SIZE, 3]);
}

/** Token × patch similarity: each token peaks on the patches of its object. */
function similarity(tokens: string[]): number[][] {
  const peaks: Record<string, number[]> = { red: [0, 1, 4, 5], square: [0, 1, 4, 5], blue: [10, 11, 14, 15], disc: [10, 11, 14, 15] };
  return tokens.map((t, i) =>
    Array.from({ length: GRID * GRID }, (_, j) => {
      const peak = peaks[t]?.includes(j) ? 0.8 : 0;
      return Number((peak + 0.1 * Math.sin(i + j) ** 2).toFixed(3));
    }),
  );
}

export function payload(bundle: DisplayBundle): DisplayPayload {
  return bundle[DISPLAY_MIME];
}

export function alignmentBundle(image: tf.Tensor3D, tokens = ['a', 'red', 'square', 'and', 'a', 'blue', 'disc']): DisplayBundle {
  return buildAlignmentBundle({ tokens, matrix: similarity(tokens), image, grid: GRID, title: 'word × patch similarity', valueLabel: 'cosine', selected: 1 });
}

export function planBundle(rowLabels = ['p0', 'p1', 'p2'], colLabels = ['red', 'blue']): DisplayBundle {
  return buildPlanBundle(
    [
      [0.3, 0.03],
      [0.02, 0.31],
      [0.15, 0.19],
    ],
    { title: 'transport plan', rowLabels, colLabels, rowTitle: 'patch', colTitle: 'token', valueLabel: 'mass' },
  );
}

export function curvesBundle(steps: number, names = ['train', 'val']): DisplayBundle {
  const x = Array.from({ length: steps }, (_, i) => i);
  return buildCurvesBundle(
    Object.fromEntries(names.map((n, k) => [n, { x, y: x.map((s) => 2 * Math.exp(-s / 20) + 0.1 * k) }])),
    { title: 'loss', xTitle: 'step', yTitle: 'loss' },
  );
}

export function boxesBundle(image: tf.Tensor3D, predLabel = 'red square'): DisplayBundle {
  return buildBoxesBundle({
    image,
    groundTruth: [
      { x: 4, y: 4, w: 24, h: 24, label: 'red square' },
      { x: 34, y: 34, w: 24, h: 24, label: 'blue disc' },
    ],
    predicted: [
      { x: 6, y: 5, w: 22, h: 24, label: predLabel },
      { x: 10, y: 36, w: 20, h: 20, label: 'blue disc' },
    ],
    title: 'referring expressions',
  });
}

export function tableBundle(method = 'OT (ours)'): DisplayBundle {
  return buildTableBundle(
    [
      { method: 'global (CLIP)', 'R@1': 0.412, 'hit@1': 0.31 },
      { method, 'R@1': 0.468, 'hit@1': 0.74 },
    ],
    { caption: 'retrieval and pointing' },
  );
}

export function progressBundle(step: number, message = 'loss 0.314'): DisplayBundle {
  return buildProgressBundle({ step, total: 200, message, etaSeconds: 42, elapsedSeconds: 12, title: 'training' });
}
