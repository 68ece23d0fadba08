/**
 * Loads dataset images as model inputs, in batches: read file → decode (sharp or pure JS, EXIF
 * orientation applied) → resize/crop/normalise → Float32 [B, H, W, 3]. Decoded model inputs are kept
 * in a small LRU cache (default 64 MiB) keyed by path + options, so epochs over a small subset and
 * repeated evaluation do not decode again. Files are read with bounded concurrency.
 *
 * @example
 *   const loader = new ImageLoader({ size: 64, fit: 'cover' });
 *   const batch = await loader.loadBatch(records.slice(0, 32).map((r) => r.image));
 *   batch.data;        // Float32Array [32, 64, 64, 3]
 *   batch.transforms;  // per image: maps its annotation boxes into the 64×64 frame (mapBox)
 */
import { readFile } from 'node:fs/promises';
import type { ImageRef } from '../datasets/dataset_record';
import type { RgbImage } from '../scene_preview';
import { decodeImage, defaultDecodeBackend, type DecodeBackend } from './decode_image';
import { LruCache } from './lru_cache';
import { toModelInput, type InputTransform, type ModelInput, type ModelInputOptions } from './model_input';

export interface ImageLoaderOptions extends ModelInputOptions {
  /** Decoder: 'sharp' when it loads, else 'js' (see decodeImage). */
  backend?: DecodeBackend;
  /** Cache budget in bytes of Float32 data (default 64 MiB; 0 disables). */
  cacheBytes?: number;
  /** Files read and decoded at once (default 8). */
  concurrency?: number;
}

export interface ImageBatch {
  /** [B, H, W, 3] row-major. */
  data: Float32Array;
  shape: [number, number, number, number];
  transforms: InputTransform[];
  /** Source sizes (upright, after EXIF orientation). */
  sourceSizes: { width: number; height: number }[];
}

/** Decodes one image reference to RGB (memory refs need their record's width and height). */
export async function readImage(ref: ImageRef, size?: { width: number; height: number }, backend?: DecodeBackend): Promise<RgbImage> {
  if (ref.kind === 'memory') {
    if (!size) throw new Error('readImage: an in-memory image needs its width and height.');
    if (ref.rgb.length !== size.width * size.height * 3) {
      throw new Error(`readImage: in-memory image has ${ref.rgb.length} bytes; ${size.width}×${size.height}×3 needs ${size.width * size.height * 3}.`);
    }
    return { pixels: ref.rgb, width: size.width, height: size.height };
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(ref.path);
  } catch (e) {
    throw new Error(`readImage: cannot read ${ref.path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`);
  }
  return decodeImage(bytes, { backend, name: ref.path });
}

export class ImageLoader {
  readonly options: Readonly<ImageLoaderOptions>;
  readonly backend: DecodeBackend;
  private readonly cache: LruCache<string, ModelInput & { source: { width: number; height: number } }>;
  /** Loads in progress, so that a batch naming one file twice decodes it once. */
  private readonly inflight = new Map<string, Promise<ModelInput & { source: { width: number; height: number } }>>();

  constructor(options: ImageLoaderOptions) {
    this.options = { ...options };
    this.backend = options.backend ?? defaultDecodeBackend();
    this.cache = new LruCache(options.cacheBytes ?? 64 << 20);
  }

  get cacheStats(): { entries: number; bytes: number; hits: number; misses: number } {
    return { entries: this.cache.size, bytes: this.cache.cost, hits: this.cache.hits, misses: this.cache.misses };
  }

  /** One image as a model input. Memory refs need `size` (the record's width and height). */
  async load(ref: ImageRef, size?: { width: number; height: number }): Promise<ModelInput & { source: { width: number; height: number } }> {
    const key = ref.kind === 'file' ? ref.path : undefined; // in-memory images are not cached
    const hit = key !== undefined ? this.cache.get(key) : undefined;
    if (hit) return hit;
    const pending = key !== undefined ? this.inflight.get(key) : undefined;
    if (pending) return pending;
    const work = (async () => {
      const rgb = await readImage(ref, size, this.backend);
      const input = { ...toModelInput(rgb, this.options), source: { width: rgb.width, height: rgb.height } };
      if (key !== undefined) this.cache.set(key, input, input.data.byteLength);
      return input;
    })();
    if (key === undefined) return work;
    this.inflight.set(key, work);
    try {
      return await work;
    } finally {
      this.inflight.delete(key);
    }
  }

  /** A batch [B, H, W, 3]; `sizes[i]` is needed for in-memory refs. */
  async loadBatch(refs: readonly ImageRef[], sizes?: readonly { width: number; height: number }[]): Promise<ImageBatch> {
    const inputs = new Array<Awaited<ReturnType<ImageLoader['load']>>>(refs.length);
    const workers = Math.max(1, Math.min(this.options.concurrency ?? 8, refs.length));
    let next = 0;
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (next < refs.length) {
          const i = next++;
          inputs[i] = await this.load(refs[i]!, sizes?.[i]);
        }
      }),
    );
    const first = inputs[0];
    const [H, W] = first ? [first.height, first.width] : typeof this.options.size === 'number' ? [this.options.size, this.options.size] : this.options.size;
    const data = new Float32Array(refs.length * H * W * 3);
    inputs.forEach((x, i) => data.set(x.data, i * H * W * 3));
    return { data, shape: [refs.length, H, W, 3], transforms: inputs.map((x) => x.transform), sourceSizes: inputs.map((x) => x.source) };
  }
}
