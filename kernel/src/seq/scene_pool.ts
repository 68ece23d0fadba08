/**
 * A lazily filled cache of grounded scenes for training and evaluation. Scenes are generated on first
 * use and kept without their per-object masks (16 KB per object; the sequence tasks need boxes only),
 * so tens of thousands fit in memory.
 */
import type { GroundedScenes } from '../data/grounded_scenes';
import type { Scene, SplitName } from '../data/scene_types';

const NO_MASK = new Float32Array(0);

export class ScenePool {
  private readonly cache = new Map<string, Scene>();

  constructor(readonly dataset: GroundedScenes) {}

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
