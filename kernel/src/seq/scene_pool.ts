/**
 * A lazily filled cache of scenes for training and evaluation. Scenes come from a `SceneSource` — the
 * grounded scenes generator, or dataset records adapted to scenes (record_scenes.ts) — on first use and
 * are kept without their per-object masks (16 KB per object; the sequence tasks need boxes only), so
 * tens of thousands fit in memory.
 */
import type { Scene, SplitName } from '../data/scene_types';

const NO_MASK = new Float32Array(0);

/** Where scenes come from: `GroundedScenes` is one, `RecordScenes` (dataset records) another. */
export interface SceneSource {
  /** Number of scenes in a split. */
  size(split: SplitName): number;
  /** Scene `index` of `split` (0 ≤ index < size(split)), always the same one. */
  getScene(split: SplitName, index: number): Scene;
}

export class ScenePool {
  private readonly cache = new Map<string, Scene>();

  constructor(readonly dataset: SceneSource) {}

  get(split: SplitName, index: number): Scene {
    const key = `${split}#${index}`;
    let s = this.cache.get(key);
    if (!s) {
      const full = this.dataset.getScene(split, index);
      s = { ...full, objects: full.objects.map((o) => ({ ...o, mask: NO_MASK })) };
      this.cache.set(key, s);
    }
    return s;
  }

  /** Images of scenes as float32 [B·H·W·3] in [0, 1]. */
  static pixels(scenes: readonly Scene[]): Float32Array {
    const { width: W, height: H } = scenes[0]!;
    const n = W * H * 3;
    const out = new Float32Array(scenes.length * n);
    scenes.forEach((s, b) => {
      for (let i = 0; i < n; i++) out[b * n + i] = s.image[i]! / 255;
    });
    return out;
  }
}
