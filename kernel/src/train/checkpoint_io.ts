import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  MANIFEST_FILE,
  packTensors,
  unpackTensors,
  type CheckpointManifest,
  type HostTensor,
} from './checkpoint_format';

/** Everything of a manifest except what saving derives (file name, table, sizes, time). */
export type CheckpointContent = Omit<CheckpointManifest, 'format' | 'version' | 'weightsFile' | 'weightsBytes' | 'tensors' | 'savedAt'>;

/**
 * Writes a checkpoint into `dir` (created if needed), replacing the one there crash-safely (see
 * checkpoint_format.ts). Returns the manifest written.
 */
export async function saveCheckpoint(dir: string, content: CheckpointContent, tensors: readonly HostTensor[]): Promise<CheckpointManifest> {
  await fs.mkdir(dir, { recursive: true });
  const { bytes, table } = packTensors(tensors);
  const weightsFile = `weights-${String(content.step).padStart(8, '0')}.bin`;
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    ...content,
    weightsFile,
    weightsBytes: bytes.byteLength,
    tensors: table,
    savedAt: new Date().toISOString(),
  };
  const tmpWeights = path.join(dir, `${weightsFile}.tmp`);
  await fs.writeFile(tmpWeights, bytes);
  await fs.rename(tmpWeights, path.join(dir, weightsFile));
  const tmpManifest = path.join(dir, `${MANIFEST_FILE}.tmp`);
  await fs.writeFile(tmpManifest, JSON.stringify(manifest, null, 2) + '\n');
  await fs.rename(tmpManifest, path.join(dir, MANIFEST_FILE));
  for (const name of await fs.readdir(dir)) {
    if (/^weights-\d+\.bin$/.test(name) && name !== weightsFile) await fs.rm(path.join(dir, name), { force: true });
  }
  return manifest;
}

/** True when `dir` holds a checkpoint manifest. */
export async function hasCheckpoint(dir: string): Promise<boolean> {
  try {
    await fs.access(path.join(dir, MANIFEST_FILE));
    return true;
  } catch {
    return false;
  }
}

/** Reads a checkpoint written by `saveCheckpoint`; errors name the folder and what is wrong. */
export async function loadCheckpoint(dir: string): Promise<{ manifest: CheckpointManifest; tensors: HostTensor[] }> {
  const manifestPath = path.join(dir, MANIFEST_FILE);
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as CheckpointManifest;
  } catch (e) {
    throw new Error(`loadCheckpoint: cannot read ${manifestPath}: ${(e as Error).message}`);
  }
  if (manifest.format !== CHECKPOINT_FORMAT || manifest.version !== CHECKPOINT_VERSION) {
    throw new Error(`loadCheckpoint: ${manifestPath} is not an ${CHECKPOINT_FORMAT} v${CHECKPOINT_VERSION} manifest (format ${JSON.stringify(manifest.format)}, version ${JSON.stringify(manifest.version)}).`);
  }
  const bytes = await fs.readFile(path.join(dir, manifest.weightsFile));
  if (bytes.byteLength !== manifest.weightsBytes) {
    throw new Error(`loadCheckpoint: ${manifest.weightsFile} in ${dir} has ${bytes.byteLength} bytes, the manifest says ${manifest.weightsBytes}.`);
  }
  return { manifest, tensors: unpackTensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), manifest.tensors) };
}
