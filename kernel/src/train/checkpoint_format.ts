/**
 * The on-disk checkpoint format (version 1). A checkpoint is a folder holding
 *
 *   checkpoint.json         the manifest below (UTF-8 JSON)
 *   weights-<step>.bin      every tensor's values, float32 little-endian, concatenated
 *
 * in the spirit of the TF.js layers weights manifest: the manifest's `tensors` table gives, for each
 * tensor, its name, group, shape, dtype, byte offset and byte length inside the .bin file. Group
 * 'weights' lists the task's variables in `variables()` order (names are TF.js variable names, for
 * humans); group 'optimizer' lists the optimiser's slots named `optimizer/<slot>/<index>` (Adam: m, v).
 *
 * Saving is crash-safe: the new .bin is written under a new name, then the manifest is replaced by an
 * atomic rename, then the superseded .bin is deleted — a crash at any point leaves a complete checkpoint.
 *
 * Reading in Python: `np.fromfile(f, '<f4', count=n, offset=entry.offset).reshape(entry.shape)`.
 */
import type { TrainConfig } from './train_config';

export const CHECKPOINT_FORMAT = 'alignscope.checkpoint';
export const CHECKPOINT_VERSION = 1;
export const MANIFEST_FILE = 'checkpoint.json';

export interface TensorEntry {
  name: string;
  group: 'weights' | 'optimizer';
  shape: number[];
  dtype: 'float32';
  /** Byte offset in the .bin file. */
  offset: number;
  byteLength: number;
}

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  /** Completed optimisation steps: a resumed run starts at this 0-based step index. */
  step: number;
  seed: number;
  /** Fully resolved configuration: the trainer's and the task's (`TrainTask.config`). */
  config: { train: TrainConfig; task: unknown };
  /** Why it was written. */
  reason: 'periodic' | 'final' | 'cancelled' | 'paused' | 'budget';
  /** Loss parts of the last completed step (total under 'total'), for humans. */
  lastLoss: Record<string, number> | null;
  optimizer: { kind: string; stepCounts: number[] };
  /** TF.js backend that trained it (informational: resuming on another backend is allowed, bit-identity is not promised). */
  backend: string;
  weightsFile: string;
  weightsBytes: number;
  tensors: TensorEntry[];
  savedAt: string;
}

/** A tensor's values on the host. */
export interface HostTensor {
  name: string;
  group: TensorEntry['group'];
  shape: number[];
  values: Float32Array;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Packs tensors into one little-endian float32 buffer and its table. */
export function packTensors(tensors: readonly HostTensor[]): { bytes: Uint8Array; table: TensorEntry[] } {
  const total = tensors.reduce((acc, t) => acc + t.values.length * 4, 0);
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  const table: TensorEntry[] = [];
  let offset = 0;
  for (const t of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.values.length) {
      throw new Error(`checkpoint: tensor '${t.name}' has ${t.values.length} values but shape [${t.shape}] needs ${size}.`);
    }
    if (LITTLE_ENDIAN_HOST) bytes.set(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength), offset);
    else for (let i = 0; i < t.values.length; i++) view.setFloat32(offset + 4 * i, t.values[i], true);
    table.push({ name: t.name, group: t.group, shape: t.shape.slice(), dtype: 'float32', offset, byteLength: t.values.length * 4 });
    offset += t.values.length * 4;
  }
  return { bytes, table };
}

/** Unpacks what `packTensors` wrote; checks the table against the buffer. */
export function unpackTensors(bytes: Uint8Array, table: readonly TensorEntry[]): HostTensor[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return table.map((e) => {
    const n = e.shape.reduce((a, b) => a * b, 1);
    if (e.dtype !== 'float32' || e.byteLength !== n * 4 || e.offset < 0 || e.offset + e.byteLength > bytes.byteLength) {
      throw new Error(`checkpoint: tensor '${e.name}' entry (dtype ${e.dtype}, offset ${e.offset}, ${e.byteLength} bytes, shape [${e.shape}]) does not fit the ${bytes.byteLength}-byte weights file.`);
    }
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = view.getFloat32(e.offset + 4 * i, true);
    return { name: e.name, group: e.group, shape: e.shape.slice(), values };
  });
}
